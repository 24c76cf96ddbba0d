"""Reviewing violations: confirm or dismiss, by the assigned supervisor, a lead over the member, or compliance."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from zhidu.core.audit import audit_record
from zhidu.core.errors import DomainError
from zhidu.org.models import LEAD_ROLES, Member, Role

from ..models import (
    Violation,
    ViolationStatus,
)

log = logging.getLogger(__name__)

ERR_NOT_REVIEWER = gettext_noop(
    "Only the assigned supervisor, a lead over the member, or a compliance officer may review this."
)
ERR_ALREADY_REVIEWED = gettext_noop("This violation was already reviewed ({status}).")
ERR_REASON_REQUIRED = gettext_noop("A reason is required to dismiss a violation.")


def can_review(actor: Member, violation: Violation) -> bool:
    """The assigned supervisor, a lead whose scope holds the member, or compliance — never oneself."""
    if not actor.is_active or (violation.member_id is not None and violation.member_id == actor.pk):
        return False
    if actor.role == Role.COMPLIANCE:
        return True
    if violation.supervisor_id == actor.pk:
        return True
    if actor.role in LEAD_ROLES and violation.member is not None:
        return actor.can_see_work_of(violation.member)
    return False


def _review(*, actor: Member, violation: Violation, status: str, reason: str) -> Violation:
    locked = Violation.objects.select_for_update().get(pk=violation.pk)
    if not can_review(actor, locked):
        raise DomainError(ERR_NOT_REVIEWER, code="forbidden")
    if locked.status != ViolationStatus.OPEN:
        raise DomainError(ERR_ALREADY_REVIEWED, code="conflict", status=ViolationStatus(locked.status).label)
    before = {"status": locked.status}
    locked.status = status
    locked.reviewed_by = actor
    locked.reviewed_at = timezone.now()
    locked.reason = reason
    locked.save(update_fields=["status", "reviewed_by", "reviewed_at", "reason", "updated_at"])
    verb = "violation.confirm" if status == ViolationStatus.CONFIRMED else "violation.dismiss"
    audit_record(actor=actor, verb=verb, target=locked, before=before, after={"status": status}, reason=reason)
    return locked


@transaction.atomic
def violation_confirm(*, actor: Member, violation: Violation, reason: str = "") -> Violation:
    return _review(actor=actor, violation=violation, status=ViolationStatus.CONFIRMED, reason=reason.strip())


@transaction.atomic
def violation_dismiss(*, actor: Member, violation: Violation, reason: str) -> Violation:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(ERR_REASON_REQUIRED, field="reason")
    return _review(actor=actor, violation=violation, status=ViolationStatus.DISMISSED, reason=reason)
