from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "zhidu.compliance"
    label = "compliance"

    def ready(self) -> None:
        from zhidu.core.events import subscribe
        from zhidu.web.demo import register_demo_step
        from zhidu.web.timeline import register_timeline_source

        from .services.citations import on_version_published
        from .services.ingest import on_msgaudit_notify
        from .services.price import on_price_policy_changed
        from .timeline import recent_chats

        subscribe("wecom.msgaudit_notify", on_msgaudit_notify)
        subscribe("policy.version_published", on_version_published)
        subscribe("sales.price_policy_changed", on_price_policy_changed)
        register_demo_step("compliance", _seed_default_rules, order=20)
        register_demo_step("reply", _demo_reply, order=71)
        register_timeline_source("chats", recent_chats)


def _seed_default_rules() -> None:
    from .services import rules_seed_default

    rules_seed_default(actor=None)


def _demo_reply() -> None:
    from .reply_demo import demo_reply

    demo_reply()
