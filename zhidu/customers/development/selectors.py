"""Reads of customer development, always through the asking member's scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce

from zhidu.core.models import AuditEvent
from zhidu.core.periods import day_bounds
from zhidu.org.models import Member, Role
from zhidu.web.timeline import TimelineEntry, customer_timeline

from ..models import Customer, FollowRelation, FollowUp, Stage
from .history import HistoryLine, history_lines

SORTS = {
    "new": ("-createtime", "-id"),
    "old": ("createtime", "id"),
    "contact": ("last_contact", "id"),
    "-contact": ("-last_contact", "-id"),
    "next": ("development__next_action_on", "id"),
    "name": ("customer__name", "id"),
}
HISTORY_LIMIT = 30
FOLLOWUP_LIMIT = 50


@dataclass
class FollowFilters:
    q: str = ""
    stage: str = ""
    tag_id: int | None = None
    owner_id: int | None = None
    contact_before: dt.date | None = None  # last contact before this day (silent customers)
    contact_after: dt.date | None = None  # last contact on or after this day
    status: str = "active"  # active, ended, all
    sort: str = "new"


def follow_list(*, viewer: Member, filters: FollowFilters) -> QuerySet[FollowRelation]:
    """Follow relations (one row per customer and owner) in the viewer's scope, filtered and sorted."""
    qs = FollowRelation.objects.visible_to(viewer).annotate(
        last_contact=Coalesce("development__last_contact_at", "createtime", "created_at")
    )
    f = filters
    if f.status == "active":
        qs = qs.filter(deleted=False)
    else:
        if f.status == "ended":
            qs = qs.filter(deleted=True)
        # an ended relation shows only where its customer's page opens (Customer.visible_to)
        if viewer.role not in (Role.DIRECTOR, Role.COMPLIANCE):
            qs = qs.filter(customer__in=Customer.objects.visible_to(viewer))
    if f.q:
        qs = qs.filter(
            Q(customer__name__icontains=f.q)
            | Q(customer__external_userid=f.q)
            | Q(customer__corp_name__icontains=f.q)
            | Q(remark__icontains=f.q)
        )
    if f.stage == Stage.NEW:
        qs = qs.filter(Q(development__isnull=True) | Q(development__stage=Stage.NEW))
    elif f.stage:
        qs = qs.filter(development__stage=f.stage)
    if f.tag_id:
        qs = qs.filter(pk__in=FollowRelation.tags.through.objects.filter(tag_id=f.tag_id).values("followrelation_id"))
    if f.owner_id:
        qs = qs.filter(member_id=f.owner_id)
    if f.contact_before:
        qs = qs.filter(last_contact__lt=day_bounds(f.contact_before)[0])
    if f.contact_after:
        qs = qs.filter(last_contact__gte=day_bounds(f.contact_after)[0])
    return qs.select_related("customer", "member", "development").order_by(*SORTS.get(f.sort, SORTS["new"]))


def with_tags(follows: list[FollowRelation]) -> list[FollowRelation]:
    """One query for the tags of a page of relations."""
    from django.db.models import prefetch_related_objects

    prefetch_related_objects(follows, "tags")
    return follows


@dataclass
class CustomerPage:
    customer: Customer
    follows: list[FollowRelation]
    followups: list[FollowUp]
    timeline: list[TimelineEntry]
    history: list[HistoryLine]


def customer_page(*, viewer: Member, customer: Customer) -> CustomerPage:
    """Everything the customer detail shows, in a fixed number of queries."""
    follows = list(
        FollowRelation.objects.visible_to(viewer)
        .filter(customer=customer)
        .select_related("member", "development")
        .prefetch_related("tags", "development__collaborators")
        .order_by("deleted", "-createtime")
    )
    ids = [f.pk for f in follows]
    followups = list(
        FollowUp.objects.filter(follow_id__in=ids).select_related("author", "follow__member")[:FOLLOWUP_LIMIT]
    )
    timeline = customer_timeline(
        viewer=viewer,
        external_userid=customer.external_userid,
        member_userids=[f.member.wecom_userid or "" for f in follows],
        limit=settings.CUSTOMER_TIMELINE_MESSAGES,
    )
    dev_ids = [str(f.development.pk) for f in follows if development_or_none(f) is not None]
    history = list(
        AuditEvent.objects.filter(
            Q(target_type="customers.development", target_id__in=dev_ids)
            | Q(target_type="customers.followrelation", target_id__in=[str(i) for i in ids])
        )
        .select_related("actor")
        .order_by("-id")[:HISTORY_LIMIT]
    )
    return CustomerPage(customer, follows, followups, timeline, history_lines(history))


def development_or_none(follow: FollowRelation) -> Any:
    try:
        return follow.development
    except FollowRelation.development.RelatedObjectDoesNotExist:  # type: ignore[attr-defined]
        return None


def stage_of(follow: FollowRelation) -> str:
    dev = development_or_none(follow)
    return dev.stage if dev is not None else Stage.NEW


def followups_for(*, viewer: Member, follow_id: int | None = None) -> QuerySet[FollowUp]:
    qs = FollowUp.objects.visible_to(viewer).select_related("author", "follow__customer", "follow__member")
    if follow_id is not None:
        qs = qs.filter(follow_id=follow_id)
    return qs
