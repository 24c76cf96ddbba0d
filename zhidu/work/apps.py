from django.apps import AppConfig


class WorkConfig(AppConfig):
    name = "zhidu.work"
    label = "work"
