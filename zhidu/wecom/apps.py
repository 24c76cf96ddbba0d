from django.apps import AppConfig


class WecomConfig(AppConfig):
    name = "zhidu.wecom"
    label = "wecom"
