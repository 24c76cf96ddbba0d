from django.apps import AppConfig


class DisciplineConfig(AppConfig):
    name = "zhidu.discipline"
    label = "discipline"
