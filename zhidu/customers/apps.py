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

        from .development.demo import demo_development
        from .development.services import chats_seen
        from .transfer_demo import demo_transfer
        from .transfers import on_member_removed

        register("customers", _("Customers in my scope"), _customer_count)
        # compliance (layer 5) reports when each member last chatted with each customer: the "no chat" reminders
        # and the list's last contact read it.
        subscribe("compliance.customer_chats", chats_seen)
        register_demo_step("customer-development", demo_development, order=40)
        subscribe(MEMBER_REMOVED_EVENT, on_member_removed)
        register_demo_step("customer-transfer", demo_transfer, order=45)


def _customer_count(member):  # type: ignore[no-untyped-def]
    from zhidu.org.models import Role

    from .models import Customer

    if member.role == Role.ADMIN:
        return None
    return Customer.objects.visible_to(member).count()
