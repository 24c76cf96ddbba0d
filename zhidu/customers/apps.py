from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "zhidu.customers"
    label = "customers"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from zhidu.core.events import subscribe
        from zhidu.org.services import MEMBER_REMOVED_EVENT
        from zhidu.web.dashboard import register
        from zhidu.web.demo import register_demo_step

        from .transfer_demo import demo_transfer
        from .transfers import on_member_removed

        register("customers", _("Customers in my scope"), _customer_count)
        subscribe(MEMBER_REMOVED_EVENT, on_member_removed)
        register_demo_step("customer-transfer", demo_transfer, order=50)


def _customer_count(member):  # type: ignore[no-untyped-def]
    from zhidu.org.models import Role

    from .models import Customer

    if member.role == Role.ADMIN:
        return None
    return Customer.objects.visible_to(member).count()
