from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "zhidu.policies"
    label = "policies"
