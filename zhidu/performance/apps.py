from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "zhidu.performance"
    label = "performance"
