from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "zhidu.compliance"
    label = "compliance"
