from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "zhidu.customers"
    label = "customers"
