from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "zhidu.sales"
    label = "sales"

    def ready(self) -> None:
        from zhidu.web.context import register_badge
        from zhidu.web.demo import register_demo_step

        register_badge("sales:approvals", _approvals_badge)
        # After the company, its customers (synced or seeded) and the regulations exist.
        register_demo_step("sales-orders", _demo_orders, order=50)
        self._ready_targets()

    def _ready_targets(self) -> None:
        from zhidu.web.demo import register_demo_step

        from . import targets_tasks  # noqa: F401  (registers the pace task)
        from .targets_demo import demo_targets

        # After the orders, so the demo tree shows achievement.
        register_demo_step("sales-targets", demo_targets, order=60)


def _approvals_badge(member):  # type: ignore[no-untyped-def]
    from .selectors.orders import approval_count

    count = approval_count(member)
    return str(count) if count else ""


def _demo_orders() -> None:
    from .demo import seed_demo_orders

    seed_demo_orders()
