"""The review of a submitted order and what follows: approve, reject, escalate, fulfil, cancel, refund.

Each transition locks the order row, checks its state and the actor, then writes with a status-guarded UPDATE,
so of two reviewers acting at once exactly one wins and the other gets "wrong state". Every transition is
audited and tells the next actor through a notification (WeCom carries it from the outbox). Approval and
refund publish `sales.order.approved` / `sales.order.refunded` after commit (targets roll up from them).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from zhidu.core.audit import audit_record, snapshot
from zhidu.core.errors import DomainError
from zhidu.core.events import publish
from zhidu.core.periods import local_today
from zhidu.org.models import LEAD_ROLES, Member, Role

from .. import errors
from ..models import Order, OrderStatus
from ..pricing import role_rank
from .catalog import parse_money
from .orders import (
    ORDER_FIELDS,
    first_lead_above,
    line_requirements,
    lock,
    notify_order,
    notify_review,
    order_people,
    require_state,
)


def _guarded_update(order: Order, *, expect: str, **values: Any) -> Order:
    """UPDATE ... WHERE status = expect; a lost race (0 rows) is the "wrong state" error."""
    now = timezone.now()
    count = Order.objects.filter(pk=order.pk, status=expect).update(updated_at=now, **values)
    if count != 1:
        order.refresh_from_db(fields=["status"])
        require_state(order, expect)
    order.refresh_from_db()
    return order


def _reason(reason: str, *, required: bool) -> str:
    text = (reason or "").strip()
    if required and not text:
        raise DomainError(errors.ERR_REASON_REQUIRED, field="reason")
    return text


def may_decide(actor: Member, order: Order) -> bool:
    """The reviewer, or a lead above the reviewer's level responsible for the submitter; never a party to it."""
    if not actor.is_active or actor.role not in LEAD_ROLES or actor.pk in order_people(order):
        return False
    if actor.pk == order.reviewer_id:
        return True
    reviewer_role = order.reviewer.role if order.reviewer_id else Role.SALES  # type: ignore[union-attr]
    return role_rank(actor.role) > role_rank(reviewer_role) and actor.can_see_work_of(order.submitter)


def _require_decider(actor: Member, order: Order) -> None:
    if actor.pk in order_people(order):
        raise DomainError(errors.ERR_OWN_ORDER, code="forbidden", number=order.number)
    if not may_decide(actor, order):
        reviewer = order.reviewer.name if order.reviewer_id else "—"  # type: ignore[union-attr]
        raise DomainError(errors.ERR_NOT_REVIEWER, code="forbidden", number=order.number, reviewer=reviewer)


def _require_lead_in_scope(actor: Member, order: Order) -> None:
    if not (actor.is_active and actor.role in LEAD_ROLES and actor.can_see_work_of(order.submitter)):
        raise DomainError(errors.ERR_NOT_LEAD_IN_SCOPE, code="forbidden", number=order.number)


def _audit(actor: Member, verb: str, order: Order, before: dict[str, Any], reason: str = "") -> None:
    audit_record(
        actor=actor, verb=verb, target=order, before=before, after=snapshot(order, ORDER_FIELDS), reason=reason
    )


@transaction.atomic
def order_approve(*, actor: Member, order: Order) -> Order:
    """Approve: only someone who may decide and whose role covers every line's price; books it today."""
    order = lock(order)
    require_state(order, OrderStatus.SUBMITTED)
    _require_decider(actor, order)
    for row, role in line_requirements(order):
        if role_rank(role) > role_rank(actor.role) or role_rank(order.required_role) > role_rank(actor.role):
            needed = role if role_rank(role) > role_rank(actor.role) else order.required_role
            raise DomainError(
                errors.ERR_NEEDS_ESCALATION,
                code="forbidden",
                field=f"lines.{row}",
                row=row,
                role=Role(needed).label,
                number=order.number,
            )
    before = snapshot(order, ORDER_FIELDS)
    order = _guarded_update(
        order,
        expect=OrderStatus.SUBMITTED,
        status=OrderStatus.APPROVED,
        decided_by=actor,
        decided_at=timezone.now(),
        booked_on=local_today(),
    )
    _audit(actor, "order.approve", order, before)
    with translation.override(settings.LANGUAGE_CODE):
        notify_order(
            order,
            [order.submitter_id],
            gettext("Order %(number)s was approved by %(member)s") % {"number": order.number, "member": actor.name},
            action=gettext("Open"),
        )
    publish("sales.order.approved", id=order.pk)
    return order


@transaction.atomic
def order_reject(*, actor: Member, order: Order, reason: str) -> Order:
    order = lock(order)
    require_state(order, OrderStatus.SUBMITTED)
    _require_decider(actor, order)
    text = _reason(reason, required=True)
    before = snapshot(order, ORDER_FIELDS)
    order = _guarded_update(
        order,
        expect=OrderStatus.SUBMITTED,
        status=OrderStatus.REJECTED,
        decided_by=actor,
        decided_at=timezone.now(),
        reject_reason=text,
    )
    _audit(actor, "order.reject", order, before, reason=text)
    with translation.override(settings.LANGUAGE_CODE):
        notify_order(
            order,
            [order.submitter_id],
            gettext("Order %(number)s was rejected by %(member)s") % {"number": order.number, "member": actor.name},
            text,
            gettext("Edit"),
        )
    return order


