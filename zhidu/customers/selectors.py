"""Reads of customers, always through the asking member's scope."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from zhidu.core.errors import NotFound
from zhidu.org.models import Member

from .models import Customer, FollowRelation, Tag


def customer_list(
    *, viewer: Member, q: str = "", owner_id: int | None = None, tag_id: int | None = None
) -> QuerySet[Customer]:
    """Visible customers, newest first, with the viewer-visible active follow relations prefetched."""
    qs = Customer.objects.visible_to(viewer)
    # Filters over follow relations only look at relations the viewer may see.
    visible = FollowRelation.objects.visible_to(viewer)
    if q:
        by_remark = visible.filter(remark__icontains=q).values("customer_id")
        qs = qs.filter(Q(name__icontains=q) | Q(external_userid=q) | Q(corp_name__icontains=q) | Q(pk__in=by_remark))
    if owner_id:
        qs = qs.filter(pk__in=visible.active().filter(member_id=owner_id).values("customer_id"))
    if tag_id:
        qs = qs.filter(pk__in=visible.active().filter(tags__id=tag_id).values("customer_id"))
    follows = FollowRelation.objects.visible_to(viewer).active().select_related("member")
    return qs.prefetch_related(Prefetch("follows", queryset=follows, to_attr="visible_follows")).order_by("-id")


def customer_get_for(viewer: Member, customer_id: int) -> Customer:
    try:
        return Customer.objects.visible_to(viewer).get(pk=customer_id)
    except (Customer.DoesNotExist, ValueError, TypeError):
        raise NotFound from None


def customer_follows(*, viewer: Member, customer: Customer) -> list[FollowRelation]:
    """The customer's follow relations (ended ones too) owned by members in the viewer's scope."""
    qs = FollowRelation.objects.visible_to(viewer).filter(customer=customer)
    qs = qs.select_related("member", "development").prefetch_related("tags", "development__collaborators")
    return list(qs.order_by("deleted", "-createtime"))


def tag_list() -> list[Tag]:
    return list(Tag.objects.filter(deleted=False, group__deleted=False).select_related("group"))
