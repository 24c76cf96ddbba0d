"""REST endpoints for regulations, mounted at /api/policies/."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.http import HttpRequest
from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from zhidu.core.errors import DomainError, NotFound
from zhidu.core.schemas import FreeText, Id, PageIn, Text, paginate
from zhidu.core.text import SOURCE_MAX, clean_text
from zhidu.core.text import model_max_length as _max
from zhidu.org.models import Member

from . import selectors, services
from .models import EDITOR_ROLES, Article, Item, Policy, PolicyVersion

router = Router(tags=["policies"])


class VersionBrief(Schema):
    id: int
    number: int
    title: str
    status: str
    shape: str = "articles"  # articles (第X条), decimal (1., 4.1) or prose (paragraphs)
    effective_date: dt.date | None = None
    published_at: dt.datetime | None = None


class PolicyOut(Schema):
    id: int
    code: str
    title: str
    current_version: VersionBrief | None = None  # in force today, else the first announced
    in_force: VersionBrief | None = None
    upcoming: VersionBrief | None = None  # published, not yet in force (see its effective_date)
    versions: list[VersionBrief]


class ItemOut(Schema):
    id: int
    number: int
    label: str
    text: str
    citation: str
    key: str


class ArticleOut(Schema):
    id: int
    number: int
    label: str  # 第七条, or 4.1 / 第3段 in a regulation numbered by sections or paragraphs
    title: str
    text: str
    closing_text: str
    citation: str
    key: str
    items: list[ItemOut]


class ChapterOut(Schema):
    number: int | None
    title: str
    articles: list[ArticleOut]


class VersionOut(VersionBrief):
    policy_code: str
    preamble: str
    chapters: list[ChapterOut]
    acknowledged: bool


class CommentIn(Schema):
    text: FreeText


class CommentOut(Schema):
    id: int
    member: str
    text: str
    created_at: dt.datetime


class ArticleDetailOut(ArticleOut):
    version_id: int
    version_status: str
    comments: list[CommentOut]


class AckOut(Schema):
    version_id: int
    at: dt.datetime
    created: bool


class MemberBrief(Schema):
    id: int
    name: str
    department: str


class PublishIn(Schema):
    effective_date: dt.date
    reason: FreeText = ""


class ImportOut(Schema):
    title: str
    shape: str  # how the document is numbered: articles (第X条), decimal (1., 4.1) or prose (paragraphs)
    chapters: int
    articles: int
    items: int
    dry_run: bool
    warnings: list[str]
    outline: list[dict]
    policy: str | None = None
    version_id: int | None = None
    version: int | None = None


class ResolveOut(Schema):
    key: str
    citation: str
    article_id: int
    item_id: int | None = None
    text: str


class TemplateOut(Schema):
    slug: str
    title: str
    shape: str  # articles (第X条), decimal (1., 4.1) or prose (paragraphs)
    summary: str
    chapters: int
    articles: int
    items: int
    outline: list[dict]  # chapters with their clauses (number, label, title, items)
    adopted: str | None = None  # the code of the regulation adopted from it, when there is one


class AdoptIn(Schema):
    title: Annotated[str, Text(_max(Policy, "title"))] = ""  # default: the template's title
    code: Annotated[str, Text(_max(Policy, "code"))] = ""  # default: the template's slug


class TextIn(Schema):
    text: Annotated[str, Text(SOURCE_MAX, min_length=1)]
    title: Annotated[str, Text(_max(Policy, "title"))] = ""  # blank: keep the version's title


class TextOut(VersionBrief):
    policy_code: str
    template: str
    chapters: int
    articles: int
    items: int
    warnings: list[str]


def _me(request: HttpRequest) -> Member:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _brief(v: PolicyVersion) -> VersionBrief:
    return VersionBrief(
        id=v.pk,
        number=v.number,
        title=v.title,
        status=v.status,
        shape=v.shape,
        effective_date=v.effective_date,
        published_at=v.published_at,
    )


def _item(i: Item) -> ItemOut:
    return ItemOut(id=i.pk, number=i.number, label=i.label, text=i.text, citation=i.citation, key=i.key)


def _article(a: Article) -> dict:
    return {
        "id": a.pk,
        "number": a.number,
        "label": a.label,
        "title": a.title,
        "text": a.text,
        "closing_text": a.closing_text,
        "citation": a.citation,
        "key": a.key,
        "items": [_item(i) for i in a.items.all()],
    }


@router.get("/", response=list[PolicyOut])
def list_policies(request: HttpRequest, page: Query[PageIn]) -> list[PolicyOut]:
    policies = paginate(selectors.policy_list(viewer=_me(request)), page)
    return [
        PolicyOut(
            id=p.pk,
            code=p.code,
            title=p.title,
            versions=[_brief(v) for v in p.visible_versions],  # type: ignore[attr-defined]
            current_version=_brief(c) if (c := p.in_force or p.upcoming) else None,  # type: ignore[attr-defined]
            in_force=_brief(p.in_force) if p.in_force else None,  # type: ignore[attr-defined]
            upcoming=_brief(p.upcoming) if p.upcoming else None,  # type: ignore[attr-defined]
        )
        for p in policies
    ]


@router.get("/resolve", response=ResolveOut)
def resolve(request: HttpRequest, key: str) -> ResolveOut:
    found = selectors.article_resolve_for(_me(request), key)
    if found is None:
        raise NotFound
    return ResolveOut(
        key=found.key,
        citation=found.citation,
        article_id=found.article.pk,
        text=found.text,
        item_id=found.item.pk if found.item is not None else None,
    )


@router.get("/versions/{version_id}", response=VersionOut)
def get_version(request: HttpRequest, version_id: int) -> VersionOut:
    version = selectors.version_get_for(_me(request), version_id)
    chapters = [
        ChapterOut(
            number=g.chapter.number if g.chapter else None,
            title=g.chapter.title if g.chapter else "",
            articles=[ArticleOut(**_article(a)) for a in g.articles],
        )
        for g in selectors.version_outline(version)
    ]
    ack = selectors.acknowledgement_of(_me(request), version)
    return VersionOut(
        **_brief(version).dict(),
        policy_code=version.policy.code,
        preamble=version.preamble,
        chapters=chapters,
        acknowledged=ack is not None,
    )


@router.get("/articles/{article_id}", response=ArticleDetailOut)
def get_article(request: HttpRequest, article_id: int) -> ArticleDetailOut:
    article = selectors.article_get_for(_me(request), article_id)
    comments = [
        CommentOut(id=c.pk, member=c.member.name, text=c.text, created_at=c.created_at)
        for c in selectors.comment_list(viewer=_me(request), article=article)
    ]
    return ArticleDetailOut(
        **_article(article), version_id=article.version_id, version_status=article.version.status, comments=comments
    )


@router.post("/articles/{article_id}/comments", response={201: CommentOut})
def add_comment(request: HttpRequest, article_id: int, payload: CommentIn) -> Status[CommentOut]:
    article = selectors.article_get_for(_me(request), article_id)
    c = services.comment_add(actor=_me(request), article=article, text=payload.text)
    return Status(201, CommentOut(id=c.pk, member=c.member.name, text=c.text, created_at=c.created_at))


@router.post("/versions/{version_id}/acknowledge", response=AckOut)
def acknowledge(request: HttpRequest, version_id: int) -> AckOut:
    version = selectors.version_get_for(_me(request), version_id)
    ack, created = services.version_acknowledge(actor=_me(request), version=version)
    return AckOut(version_id=version.pk, at=ack.at, created=created)


@router.get("/versions/{version_id}/unacknowledged", response=list[MemberBrief])
def unacknowledged(request: HttpRequest, version_id: int, page: Query[PageIn]) -> list[MemberBrief]:
    version = selectors.version_get_for(_me(request), version_id)
    members = paginate(selectors.version_unacknowledged(viewer=_me(request), version=version), page)
    return [MemberBrief(id=m.pk, name=m.name, department=m.department.name) for m in members]


@router.post("/import", response={200: ImportOut, 201: ImportOut})
def import_policy(
    request: HttpRequest,
    file: File[UploadedFile],
    title: Annotated[str, Text(_max(Policy, "title")), Form("")] = "",  # Form(""): the default survives
    code: Annotated[str, Text(_max(Policy, "code")), Form("")] = "",
    dry_run: Form[bool] = False,
    document: Form[Id | None] = None,
) -> Status[ImportOut]:
    if _me(request).role not in EDITOR_ROLES:
        raise DomainError(services.ERR_FORBIDDEN, code="forbidden")
    parsed, text, fmt = services.parse_upload(file.read(), file.name or "", title=title, document=document)
    clean_text(text, field="file", max_length=SOURCE_MAX)
    clean_text(file.name or "", field="file", max_length=_max(PolicyVersion, "source_name"))
    n = parsed.counts()
    out = ImportOut(
        title=parsed.title,
        shape=parsed.shape,
        chapters=n["chapters"],
        articles=n["articles"],
        items=n["items"],
        dry_run=dry_run,
        warnings=parsed.warnings,
        outline=parsed.outline(),
    )
    if dry_run:
        return Status(200, out)
    version = services.policy_import(
        actor=_me(request),
        parsed=parsed,
        source=text,
        source_name=file.name or "",
        source_format=fmt,
        code=code,
        title=title,
    )
    out.policy, out.version_id, out.version = version.policy.code, version.pk, version.number
    return Status(201, out)


@router.post("/versions/{version_id}/discussion", response=VersionBrief)
def open_discussion(request: HttpRequest, version_id: int) -> VersionBrief:
    version = selectors.version_get_for(_me(request), version_id)
    return _brief(services.version_open_discussion(actor=_me(request), version=version))


@router.post("/versions/{version_id}/approve", response=VersionBrief)
def approve(request: HttpRequest, version_id: int, reason: FreeText = "") -> VersionBrief:
    """Approve a version in discussion; an optional note as `?reason=`."""
    version = selectors.version_get_for(_me(request), version_id)
    return _brief(services.version_approve(actor=_me(request), version=version, reason=reason))


@router.post("/versions/{version_id}/publish", response=VersionBrief)
def publish(request: HttpRequest, version_id: int, payload: PublishIn) -> VersionBrief:
    version = selectors.version_get_for(_me(request), version_id)
    me = _me(request)
    return _brief(
        services.version_publish(
            actor=me, version=version, effective_date=payload.effective_date, reason=payload.reason
        )
    )


@router.get("/library", response=list[TemplateOut])
def library(request: HttpRequest) -> list[TemplateOut]:
    """The regulation library (members who may create regulations)."""
    return [
        TemplateOut(
            slug=e.template.slug,
            title=e.template.title,
            shape=e.parsed.shape,
            summary=e.template.summary,
            outline=e.parsed.outline(),
            adopted=e.adopted.code if e.adopted is not None else None,
            **e.parsed.counts(),
        )
        for e in selectors.library_list(viewer=_me(request))
    ]


@router.post("/library/{slug}/adopt", response={201: TextOut})
def adopt(request: HttpRequest, slug: str, payload: AdoptIn) -> Status[TextOut]:
    """Adopt a template as a new draft (a new version of the regulation with that code when it exists). The body
    may be `{}`: title and code default to the template's."""
    version = services.template_adopt(actor=_me(request), slug=slug, title=payload.title, code=payload.code)
    return Status(201, _text_out(version))


@router.put("/versions/{version_id}/text", response=TextOut)
def edit_text(request: HttpRequest, version_id: int, payload: TextIn) -> TextOut:
    """Replace a draft's source text; its articles are read again (400 naming the line when it cannot be)."""
    version = selectors.version_get_for(_me(request), version_id)
    return _text_out(
        services.version_edit_text(actor=_me(request), version=version, text=payload.text, title=payload.title)
    )


def _text_out(version: PolicyVersion) -> TextOut:
    return TextOut(
        **_brief(version).dict(),
        policy_code=version.policy.code,
        template=version.template,
        chapters=version.chapters.count(),
        articles=version.articles.count(),
        items=Item.objects.filter(article__version=version).count(),
        warnings=version.warnings,
    )
