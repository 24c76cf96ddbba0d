"""Reads of customer transfers, always through the asking member's scope; pickers are bounded."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from zhidu.core.errors import NotFound
from zhidu.org.models import SALES_ROLES, Member, MemberStatus, work_scope_q

from .models import Customer, FollowRelation, ItemStatus, Transfer, TransferItem

PICKER_MAX = 200  # members, customers or groups offered at once by the start page; narrow with the search


def transfer_list(*, viewer: Member, status: str = "", kind: str = "") -> QuerySet[Transfer]:
    """Visible transfers, newest first, with per-status item counts."""
    qs = Transfer.objects.visible_to(viewer).select_related("handover", "takeover")
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    counts = {f"n_{s}": Count("items", filter=Q(items__status=s)) for s in ItemStatus.values}
    return qs.annotate(n_items=Count("items"), **counts).order_by("-id")


def transfer_get_for(viewer: Member, transfer_id: int) -> Transfer:
    try:
        return (
            Transfer.objects.visible_to(viewer).select_related("handover", "takeover", "created_by").get(pk=transfer_id)
        )
    except (Transfer.DoesNotExist, ValueError, TypeError):
        raise NotFound from None


def transfer_items(*, transfer: Transfer, status: str = "") -> QuerySet[TransferItem]:
    qs = transfer.items.select_related("customer", "group")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("id")


def transfer_item_counts(transfer: Transfer) -> dict[str, int]:
    rows = transfer.items.values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


def customer_transfer_history(*, viewer: Member, customer: Customer, limit: int = 20) -> list[TransferItem]:
    """The customer's transfer items in transfers the viewer may see, newest first."""
    visible = Transfer.objects.visible_to(viewer).values("pk")
    qs = (
        TransferItem.objects.filter(customer=customer, transfer__in=visible)
        .select_related("transfer", "transfer__handover", "transfer__takeover")
        .order_by("-id")
    )
    return list(qs[:limit])


def member_in_scope(viewer: Member, member_id: Any) -> Member:
    """A member whose work the viewer may read (404 otherwise)."""
    try:
        return Member.objects.filter(pk__in=work_scope_q(viewer)).get(pk=int(member_id))
    except (Member.DoesNotExist, ValueError, TypeError):
        raise NotFound from None


def handover_choices(*, viewer: Member, q: str = "") -> list[Member]:
    """Members whose customers the viewer may move (any status), by name, at most PICKER_MAX."""
    qs = Member.objects.filter(pk__in=work_scope_q(viewer), role__in=SALES_ROLES).exclude(wecom_userid=None)
    if q:
        qs = qs.filter(name__icontains=q)
    return list(qs.order_by("name", "id")[:PICKER_MAX])


def takeover_choices(*, viewer: Member, handover: Member | None = None, q: str = "") -> list[Member]:
    """Active members in the viewer's scope who can receive customers, at most PICKER_MAX."""
    qs = Member.objects.filter(pk__in=work_scope_q(viewer), role__in=SALES_ROLES, status=MemberStatus.ACTIVE).exclude(
        wecom_userid=None
    )
    if handover is not None:
        qs = qs.exclude(pk=handover.pk)
    if q:
        qs = qs.filter(name__icontains=q)
    return list(qs.order_by("name", "id")[:PICKER_MAX])


def handover_customers(*, handover: Member, q: str = "") -> list[FollowRelation]:
    """The handover member's active follow relations (customers), at most PICKER_MAX."""
    qs = FollowRelation.objects.filter(member=handover, deleted=False).select_related("customer")
    if q:
        qs = qs.filter(Q(customer__name__icontains=q) | Q(remark__icontains=q) | Q(customer__external_userid=q))
    return list(qs.order_by("-id")[:PICKER_MAX])


def handover_groups(*, handover: Member) -> list[Any]:
    from zhidu.groups.models import GroupChat, GroupStatus

    qs = GroupChat.objects.filter(owner=handover).exclude(status=GroupStatus.DISMISSED)
    return list(qs.order_by("-id")[:PICKER_MAX])
