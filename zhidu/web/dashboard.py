"""Home-page counts, each computed through the member's own scope.

Apps register a counter with `register(label, fn)`; fn(member) -> int | None (None hides the tile).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _

from zhidu.org.models import ApplicationStatus, Department, Member, MembershipApplication, MemberStatus

Counter = Callable[[Member], "int | None"]
_COUNTERS: list[tuple[str, Any, Counter]] = []


def register(key: str, label: Any, fn: Counter) -> None:
    if all(k != key for k, _l, _f in _COUNTERS):
        _COUNTERS.append((key, label, fn))


def home_counts(member: Member) -> list[dict[str, Any]]:
    out = []
    for key, label, fn in _COUNTERS:
        value = fn(member)
        if value is not None:
            out.append({"key": key, "label": label, "value": value})
    return out


register(
    "members",
    _("Members in my scope"),
    lambda m: Member.objects.visible_to(m).filter(status=MemberStatus.ACTIVE).count(),
)
register("departments", _("Departments"), lambda m: Department.objects.visible_to(m).count())
register(
    "applications",
    _("Pending applications"),
    lambda m: (
        MembershipApplication.objects.visible_to(m).filter(status=ApplicationStatus.PENDING).count()
        if m.is_lead or m.role == "admin"
        else None
    ),
)
