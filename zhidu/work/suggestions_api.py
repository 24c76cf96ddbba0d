"""REST: the suggestion box (prefix "work/suggestions"), scoped like the pages. An anonymous suggestion's author is
never in an answer (`author_id`/`author_name` are null; `mine` tells the author it is theirs)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema

from zhidu.core.schemas import FilterText, PageIn, Text
from zhidu.org.models import Member

from . import suggestions_selectors as sel
from . import suggestions_services as svc
from .models import Suggestion, SuggestionReply, SuggestionStatus, SuggestionTopic

router = Router(tags=["work: suggestions"])


def _me(request: HttpRequest) -> Member:
    return request.auth  # type: ignore[attr-defined,no-any-return]


class SuggestionReplyOut(Schema):
    id: int
    author_id: int
    author_name: str
    status: str
    text: str
    created_at: dt.datetime


class SuggestionOut(Schema):
    id: int
    title: str
    body: str
    topic: str
    status: str
    anonymous: bool
    mine: bool
    author_id: int | None
    author_name: str | None
    planned_on: dt.date | None
    created_at: dt.datetime


class SuggestionDetailOut(SuggestionOut):
    replies: list[SuggestionReplyOut]
    decisions: list[str]


class SuggestionIn(Schema):
    title: Annotated[str, Text(100, min_length=1)]
    body: Annotated[str, Text(svc.BODY_MAX, min_length=1)]
    topic: SuggestionTopic = SuggestionTopic.OTHER
    anonymous: bool = False


class SuggestionDecisionIn(Schema):
    decision: Literal["answer", "accept", "plan", "done", "reject"]
    text: Annotated[str, Text(svc.BODY_MAX)] = ""
    planned_on: dt.date | None = None


class SuggestionFilter(Schema):
    box: Literal["mine", "inbox"] = "mine"
    status: FilterText = ""


def _out(s: Suggestion, viewer: Member) -> dict[str, object]:
    named = not s.anonymous
    return {
        "id": s.pk,
        "title": s.title,
        "body": s.body,
        "topic": s.topic,
        "status": s.status,
        "anonymous": s.anonymous,
        "mine": s.author_id == viewer.pk,
        "author_id": s.author_id if named else None,
        "author_name": s.author.name if named else None,
        "planned_on": s.planned_on,
        "created_at": s.created_at,
    }


def _reply(r: SuggestionReply) -> SuggestionReplyOut:
    return SuggestionReplyOut(
        id=r.pk, author_id=r.author_id, author_name=r.author.name, status=r.status, text=r.text, created_at=r.created_at
    )


def _detail(s: Suggestion, viewer: Member) -> SuggestionDetailOut:
    decisions = [d for d, _ in svc.decision_choices(s)] if svc.can_answer(viewer, s) else []
    return SuggestionDetailOut(
        **_out(s, viewer),  # type: ignore[arg-type]
        replies=[_reply(r) for r in sel.suggestion_replies(s)],
        decisions=decisions,
    )


@router.get("", response=list[SuggestionOut])
def suggestion_list(request: HttpRequest, page: Query[PageIn], f: Query[SuggestionFilter]) -> list[SuggestionOut]:
    """Newest first; page with `after` = the last id of the previous page (ids descend)."""
    me = _me(request)
    status = f.status if f.status in SuggestionStatus.values else ""
    rows = sel.suggestion_page(me, box=f.box, status=status, before=page.after, limit=page.limit)
    return [SuggestionOut(**_out(s, me)) for s in rows]  # type: ignore[arg-type]


@router.post("", response={201: SuggestionDetailOut})
def suggestion_create(request: HttpRequest, payload: SuggestionIn) -> tuple[int, SuggestionDetailOut]:
    me = _me(request)
    s = svc.suggestion_submit(
        actor=me, title=payload.title, body=payload.body, topic=payload.topic, anonymous=payload.anonymous
    )
    return 201, _detail(sel.suggestion_get_for(me, s.pk), me)


@router.get("/{suggestion_id}", response=SuggestionDetailOut)
def suggestion_get(request: HttpRequest, suggestion_id: int) -> SuggestionDetailOut:
    me = _me(request)
    return _detail(sel.suggestion_get_for(me, suggestion_id), me)


@router.post("/{suggestion_id}/decide", response=SuggestionDetailOut)
def suggestion_decide(request: HttpRequest, suggestion_id: int, payload: SuggestionDecisionIn) -> SuggestionDetailOut:
    me = _me(request)
    s = sel.suggestion_get_for(me, suggestion_id)
    svc.suggestion_decide(
        actor=me, suggestion=s, decision=payload.decision, text=payload.text, planned_on=payload.planned_on
    )
    return _detail(sel.suggestion_get_for(me, suggestion_id), me)
