"""REST: /api/customers/ (list, detail), scoped to the asking member."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema

from zhidu.core.schemas import Id, PageIn, SearchText, paginate

from . import selectors
from .api_development import router as development_router
from .development.selectors import development_or_none
from .models import Stage

router = Router(tags=["customers"])
# Customer development (follow relations, follow-ups, tags, plans, Excel): its own module, same /api/customers/.
router.add_router("/", development_router)


class FollowOut(Schema):
    id: int
    member_id: int
    member_name: str
    remark: str
    description: str
    tags: list[str]
    add_way: int
    createtime: dt.datetime | None
    deleted: bool
    stage: str
    budget: str
    need: str
    decision_maker: str
    timing: str
    next_action: str
    next_action_on: dt.date | None
    collaborator_ids: list[int]


class CustomerOut(Schema):
    id: int
    external_userid: str
    name: str
    type: int
    corp_name: str
    owners: list[str]


class CustomerDetailOut(CustomerOut):
    gender: int
    position: str
    follows: list[FollowOut]


@router.get("/", response=list[CustomerOut])
def customer_list(request: HttpRequest, page: Query[PageIn], q: SearchText = "", owner: Id | None = None):  # type: ignore[no-untyped-def]
    """Newest first; `after` is the id of the last customer of the previous page."""
    qs = selectors.customer_list(viewer=request.auth, q=q, owner_id=owner)  # type: ignore[attr-defined]
    return [_out(c, [f.member.name for f in c.visible_follows]) for c in paginate(qs, page, descending=True)]  # type: ignore[attr-defined]


@router.get("/{customer_id}", response=CustomerDetailOut)
def customer_detail(request: HttpRequest, customer_id: int):  # type: ignore[no-untyped-def]
    customer = selectors.customer_get_for(request.auth, customer_id)  # type: ignore[attr-defined]
    follows = selectors.customer_follows(viewer=request.auth, customer=customer)  # type: ignore[attr-defined]
    out = _out(customer, [f.member.name for f in follows if not f.deleted])
    return {
        **out,
        "gender": customer.gender,
        "position": customer.position,
        "follows": [
            {
                "id": f.pk,
                **_development(f),
                "member_id": f.member_id,
                "member_name": f.member.name,
                "remark": f.remark,
                "description": f.description,
                "tags": [t.name for t in f.tags.all()],
                "add_way": f.add_way,
                "createtime": f.createtime,
                "deleted": f.deleted,
            }
            for f in follows
        ],
    }


def _development(follow) -> dict:  # type: ignore[no-untyped-def]
    dev = development_or_none(follow)
    fields = ["budget", "need", "decision_maker", "timing", "next_action"]
    return {
        "stage": dev.stage if dev else Stage.NEW,
        **{name: getattr(dev, name) if dev else "" for name in fields},
        "next_action_on": dev.next_action_on if dev else None,
        "collaborator_ids": [m.pk for m in dev.collaborators.all()] if dev else [],
    }


def _out(customer, owners: list[str]) -> dict:  # type: ignore[no-untyped-def]
    return {
        "id": customer.pk,
        "external_userid": customer.external_userid,
        "name": customer.name,
        "type": customer.type,
        "corp_name": customer.corp_name,
        "owners": owners,
    }
