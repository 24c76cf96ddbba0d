from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "zhidu.core"
    label = "core"
    verbose_name = "Core"
