"""Navigation by role: each app contributes entries; a member sees only what their role may use."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from zhidu.core.selectors import UNREAD_BADGE_MAX, notification_unread_count
from zhidu.org.models import Role

ALL = tuple(Role.values)
LEADS = (Role.DIRECTOR, Role.MANAGER, Role.SUPERVISOR)

# (url name, label, roles allowed). Apps add their pages here; missing url names are skipped.
NAV: list[tuple[str, Any, tuple[str, ...]]] = [
    ("home", _("Home"), ALL),
    ("core:notifications", _("Notifications"), ALL),
    ("org:tree", _("Organisation"), ALL),
    ("org:applications", _("Applications"), (*LEADS, Role.ADMIN)),
    ("policies:list", _("Regulations"), ALL),
    ("customers:list", _("Customers"), (*LEADS, Role.SALES, Role.COMPLIANCE)),
    ("groups:list", _("Groups"), (*LEADS, Role.SALES, Role.COMPLIANCE)),
    ("compliance:violations", _("Violations"), (*LEADS, Role.SALES, Role.COMPLIANCE)),
    ("compliance:rules", _("Rules"), (Role.COMPLIANCE, Role.ADMIN, Role.DIRECTOR)),
    ("core:audit", _("Audit log"), (Role.ADMIN, Role.COMPLIANCE)),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    member = getattr(request, "member", None)
    if member is None or not member.is_active:
        return {"nav": []}
    items = []
    for name, label, roles in NAV:
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
        if name == "core:notifications":
            unread = notification_unread_count(member)  # the one query the badge costs
            item["badge"] = f"{UNREAD_BADGE_MAX}+" if unread > UNREAD_BADGE_MAX else (unread or "")
        items.append(item)
    return {"nav": items, "member": member}
