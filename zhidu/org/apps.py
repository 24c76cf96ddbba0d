from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "zhidu.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from zhidu.web.demo import register_demo_step

        from .calendar import demo_calendar

        # After the company exists: a meeting under way for a sales team, whose department flags messages.
        register_demo_step("org-calendar", demo_calendar, order=70)
