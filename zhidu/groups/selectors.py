"""Reads of groups (customer and internal), always through the asking member's scope."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from zhidu.core.errors import NotFound
from zhidu.org.models import Member

from .models import GroupChat, GroupKind, GroupMember, GroupStatus


def group_list(*, viewer: Member, q: str = "", kind: str = "", include_dismissed: bool = False) -> QuerySet[GroupChat]:
    """Groups in `viewer`'s scope, newest first; `kind` customer or internal ("" or anything else: both)."""
    qs = GroupChat.objects.visible_to(viewer).select_related("owner")
    if kind in GroupKind.values:
        qs = qs.filter(kind=kind)
    if not include_dismissed:
        qs = qs.exclude(status=GroupStatus.DISMISSED)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(chat_id=q) | Q(owner__name__icontains=q))
    return qs.annotate(
        present_count=Count("members", filter=Q(members__left_at=None)),
        customer_count=Count("members", filter=Q(members__left_at=None, members__type="customer")),
    ).order_by("-id")


def group_page(
    *, viewer: Member, q: str = "", kind: str = "", after: int | None = None, size: int
) -> tuple[list[GroupChat], int | None]:
    """One keyset page of `group_list` (ids below `after`) and the `after` of the next page (None: last)."""
    qs = group_list(viewer=viewer, q=q, kind=kind)
    if after is not None:
        qs = qs.filter(pk__lt=after)
    rows = list(qs[: size + 1])
    return rows[:size], (rows[size - 1].pk if len(rows) > size else None)


def group_get_for(viewer: Member, group_id: int) -> GroupChat:
    try:
        return GroupChat.objects.visible_to(viewer).select_related("owner").get(pk=group_id)
    except (GroupChat.DoesNotExist, ValueError, TypeError):
        raise NotFound from None


def group_members(*, group: GroupChat, include_left: bool = False) -> list[GroupMember]:
    qs = group.members.select_related("member", "customer")
    if not include_left:
        qs = qs.filter(left_at=None)
    return list(qs.order_by("-is_admin", "type", "join_time", "id"))


def group_creator(group: GroupChat) -> Member | None:
    """The member who created an internal group (they may have left it since)."""
    if not group.creator_userid:
        return None
    return Member.objects.filter(wecom_userid=group.creator_userid).first()
