from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "zhidu.policies"
    label = "policies"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from zhidu.web.dashboard import register

        from .selectors import pending_acknowledgements

        register("policies_pending", _("Regulations to acknowledge"), lambda m: len(pending_acknowledgements(m)))
