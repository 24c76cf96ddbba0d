from django.apps import AppConfig


class WecomConfig(AppConfig):
    name = "zhidu.wecom"
    label = "wecom"

    def ready(self) -> None:
        from zhidu.core.events import subscribe
        from zhidu.core.notifications import register_channel
        from zhidu.customers.transfers import SUBMITTED_EVENT
        from zhidu.groups.moderation import ANNOUNCE_EVENT
        from zhidu.web.demo import register_company_source, register_demo_step

        from .announce import on_rules_announce
        from .demo import demo_company_from_simulator, demo_profiles
        from .notify import queue_notifications
        from .tags import on_tags_changed
        from .transfers import on_transfer_submitted

        register_channel("wecom", queue_notifications)
        subscribe("customers.tags_changed", on_tags_changed)
        register_company_source("wecom-simulator", demo_company_from_simulator)
        subscribe(SUBMITTED_EVENT, on_transfer_submitted)
        register_demo_step("account-profiles", demo_profiles, order=76)
        subscribe(ANNOUNCE_EVENT, on_rules_announce)
