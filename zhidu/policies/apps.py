from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "zhidu.policies"
    label = "policies"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from zhidu.web.dashboard import register
        from zhidu.web.demo import register_demo_step

        from .selectors import pending_acknowledgements

        register("policies_pending", _("Regulations to acknowledge"), lambda m: len(pending_acknowledgements(m)))
        register_demo_step("policies", _load_demo_policy, order=10)


def _load_demo_policy() -> None:
    from .services import policy_load_demo

    policy_load_demo(actor=None)
