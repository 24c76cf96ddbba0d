"""Reads of orders: the scoped list, one order, the approval inbox, an order's history."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from zhidu.core.errors import NotFound
from zhidu.core.models import AuditEvent
from zhidu.customers.models import FollowRelation
from zhidu.org.models import Member, Role

from ..models import Order, OrderCredit, OrderLine, OrderStatus

ORDER_READER_ROLES = (Role.DIRECTOR, Role.MANAGER, Role.SUPERVISOR, Role.SALES, Role.COMPLIANCE)
ORDER_WRITER_ROLES = (Role.DIRECTOR, Role.MANAGER, Role.SUPERVISOR, Role.SALES)
HISTORY_MAX = 200
VERB_LABELS = {
    "order.create": _("created the draft"),
    "order.update": _("edited the draft"),
    "order.submit": _("submitted for review"),
    "order.escalate": _("escalated"),
    "order.approve": _("approved"),
    "order.reject": _("rejected"),
    "order.fulfil": _("marked fulfilled"),
    "order.cancel": _("cancelled"),
    "order.refund": _("refunded"),
}
FOLLOWED_MAX = 500


def order_list(
    *, viewer: Member, status: str = "", submitter_id: int | None = None, customer_id: int | None = None
) -> QuerySet[Order]:
    """Visible orders, newest first (a queryset: callers bound it)."""
    qs = Order.objects.visible_to(viewer).select_related("customer", "submitter", "reviewer")
    if status:
        qs = qs.filter(status=status)
    if submitter_id:
        qs = qs.filter(submitter_id=submitter_id)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    return qs.order_by("-id")


def approval_inbox(*, viewer: Member) -> QuerySet[Order]:
    """Submitted orders waiting for `viewer`, oldest first."""
    if not viewer.is_active:
        return Order.objects.none()
    return (
        Order.objects.filter(reviewer=viewer, status=OrderStatus.SUBMITTED)
        .select_related("customer", "submitter")
        .order_by("submitted_at", "id")
    )


def approval_count(viewer: Member) -> int:
    if not viewer.is_active or viewer.role not in (Role.DIRECTOR, Role.MANAGER, Role.SUPERVISOR):
        return 0
    return Order.objects.filter(reviewer=viewer, status=OrderStatus.SUBMITTED).count()


def order_get_for(viewer: Member, order_id: int) -> Order:
    """One visible order with its lines and credits; NotFound for missing and foreign alike."""
    try:
        return (
            Order.objects.visible_to(viewer)
            .select_related("customer", "submitter", "reviewer", "decided_by")
            .prefetch_related(
                Prefetch("lines", queryset=OrderLine.objects.select_related("product")),
                Prefetch("credits", queryset=OrderCredit.objects.select_related("member")),
            )
            .get(pk=order_id)
        )
    except (Order.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound from None


def order_history(order: Order) -> list[dict[str, Any]]:
    """The order's audit events, oldest first, with readable labels (the caller already may see the order)."""
    events = list(
        AuditEvent.objects.filter(target_type="sales.order", target_id=str(order.pk))
        .select_related("actor")
        .order_by("id")[:HISTORY_MAX]
    )
    members = dict(Member.objects.filter(pk__in=_reviewer_ids(events)).values_list("pk", "name"))
    out = []
    for e in events:
        after = e.after or {}
        status = after.get("status")
        reviewer = after.get("reviewer") if e.verb in ("order.submit", "order.escalate") else None
        out.append(
            {
                "at": e.at,
                "actor": e.actor.name if e.actor else e.actor_label,
                "label": VERB_LABELS.get(e.verb, e.verb),
                "status": OrderStatus(status).label if status in OrderStatus.values else "",
                "to": members.get(reviewer, "") if reviewer else "",
                "reason": e.reason,
            }
        )
    return out


def _reviewer_ids(events: Any) -> set[int]:
    return {int(e.after["reviewer"]) for e in events if isinstance(e.after, dict) and e.after.get("reviewer")}


def followed_customers(member: Member) -> list[FollowRelation]:
    """The customers `member` follows now (for the order form), bounded."""
    return list(
        FollowRelation.objects.active()
        .filter(member=member)
        .select_related("customer")
        .order_by("-createtime", "-id")[:FOLLOWED_MAX]
    )


def credit_candidates(member: Member) -> list[Member]:
    """Members who may share an order's credit, for the form: the submitter's department colleagues who sell."""
    return list(
        Member.objects.active()
        .filter(department_id=member.department_id, role__in=ORDER_WRITER_ROLES)
        .order_by("role", "name")[:200]
    )
