from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "zhidu.sales"
    label = "sales"

    def ready(self) -> None:
        # Event handlers, dashboard tiles and demo steps are registered here as the app grows.
        pass
