from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "zhidu.sales"
    label = "sales"

    def ready(self) -> None:
        # Event handlers, dashboard tiles and demo steps are registered here as the app grows.
        self._ready_targets()

    def _ready_targets(self) -> None:
        from zhidu.web.demo import register_demo_step

        from . import targets_tasks  # noqa: F401  (registers the pace task)
        from .targets_demo import demo_targets

        register_demo_step("sales_targets", demo_targets, order=300)
