"""REST: the experience library and cases (prefix "work/library"), scoped like the pages.

Lists: newest first, page with `after` = the last id; sorted by uses or likes, page with `key` = the `key` of the
last row. `sidebar` offers the published scripts to a WeCom sidebar (search, topic). Errors: 400 bad input, 403 not
allowed, 404 not visible, 409 the item's state (or the compliance check) forbids it, 422 malformed."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.conf import settings
from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from zhidu.core.schemas import FilterText, PageIn, SearchText, Text
from zhidu.org.models import Member

from . import library_selectors as sel
from . import library_services as svc
from .library_compliance import LibraryFinding
from .models import CaseVerdict, LibraryCase, LibraryItem, LibraryKind, LibraryTopic

router = Router(tags=["work: library"])

BODY_MAX = settings.WORK_LIBRARY_BODY_MAX


def _me(request: HttpRequest) -> Member:
    return request.auth  # type: ignore[attr-defined,no-any-return]


class LibraryFindingOut(Schema):
    rule_id: int
    rule_name: str
    category: str
    matched: str
    citation: str


class LibraryItemOut(Schema):
    id: int
    kind: str
    topic: str
    product_id: int | None
    title: str
    body: str
    tags: list[str]
    status: str
    author_id: int
    author_name: str
    like_count: int
    use_count: int
    liked: bool
    mine: bool
    key: str
    published_at: dt.datetime | None
    created_at: dt.datetime


class LibraryItemDetailOut(LibraryItemOut):
    review_note: str
    may_review: bool
    findings: list[LibraryFindingOut]


class LibraryItemIn(Schema):
    kind: LibraryKind = LibraryKind.SCRIPT
    topic: LibraryTopic = LibraryTopic.OTHER
    product_id: int | None = None
    title: Annotated[str, Text(100, min_length=1)]
    body: Annotated[str, Text(BODY_MAX, min_length=1)]
    tags: Annotated[list[Annotated[str, Text(svc.TAG_MAX_LENGTH)]], Field(max_length=50)] = []
    submit: bool = False


class LibraryEditIn(Schema):
    kind: LibraryKind = LibraryKind.SCRIPT
    topic: LibraryTopic = LibraryTopic.OTHER
    product_id: int | None = None
    title: Annotated[str, Text(100, min_length=1)]
    body: Annotated[str, Text(BODY_MAX, min_length=1)]
    tags: Annotated[list[Annotated[str, Text(svc.TAG_MAX_LENGTH)]], Field(max_length=50)] = []


class LibraryReviewIn(Schema):
    decision: Literal["approve", "reject"]
    note: Annotated[str, Text(2000)] = ""


class LibraryCountOut(Schema):
    counted: bool
    liked: bool
    like_count: int
    use_count: int


class LibraryFilter(Schema):
    q: SearchText = ""
    kind: FilterText = ""
    topic: FilterText = ""
    tag: FilterText = ""
    sort: Literal["new", "used", "liked"] = "new"
    box: Literal["published", "mine", "review"] = "published"
    key: FilterText = ""


class LibrarySidebarFilter(Schema):
    q: SearchText = ""
    topic: FilterText = ""


class LibraryCaseLineOut(Schema):
    label: str
    staff: bool
    text: str
    msgtype: str
    at: dt.datetime | None


class LibraryCaseOut(Schema):
    id: int
    title: str
    verdict: str
    topic: str
    lesson: str
    status: str
    author_id: int
    author_name: str
    published_at: dt.datetime | None
    created_at: dt.datetime


class LibraryCaseDetailOut(LibraryCaseOut):
    lines: list[LibraryCaseLineOut]


class LibraryCaseIn(Schema):
    chat_key: Annotated[str, Text(260, min_length=1)]
    first_id: int
    last_id: int
    verdict: CaseVerdict
    topic: LibraryTopic = LibraryTopic.OTHER
    title: Annotated[str, Text(100, min_length=1)]
    lesson: Annotated[str, Text(BODY_MAX, min_length=1)]


def _finding(f: LibraryFinding) -> LibraryFindingOut:
    return LibraryFindingOut(
        rule_id=f.rule_id, rule_name=f.rule_name, category=f.category, matched=f.matched, citation=f.citation
    )


def _out(item: LibraryItem, me: Member, liked: set[int], sort: str = "new") -> dict[str, object]:
    return {
        "id": item.pk,
        "kind": item.kind,
        "topic": item.topic,
        "product_id": item.product_id,
        "title": item.title,
        "body": item.body,
        "tags": list(item.tags),
        "status": item.status,
        "author_id": item.author_id,
        "author_name": item.author.name,
        "like_count": item.like_count,
        "use_count": item.use_count,
        "liked": item.pk in liked,
        "mine": item.author_id == me.pk,
        "key": sel.row_key(item, sort),
        "published_at": item.published_at,
        "created_at": item.created_at,
    }


def _detail(me: Member, item_id: int) -> LibraryItemDetailOut:
    item = sel.item_get_for(me, item_id)
    return LibraryItemDetailOut(
        **_out(item, me, sel.liked_ids(me, [item])),  # type: ignore[arg-type]
        review_note=item.review_note,
        may_review=item.status == "pending" and svc.can_review(me, item),
        findings=[_finding(f) for f in sel.item_findings(me, item)],
    )


@router.get("", response=list[LibraryItemOut])
def work_library_list(request: HttpRequest, page: Query[PageIn], f: Query[LibraryFilter]) -> list[LibraryItemOut]:
    me = _me(request)
    key = f.key if f.sort != "new" else (str(page.after) if page.after else "")
    q = sel.LibraryQuery(q=f.q, kind=f.kind, topic=f.topic, tag=f.tag, sort=f.sort, box=f.box, after=key)
    rows = sel.library_page(me, q, limit=page.limit)
    liked = sel.liked_ids(me, rows)
    return [LibraryItemOut(**_out(i, me, liked, f.sort)) for i in rows]  # type: ignore[arg-type]


@router.get("/sidebar", response=list[LibraryItemOut])
def work_library_sidebar(
    request: HttpRequest, page: Query[PageIn], f: Query[LibrarySidebarFilter]
) -> list[LibraryItemOut]:
    """Published scripts for the WeCom sidebar's quick reply, most used first (at most `limit`, bounded by
    `WORK_LIBRARY_SIDEBAR_MAX`)."""
    me = _me(request)
    rows = sel.sidebar_scripts(me, q=f.q, topic=f.topic, limit=min(page.limit, settings.WORK_LIBRARY_SIDEBAR_MAX))
    liked = sel.liked_ids(me, rows)
    return [LibraryItemOut(**_out(i, me, liked, "used")) for i in rows]  # type: ignore[arg-type]


@router.post("", response={201: LibraryItemDetailOut})
def work_library_create(request: HttpRequest, payload: LibraryItemIn) -> tuple[int, LibraryItemDetailOut]:
    me = _me(request)
    data = payload.dict()
    item = svc.item_create(actor=me, **data)
    return 201, _detail(me, item.pk)


@router.get("/cases", response=list[LibraryCaseOut])
def work_library_cases(request: HttpRequest, page: Query[PageIn]) -> list[LibraryCaseOut]:
    rows = sel.case_page(_me(request), before=page.after, limit=page.limit)
    return [LibraryCaseOut(**_case(c)) for c in rows]  # type: ignore[arg-type]


@router.post("/cases", response={201: LibraryCaseDetailOut})
def work_library_case_create(request: HttpRequest, payload: LibraryCaseIn) -> tuple[int, LibraryCaseDetailOut]:
    me = _me(request)
    case = svc.case_create(actor=me, **payload.dict())
    return 201, _case_detail(me, case.pk)


@router.get("/cases/{case_id}", response=LibraryCaseDetailOut)
def work_library_case_get(request: HttpRequest, case_id: int) -> LibraryCaseDetailOut:
    return _case_detail(_me(request), case_id)


@router.post("/cases/{case_id}/publish", response=LibraryCaseDetailOut)
def work_library_case_publish(request: HttpRequest, case_id: int) -> LibraryCaseDetailOut:
    me = _me(request)
    svc.case_publish(actor=me, case=sel.case_get_for(me, case_id))
    return _case_detail(me, case_id)


@router.get("/{item_id}", response=LibraryItemDetailOut)
def work_library_get(request: HttpRequest, item_id: int) -> LibraryItemDetailOut:
    return _detail(_me(request), item_id)


@router.put("/{item_id}", response=LibraryItemDetailOut)
def work_library_edit(request: HttpRequest, item_id: int, payload: LibraryEditIn) -> LibraryItemDetailOut:
    me = _me(request)
    svc.item_edit(actor=me, item=sel.item_get_for(me, item_id), **payload.dict())
    return _detail(me, item_id)


@router.post("/{item_id}/submit", response=LibraryItemDetailOut)
def work_library_submit(request: HttpRequest, item_id: int) -> LibraryItemDetailOut:
    me = _me(request)
    svc.item_submit(actor=me, item=sel.item_get_for(me, item_id))
    return _detail(me, item_id)


@router.post("/{item_id}/review", response=LibraryItemDetailOut)
def work_library_review(request: HttpRequest, item_id: int, payload: LibraryReviewIn) -> LibraryItemDetailOut:
    me = _me(request)
    svc.item_review(actor=me, item=sel.item_get_for(me, item_id), decision=payload.decision, note=payload.note)
    return _detail(me, item_id)


def _counts(me: Member, item_id: int, counted: bool) -> LibraryCountOut:
    item = sel.item_get_for(me, item_id)
    return LibraryCountOut(
        counted=counted, liked=bool(sel.liked_ids(me, [item])), like_count=item.like_count, use_count=item.use_count
    )


@router.post("/{item_id}/like", response=LibraryCountOut)
def work_library_like(request: HttpRequest, item_id: int) -> LibraryCountOut:
    """Toggle the caller's like."""
    me = _me(request)
    svc.item_like_toggle(actor=me, item=sel.item_get_for(me, item_id))
    return _counts(me, item_id, False)


@router.post("/{item_id}/use", response=LibraryCountOut)
def work_library_use(request: HttpRequest, item_id: int) -> LibraryCountOut:
    """The caller used (copied) the item; `counted` is false past the daily bound per member and item."""
    me = _me(request)
    counted = svc.item_use(actor=me, item=sel.item_get_for(me, item_id))
    return _counts(me, item_id, counted)


def _case(c: LibraryCase) -> dict[str, object]:
    return {
        "id": c.pk,
        "title": c.title,
        "verdict": c.verdict,
        "topic": c.topic,
        "lesson": c.lesson,
        "status": c.status,
        "author_id": c.author_id,
        "author_name": c.author.name,
        "published_at": c.published_at,
        "created_at": c.created_at,
    }


def _case_detail(me: Member, case_id: int) -> LibraryCaseDetailOut:
    c = sel.case_get_for(me, case_id)
    lines = [
        LibraryCaseLineOut(label=x.label, staff=x.staff, text=x.text, msgtype=x.msgtype, at=x.at)
        for x in sel.case_display(c)
    ]
    return LibraryCaseDetailOut(**_case(c), lines=lines)  # type: ignore[arg-type]