@transaction.atomic
def order_escalate(*, actor: Member, order: Order, reason: str = "") -> Order:
    """Hand the order to the first lead above the actor whose role has the authority it needs."""
    order = lock(order)
    require_state(order, OrderStatus.SUBMITTED)
    _require_decider(actor, order)
    needed = max(role_rank(order.required_role), *(role_rank(r) for _row, r in line_requirements(order)))
    min_rank = max(needed, role_rank(actor.role) + 1)
    target = first_lead_above(actor, min_rank=min_rank, exclude=order_people(order))
    if target is None:
        role = Role(("sales", "supervisor", "manager", "director")[min(min_rank, 3)]).label
        raise DomainError(errors.ERR_NOBODY_ABOVE, code="conflict", number=order.number, role=role)
    text = _reason(reason, required=False)
    before = snapshot(order, ORDER_FIELDS)
    order = _guarded_update(order, expect=OrderStatus.SUBMITTED, reviewer=target)
    _audit(actor, "order.escalate", order, before, reason=text)
    with translation.override(settings.LANGUAGE_CODE):
        notify_review(order, actor)
    return order


@transaction.atomic
def order_fulfil(*, actor: Member, order: Order) -> Order:
    """The goods or service were delivered: by the submitter or a lead responsible for them."""
    order = lock(order)
    require_state(order, OrderStatus.APPROVED)
    if actor.pk != order.submitter_id:
        _require_lead_in_scope(actor, order)
    before = snapshot(order, ORDER_FIELDS)
    order = _guarded_update(
        order, expect=OrderStatus.APPROVED, status=OrderStatus.FULFILLED, fulfilled_at=timezone.now()
    )
    _audit(actor, "order.fulfil", order, before)
    with translation.override(settings.LANGUAGE_CODE):
        recipient = order.decided_by_id if actor.pk == order.submitter_id else order.submitter_id
        notify_order(order, [recipient], gettext("Order %(number)s was fulfilled") % {"number": order.number})
    return order


@transaction.atomic
def order_cancel(*, actor: Member, order: Order, reason: str = "") -> Order:
    """Withdraw an order before fulfilment: the submitter until it is approved; a responsible lead at any point."""
    order = lock(order)
    require_state(order, OrderStatus.DRAFT, OrderStatus.SUBMITTED, OrderStatus.REJECTED, OrderStatus.APPROVED)
    if actor.pk != order.submitter_id or order.status == OrderStatus.APPROVED:
        _require_lead_in_scope(actor, order)
        if actor.pk in order_people(order) and order.status == OrderStatus.APPROVED:
            raise DomainError(errors.ERR_OWN_ORDER, code="forbidden", number=order.number)
    text = _reason(reason, required=order.status == OrderStatus.APPROVED)
    was = order.status
    before = snapshot(order, ORDER_FIELDS)
    order = _guarded_update(order, expect=was, status=OrderStatus.CANCELLED)
    _audit(actor, "order.cancel", order, before, reason=text)
    recipients: list[int | None] = [order.submitter_id] if actor.pk != order.submitter_id else []
    if was == OrderStatus.SUBMITTED and order.reviewer_id != actor.pk:
        recipients.append(order.reviewer_id)
    with translation.override(settings.LANGUAGE_CODE):
        notify_order(
            order,
            recipients,
            gettext("Order %(number)s was cancelled by %(member)s") % {"number": order.number, "member": actor.name},
            text,
        )
    return order


@transaction.atomic
def order_refund(*, actor: Member, order: Order, amount: Any, reason: str) -> Order:
    """Refund part or all of a fulfilled order (a lead responsible for the submitter); achievement reverses it."""
    order = lock(order)
    require_state(order, OrderStatus.FULFILLED)
    _require_lead_in_scope(actor, order)
    if actor.pk in order_people(order):
        raise DomainError(errors.ERR_OWN_ORDER, code="forbidden", number=order.number)
    try:
        value = parse_money(amount, field="refund_amount", label="")
    except DomainError:
        value = None
    if value is None or value <= 0 or value > order.total:
        raise DomainError(errors.ERR_REFUND_AMOUNT, field="refund_amount", total=order.total)
    text = _reason(reason, required=True)
    before = snapshot(order, ORDER_FIELDS)
    order = _guarded_update(
        order,
        expect=OrderStatus.FULFILLED,
        status=OrderStatus.REFUNDED,
        refund_amount=value,
        refunded_at=timezone.now(),
    )
    _audit(actor, "order.refund", order, before, reason=text)
    with translation.override(settings.LANGUAGE_CODE):
        notify_order(
            order,
            [order.submitter_id],
            gettext("Order %(number)s was refunded: %(amount)s yuan") % {"number": order.number, "amount": value},
            text,
        )
    publish("sales.order.refunded", id=order.pk)
    return order
