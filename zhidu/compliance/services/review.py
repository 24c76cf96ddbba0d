"""Reviewing violations: confirm or dismiss, by the assigned supervisor, a lead over the member, or compliance."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from zhidu.core.audit import audit_record
from zhidu.core.errors import DomainError
from zhidu.core.events import publish
from zhidu.core.money import parse_money
from zhidu.org.models import LEAD_ROLES, Member, Role

from ..models import (
    Impact,
    Violation,
    ViolationStatus,
)

log = logging.getLogger(__name__)

ERR_NOT_REVIEWER = gettext_noop(
    "Only the assigned supervisor, a lead over the member, or a compliance officer may review this."
)
ERR_ALREADY_REVIEWED = gettext_noop("This violation was already reviewed ({status}).")
ERR_REASON_REQUIRED = gettext_noop("A reason is required to dismiss a violation.")
ERR_IMPACT = gettext_noop("Choose one of the listed consequences.")
ERR_NOT_CONFIRMED = gettext_noop("Only a confirmed violation can be overturned.")
ERR_OVERTURN_REASON = gettext_noop("A reason is required to overturn a violation.")
LOSS_LABEL = gettext_noop("Loss caused")


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


def _review(
    *, actor: Member, violation: Violation, status: str, reason: str, facts: dict[str, object] | None = None
) -> Violation:
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
    fields = ["status", "reviewed_by", "reviewed_at", "reason", "updated_at"]
    after: dict[str, object] = {"status": status}
    if facts:
        for name, value in facts.items():
            setattr(locked, name, value)
            fields.append(name)
            after[name] = None if value is None else str(value)
    locked.save(update_fields=fields)
    verb = "violation.confirm" if status == ViolationStatus.CONFIRMED else "violation.dismiss"
    audit_record(actor=actor, verb=verb, target=locked, before=before, after=after, reason=reason)
    return locked


@transaction.atomic
def violation_confirm(
    *,
    actor: Member,
    violation: Violation,
    reason: str = "",
    loss_amount: object = None,
    impact: str = Impact.NONE,
) -> Violation:
    """Confirm a finding and record its consequence facts (the loss it caused in yuan, its impact), which the
    sanction policy of the cited article reads. Publishes `violation.confirmed` (after commit)."""
    loss = parse_money(loss_amount, field="loss_amount", label=gettext(LOSS_LABEL), required=False)
    if impact not in Impact.values:
        raise DomainError(ERR_IMPACT, field="impact")
    confirmed = _review(
        actor=actor,
        violation=violation,
        status=ViolationStatus.CONFIRMED,
        reason=reason.strip(),
        facts={"loss_amount": loss, "impact": impact},
    )
    publish("violation.confirmed", id=confirmed.pk)
    return confirmed


@transaction.atomic
def violation_dismiss(*, actor: Member, violation: Violation, reason: str) -> Violation:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(ERR_REASON_REQUIRED, field="reason")
    return _review(actor=actor, violation=violation, status=ViolationStatus.DISMISSED, reason=reason)


@transaction.atomic
def violation_overturn(*, actor: Member, violation: Violation, reason: str) -> Violation:
    """A confirmed violation is set aside because an appeal against it was upheld: it no longer counts anywhere
    (scores, repeat counts). The caller (the appeal decision) has checked the actor's authority. Publishes
    `violation.overturned` (after commit); audited."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(ERR_OVERTURN_REASON, field="reason")
    locked = Violation.objects.select_for_update().get(pk=violation.pk)
    if locked.status != ViolationStatus.CONFIRMED:
        raise DomainError(ERR_NOT_CONFIRMED, code="conflict")
    locked.status = ViolationStatus.OVERTURNED
    locked.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        verb="violation.overturn",
        target=locked,
        before={"status": ViolationStatus.CONFIRMED},
        after={"status": ViolationStatus.OVERTURNED},
        reason=reason,
    )
    publish("violation.overturned", id=locked.pk)
    return locked
