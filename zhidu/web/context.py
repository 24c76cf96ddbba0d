"""Navigation by role: each app contributes entries; a member sees only what their role may use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from zhidu.core.selectors import UNREAD_BADGE_MAX, notification_unread_count
from zhidu.org.models import Role

ALL = tuple(Role.values)
LEADS = (Role.DIRECTOR, Role.MANAGER, Role.SUPERVISOR)


def _unread_badge(member: Any) -> str:
    """The inbox badge: the unread count (one bounded query), "99+" past the cap, "" when nothing is unread."""
    unread = notification_unread_count(member)
    return f"{UNREAD_BADGE_MAX}+" if unread > UNREAD_BADGE_MAX else str(unread or "")


Badge = Callable[[Any], str]

# (url name, label, roles allowed, optional badge). Apps add their pages here; missing url names are skipped.
NAV: list[tuple[str, Any, tuple[str, ...], Badge | None]] = [
    ("home", _("Home"), ALL, None),
    ("core:notifications", _("Notifications"), ALL, _unread_badge),
    ("org:tree", _("Organisation"), ALL, None),
    ("org:applications", _("Applications"), (*LEADS, Role.ADMIN), None),
    ("org:profile_reviews", _("Profile reviews"), (*LEADS, Role.COMPLIANCE), None),
    ("org:calendar", _("Meetings and training"), (*LEADS, Role.SALES, Role.COMPLIANCE), None),
    ("policies:list", _("Regulations"), ALL, None),
    ("work:my_work", _("My work"), (*LEADS, Role.SALES), None),
    ("work:board", _("Team board"), LEADS, None),
    ("work:reports", _("Reports"), (*LEADS, Role.SALES), None),
    ("work:meetings", _("Meetings"), (*LEADS, Role.SALES), None),
    ("work:library", _("Experience library"), ALL, None),
    ("work:suggestions", _("Suggestion box"), ALL, None),
    ("customers:list", _("Customers"), (*LEADS, Role.SALES, Role.COMPLIANCE), None),
    ("customers:plans", _("Development plans"), (*LEADS, Role.SALES), None),
    ("sales:orders", _("Orders"), (*LEADS, Role.SALES, Role.COMPLIANCE), None),
    ("sales:approvals", _("Approvals"), LEADS, None),  # badge: registered by the sales app
    ("sales:products", _("Products"), (Role.DIRECTOR, Role.ADMIN), None),
    ("customers:transfers", _("Transfers"), (*LEADS, Role.COMPLIANCE), None),
    ("groups:list", _("Groups"), (*LEADS, Role.SALES, Role.COMPLIANCE), None),
    ("groups:moderation_tasks", _("Moderation tasks"), (*LEADS, Role.SALES, Role.COMPLIANCE), None),
    ("sales:targets", _("Targets"), (*LEADS, Role.SALES), None),
    ("performance:my_scorecard", _("My scorecard"), (*LEADS, Role.SALES), None),
    ("performance:rankings", _("Rankings"), (*LEADS, Role.SALES, Role.COMPLIANCE), None),
    ("performance:kpis", _("KPI definitions"), (Role.DIRECTOR, Role.ADMIN), None),
    ("compliance:violations", _("Violations"), (*LEADS, Role.SALES, Role.COMPLIANCE), None),
    ("discipline:inbox", _("Sanction proposals"), LEADS, None),  # badge: registered by the discipline app
    ("discipline:records", _("Rewards and penalties"), (*LEADS, Role.SALES, Role.COMPLIANCE), None),
    ("discipline:policies", _("Sanction policies"), (Role.ADMIN, Role.COMPLIANCE), None),
    ("compliance:rules", _("Rules"), (Role.COMPLIANCE, Role.ADMIN, Role.DIRECTOR), None),
    ("compliance:citations", _("Citation maps"), (Role.COMPLIANCE, Role.ADMIN), None),
    ("compliance:reply", _("Reply timeliness"), (*LEADS, Role.SALES, Role.COMPLIANCE), None),
    ("org:calendars", _("Working calendars"), (Role.DIRECTOR, Role.MANAGER, Role.ADMIN), None),
    ("core:audit", _("Audit log"), (Role.ADMIN, Role.COMPLIANCE), None),
]


def register_badge(url_name: str, badge: Badge) -> None:
    """An app above web gives its NAV entry a badge (e.g. a count of work waiting), from its AppConfig.ready()."""
    for i, (name, label, roles, _old) in enumerate(NAV):
        if name == url_name:
            NAV[i] = (name, label, roles, badge)


def navigation(request: HttpRequest) -> dict[str, Any]:
    member = getattr(request, "member", None)
    if member is None or not member.is_active:
        return {"nav": []}
    items = []
    for name, label, roles, badge in NAV:
        if member.role not in roles:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        item = {
            "url": url,
            "label": label,
            "active": request.path == url or (url != "/" and request.path.startswith(url)),
        }
        if badge is not None:
            item["badge"] = badge(member)
        items.append(item)
    return {"nav": items, "member": member}
