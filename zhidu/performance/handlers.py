"""Event handlers: a violation confirmed or overturned changes its member's scorecards of that time."""

from __future__ import annotations

from zhidu.compliance.models import Violation
from zhidu.core.periods import company_tz

from .services import member_recompute_for


def on_violation_changed(id: int) -> None:
    violation = Violation.objects.filter(pk=id).only("member_id", "occurred_at").first()
    if violation is None or violation.member_id is None:
        return
    member_recompute_for(member_id=violation.member_id, day=violation.occurred_at.astimezone(company_tz()).date())
