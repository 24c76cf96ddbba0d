"""REST: customer development under /api/customers/ (follow relations, follow-ups, tags, plans, Excel)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from zhidu.core.periods import local_today
from zhidu.core.schemas import Id, PageIn, SearchText
from zhidu.org.models import Member

from . import selectors as customer_selectors
from .development import plans, services, xlsx
from .development.selectors import (
    FollowFilters,
    customer_page,
    development_or_none,
    follow_list,
    followups_for,
    stage_of,
    with_tags,
)
from .models import FollowRelation, FollowUp

router = Router(tags=["customer development"])


def _me(request: HttpRequest) -> Member:
    return request.auth  # type: ignore[attr-defined,no-any-return]


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class FollowRowOut(Schema):
    id: int
    customer_id: int
    customer_name: str
    external_userid: str
    owner_id: int
    owner_name: str
    stage: str
    tags: list[str]
    next_action: str
    next_action_on: dt.date | None
    last_contact: dt.datetime | None
    createtime: dt.datetime | None
    ended: bool


class FollowPageOut(Schema):
    total: int
    items: list[FollowRowOut]


class FollowFilterIn(Schema):
    q: SearchText = ""
    stage: str = ""
    tag: Id | None = None
    owner: Id | None = None
    contact_before: dt.date | None = None
    contact_after: dt.date | None = None
    status: Literal["active", "ended", "all"] = "active"
    sort: Literal["new", "old", "contact", "-contact", "next", "name"] = "new"

    def filters(self) -> FollowFilters:
        return FollowFilters(
            q=self.q,
            stage=self.stage,
            tag_id=self.tag,
            owner_id=self.owner,
            contact_before=self.contact_before,
            contact_after=self.contact_after,
            status=self.status,
            sort=self.sort,
        )


def _row(f: FollowRelation) -> dict[str, Any]:
    dev = development_or_none(f)
    return {
        "id": f.pk,
        "customer_id": f.customer_id,
        "customer_name": f.customer.name,
        "external_userid": f.customer.external_userid,
        "owner_id": f.member_id,
        "owner_name": f.member.name,
        "stage": stage_of(f),
        "tags": [t.name for t in f.tags.all()],
        "next_action": dev.next_action if dev else "",
        "next_action_on": dev.next_action_on if dev else None,
        "last_contact": getattr(f, "last_contact", None),
        "createtime": f.createtime,
        "ended": f.deleted,
    }


@router.get("/follows/", response=FollowPageOut)
def follows(request: HttpRequest, page: Query[PageIn], filters: Query[FollowFilterIn]):  # type: ignore[no-untyped-def]
    """Follow relations in scope (one per customer and owner), filtered and sorted, with the total count."""
    qs = follow_list(viewer=_me(request), filters=filters.filters())
    items = with_tags(list(qs[page.offset : page.offset + page.limit]))
    return {"total": qs.count(), "items": [_row(f) for f in items]}


XLSX_RESPONSE = {
    "responses": {200: {"description": "OK", "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}}}
}


@router.get("/follows/export", openapi_extra=XLSX_RESPONSE)
def follows_export(request: HttpRequest, filters: Query[FollowFilterIn]) -> HttpResponse:
    data = xlsx.follows_export(viewer=_me(request), filters=filters.filters())
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="customers.xlsx"'
    return response


class DevelopmentIn(Schema):
    stage: str | None = None
    budget: str | None = None
    need: str | None = None
    decision_maker: str | None = None
    timing: str | None = None
    next_action: str | None = None
    next_action_on: dt.date | None = None
    clear_next_action_on: bool = False
    collaborator_ids: list[Id] | None = None


class DevelopmentOut(Schema):
    follow_id: int
    stage: str
    budget: str
    need: str
    decision_maker: str
    timing: str
    next_action: str
    next_action_on: dt.date | None
    collaborator_ids: list[int]
    last_followup_at: dt.datetime | None
    last_chat_at: dt.datetime | None


@router.patch("/follows/{follow_id}/development", response=DevelopmentOut)
def development_update(request: HttpRequest, follow_id: int, payload: DevelopmentIn):  # type: ignore[no-untyped-def]
    dev = services.development_update(actor=_me(request), follow_id=follow_id, **payload.dict())
    return {
        **{k: getattr(dev, k) for k in DevelopmentOut.model_fields if hasattr(dev, k) and k != "collaborator_ids"},
        "follow_id": dev.follow_id,
        "collaborator_ids": sorted(dev.collaborators.values_list("pk", flat=True)),
    }


class FollowUpIn(Schema):
    kind: str
    summary: str
    outcome: str = ""
    next_step: str = ""
    next_action_on: dt.date | None = None
    happened_at: dt.datetime | None = None


class FollowUpOut(Schema):
    id: int
    follow_id: int
    author_name: str
    kind: str
    happened_at: dt.datetime
    summary: str
    outcome: str
    next_step: str


class FollowUpPageOut(Schema):
    total: int
    items: list[FollowUpOut]


def _fu(r: FollowUp) -> dict[str, Any]:
    return {
        "id": r.pk,
        "follow_id": r.follow_id,
        "author_name": r.author.name,
        "kind": r.kind,
        "happened_at": r.happened_at,
        "summary": r.summary,
        "outcome": r.outcome,
        "next_step": r.next_step,
    }


@router.post("/follows/{follow_id}/followups", response={201: FollowUpOut})
def followup_create(request: HttpRequest, follow_id: int, payload: FollowUpIn):  # type: ignore[no-untyped-def]
    record = services.followup_record(actor=_me(request), follow_id=follow_id, **payload.dict())
    return Status(201, _fu(record))


@router.get("/followups/", response=FollowUpPageOut)
def followup_list(request: HttpRequest, page: Query[PageIn], follow: Id | None = None):  # type: ignore[no-untyped-def]
    """Follow-up records in scope, newest first (optionally of one follow relation), with the total count."""
    qs = followups_for(viewer=_me(request), follow_id=follow)
    return {"total": qs.count(), "items": [_fu(r) for r in qs[page.offset : page.offset + page.limit]]}


@router.post("/followups/import")
def followup_import(request: HttpRequest, file: File[UploadedFile]) -> dict[str, int]:
    """An .xlsx of follow-ups (columns as in the template); all rows are checked before any is written."""
    return {"created": xlsx.followups_import(actor=_me(request), file=file)}


class TagsIn(Schema):
    add: list[Id] = []
    remove: list[Id] = []


@router.post("/follows/{follow_id}/tags")
def follow_tags(request: HttpRequest, follow_id: int, payload: TagsIn) -> dict[str, bool]:
    changed = services.follow_tags_change(
        actor=_me(request), follow_id=follow_id, add=payload.add, remove=payload.remove
    )
    return {"changed": changed}


class BulkStageIn(Schema):
    ids: list[Id]
    stage: str


class BulkTagsIn(TagsIn):
    ids: list[Id]


@router.post("/bulk/stage")
def bulk_stage(request: HttpRequest, payload: BulkStageIn) -> dict[str, int]:
    return {"changed": services.development_bulk_stage(actor=_me(request), follow_ids=payload.ids, stage=payload.stage)}


@router.post("/bulk/tags")
def bulk_tags(request: HttpRequest, payload: BulkTagsIn) -> dict[str, int]:
    changed = services.follow_bulk_tags(
        actor=_me(request), follow_ids=payload.ids, add=payload.add, remove=payload.remove
    )
    return {"changed": changed}


class PlanIn(Schema):
    member_id: Id
    period: str
    day: dt.date
    new_customers: int
    followups: int


class PlanOut(Schema):
    id: int
    member_id: int
    member_name: str
    period: str
    starts_on: dt.date
    new_customers: int
    followups: int
    new_customers_done: int
    followups_done: int


class PlanPageOut(Schema):
    total: int
    items: list[PlanOut]


def _plan(p: plans.PlanProgress) -> dict[str, Any]:
    return {
        "id": p.plan.pk,
        "member_id": p.plan.member_id,
        "member_name": p.plan.member.name,
        "period": p.plan.period,
        "starts_on": p.plan.starts_on,
        "new_customers": p.plan.new_customers,
        "followups": p.plan.followups,
        "new_customers_done": p.new_customers,
        "followups_done": p.followups,
    }


@router.get("/plans/", response=PlanPageOut)
def plan_list(request: HttpRequest, page: Query[PageIn], period: str = "month", day: dt.date | None = None):  # type: ignore[no-untyped-def]
    """Development plans of the period holding `day` (default today) in scope, with progress from the data."""
    qs = plans.plans_for(viewer=_me(request), period=period, day=day or local_today())
    rows = plans.plan_progress(list(qs[page.offset : page.offset + page.limit]))
    return {"total": qs.count(), "items": [_plan(p) for p in rows]}


@router.put("/plans/", response=PlanOut)
def plan_set(request: HttpRequest, payload: PlanIn):  # type: ignore[no-untyped-def]
    plan = plans.plan_set(actor=_me(request), **payload.dict())
    return _plan(plans.plan_progress([plan])[0])


class TimelineOut(Schema):
    at: dt.datetime
    source: str
    member_name: str
    from_customer: bool
    kind: str
    text: str


@router.get("/{customer_id}/timeline", response=list[TimelineOut])
def timeline(request: HttpRequest, customer_id: int):  # type: ignore[no-untyped-def]
    """The last archived chats with the customer (CUSTOMER_TIMELINE_MESSAGES), newest first, in scope."""
    customer = customer_selectors.customer_get_for(_me(request), customer_id)
    return customer_page(viewer=_me(request), customer=customer).timeline
