"""Reads of customer groups, always through the asking member's scope."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from zhidu.core.errors import NotFound
from zhidu.org.models import Member

from .models import GroupChat, GroupMember, GroupStatus


def group_list(*, viewer: Member, q: str = "", include_dismissed: bool = False) -> QuerySet[GroupChat]:
    qs = GroupChat.objects.visible_to(viewer).select_related("owner")
    if not include_dismissed:
        qs = qs.exclude(status=GroupStatus.DISMISSED)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(chat_id=q) | Q(owner__name__icontains=q))
    return qs.annotate(
        present_count=Count("members", filter=Q(members__left_at=None)),
        customer_count=Count("members", filter=Q(members__left_at=None, members__type="customer")),
    ).order_by("-created", "-id")


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
