"""Reads of regulations, through the asking member's scope; plus `article_resolve` for citations."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from zhidu.core.errors import DomainError, NotFound
from zhidu.core.periods import local_today
from zhidu.org.models import Member, MemberStatus, Role, work_scope_q

from .library import Template, template_get, templates
from .models import (
    ACK_REPORT_ROLES,
    EDITOR_ROLES,
    Acknowledgement,
    Article,
    Chapter,
    Comment,
    Item,
    Policy,
    PolicyNotice,
    PolicyVersion,
    VersionStatus,
    role_in,
    version_in_force,
    versions_upcoming,
)
from .parser import ParsedRegulation, int_to_cn
from .services import ERR_FORBIDDEN

_KEY_RE = re.compile(r"^\s*(?P<code>[a-z0-9][a-z0-9-]*)#(?P<article>\d+)(?:\.(?P<item>\d+))?\s*$")


def parse_key(key: str) -> tuple[str, int, int | None] | None:
    """'sales-conduct#17.1' → ('sales-conduct', 17, 1); 'sales-conduct#19' → ('sales-conduct', 19, None)."""
    m = _KEY_RE.match(key or "")
    if not m:
        return None
    item = m.group("item")
    return m.group("code"), int(m.group("article")), int(item) if item is not None else None


__all__ = ["version_in_force", "versions_upcoming"]  # re-exported: the version in force is a read


def version_for_citation(code: str, *, published_only: bool = False) -> PolicyVersion | None:
    """The version of regulation `code` in force today; else the first one announced; else (unless
    `published_only`) its latest version, whatever its state."""
    policy = Policy.objects.filter(code=code).first()
    if policy is None:
        return None
    found = version_in_force(policy) or next(iter(versions_upcoming(policy)), None)
    if found is not None or published_only:
        return found
    return policy.versions.select_related("policy").order_by("-number").first()


def article_resolve(key: str, *, published_only: bool = False) -> Article | Item | None:
    """Resolve an article key against the version in force today (fallback: first announced, then latest version).

    'sales-conduct#19'   → Article, `.citation` == 《销售团队管理制度》第十九条
    'sales-conduct#17.1' → Item,    `.citation` == 《销售团队管理制度》第十七条第（一）项
    Both have `.citation`, `.key`, `.text`, `.article` (the Article) and `.item` (the Item or None).
    Unknown regulation, article or item → None. Not scoped: for the system's own citations. What every member may
    read later (a violation's citation, written by the compliance scan) passes `published_only=True`, so it never
    carries a draft's title or numbering; anything shown to a member on request goes through
    `article_resolve_for`, which never falls back to a version they may not read.
    """
    parsed = parse_key(key)
    if parsed is None:
        return None
    code, article_no, item_no = parsed
    return _resolve_in(version_for_citation(code, published_only=published_only), article_no, item_no)


def article_resolve_for(viewer: Member, key: str) -> Article | Item | None:
    """`article_resolve` through the viewer's scope: the version in force, else the first announced, else the latest
    version the viewer may read (editors and approvers may still land on a draft; other members never do)."""
    parsed = parse_key(key)
    if parsed is None:
        return None
    code, article_no, item_no = parsed
    policy = Policy.objects.visible_to(viewer).filter(code=code).first()
    if policy is None:
        return None
    try:
        version = policy_default_version(viewer, policy)
    except NotFound:
        return None
    return _resolve_in(version, article_no, item_no)


def _resolve_in(version: PolicyVersion | None, article_no: int, item_no: int | None) -> Article | Item | None:
    if version is None:
        return None
    article = Article.objects.filter(version=version, number=article_no).select_related("version__policy").first()
    if article is None:
        return None
    article.version = version
    if item_no is None:
        return article
    item = Item.objects.filter(article=article, number=item_no).first()
    if item is None:
        return None
    item.article = article
    return item


_SPACES = re.compile(r"\s+")


def clause_label_norm(label: str) -> str:
    """A clause label without spaces and with ASCII parentheses made full-width: 第七条第（二）项, 4.1第2点."""
    return _SPACES.sub("", label or "").replace("(", "（").replace(")", "）")


def version_clauses(version: PolicyVersion) -> list[Article | Item]:
    """Every citable clause of `version` in reading order: each article, then its items (2 queries)."""
    out: list[Article | Item] = []
    articles = Article.objects.filter(version=version).order_by("order").prefetch_related("items")
    for article in articles:
        article.version = version
        out.append(article)
        for item in article.items.all():
            item.article = article
            out.append(item)
    return out


def clause_label(clause: Article | Item) -> str:
    """The label of a clause inside its regulation: 第七条, 第七条第（二）项, 4.1 第2点, 第3段."""
    if isinstance(clause, Item):
        article = clause.article.label
        return f"{article}{' ' if article[-1:].isdigit() else ''}{clause.item_label}"
    return clause.label


def clause_resolve(version: PolicyVersion, label: str) -> Article | Item | None:
    """The clause of `version` a label names ("第七条", "第七条第（二）项", "4.1 第2点", "第3段"), or None.
    Spaces and the width of parentheses do not matter."""
    wanted = clause_label_norm(label)
    if not wanted:
        return None
    return next((c for c in version_clauses(version) if clause_label_norm(clause_label(c)) == wanted), None)


def citation_for(key: str) -> str | None:
    """The citation string for an article key, or None when it does not resolve."""
    found = article_resolve(key)
    return found.citation if found is not None else None


# ---------------------------------------------------------------------------------------------------------------
# Lists and pages


def policy_list(*, viewer: Member) -> list[Policy]:
    """Regulations the viewer may see, each with `visible_versions` (newest first), `in_force` (the version in force
    today or None) and `upcoming` (the next published version not yet in force, or None)."""
    versions = PolicyVersion.objects.visible_to(viewer).order_by("-number")
    policies = list(
        Policy.objects.visible_to(viewer)
        .select_related("current_version")
        .prefetch_related(Prefetch("versions", queryset=versions, to_attr="visible_versions"))
        .order_by("code")
    )
    today = local_today()
    for p in policies:
        published = [v for v in p.visible_versions if v.status == VersionStatus.PUBLISHED]  # type: ignore[attr-defined]
        due = [v for v in published if v.effective_date is not None and v.effective_date <= today]
        ahead = [v for v in published if v.effective_date is not None and v.effective_date > today]
        p.in_force = max(due, key=lambda v: v.number, default=None)  # type: ignore[attr-defined]
        p.upcoming = min(ahead, key=lambda v: (v.effective_date, v.number), default=None)  # type: ignore[attr-defined]
    return policies


def policy_get_for(viewer: Member, code: str) -> Policy:
    try:
        return Policy.objects.visible_to(viewer).select_related("current_version").get(code=code)
    except (Policy.DoesNotExist, ValueError, TypeError):
        raise NotFound from None


def policy_default_version(viewer: Member, policy: Policy) -> PolicyVersion:
    """The version a member should read: the one in force, else the first announced, else the latest they may see."""
    visible = PolicyVersion.objects.visible_to(viewer).filter(policy=policy)
    version = (
        version_in_force(policy)
        or next(iter(versions_upcoming(policy)), None)
        or visible.select_related("policy").order_by("-number").first()
    )
    if version is None:
        raise NotFound
    return version


def version_get_for(viewer: Member, version_id: int) -> PolicyVersion:
    try:
        return PolicyVersion.objects.visible_to(viewer).select_related("policy").get(pk=version_id)
    except (PolicyVersion.DoesNotExist, ValueError, TypeError):
        raise NotFound from None


def article_get_for(viewer: Member, article_id: int) -> Article:
    try:
        return (
            Article.objects.filter(version__in=PolicyVersion.objects.visible_to(viewer))
            .select_related("version__policy", "chapter")
            .prefetch_related("items")
            .get(pk=article_id)
        )
    except (Article.DoesNotExist, ValueError, TypeError):
        raise NotFound from None


@dataclass
class ChapterOutline:
    chapter: Chapter | None
    articles: list[Article]


def version_outline(version: PolicyVersion) -> list[ChapterOutline]:
    """Chapters in order with their articles (items and comment counts prefetched); loose articles first."""
    articles = list(
        version.articles.select_related("chapter")
        .prefetch_related("items")
        .annotate(comment_count=Count("comments"))
        .order_by("order")
    )
    for article in articles:
        article.version = version
    chapters = list(version.chapters.order_by("order"))
    by_chapter: dict[int | None, list[Article]] = {}
    for article in articles:
        by_chapter.setdefault(article.chapter_id, []).append(article)
    out = [ChapterOutline(None, by_chapter[None])] if by_chapter.get(None) else []
    out.extend(ChapterOutline(c, by_chapter.get(c.pk, [])) for c in chapters)
    return out


def comment_list(*, viewer: Member, article: Article) -> list[Comment]:
    return list(Comment.objects.visible_to(viewer).filter(article=article).select_related("member"))


def acknowledgement_of(member: Member, version: PolicyVersion) -> Acknowledgement | None:
    return Acknowledgement.objects.filter(version=version, member=member).first()


def _ack_scope(viewer: Member) -> QuerySet[Member]:
    if not viewer.is_active or viewer.role not in ACK_REPORT_ROLES:
        raise DomainError(ERR_FORBIDDEN, code="forbidden")
    members = Member.objects.filter(status=MemberStatus.ACTIVE)
    if viewer.role in (Role.DIRECTOR, Role.COMPLIANCE, Role.ADMIN):
        return members
    return members.filter(pk__in=work_scope_q(viewer))


def version_unacknowledged(*, viewer: Member, version: PolicyVersion) -> QuerySet[Member]:
    """Active members who have not acknowledged `version`: a lead sees their scope; director/admin/compliance all.
    A queryset, so callers bound it (a whole company is thousands of members).

    Other roles get DomainError(code="forbidden").
    """
    scope = _ack_scope(viewer)
    return (
        scope.exclude(policy_acknowledgements__version=version)
        .select_related("department")
        .order_by("department_id", "name", "pk")
    )


def pending_acknowledgements(member: Member) -> list[PolicyVersion]:
    """Published versions (in force or announced) the member has not acknowledged yet."""
    if not member.is_active:
        return []
    return list(
        PolicyVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .exclude(acknowledgements__member=member)
        .select_related("policy")
    )


def notice_list(*, viewer: Member, limit: int = 10) -> list[PolicyNotice]:
    return list(
        PolicyNotice.objects.visible_to(viewer)
        .filter(Q(version__status=VersionStatus.PUBLISHED) | Q(version__status=VersionStatus.SUPERSEDED))
        .select_related("version__policy")[:limit]
    )


# ---------------------------------------------------------------------------------------------------------------
# The regulation library


@dataclass
class LibraryEntry:
    template: Template
    parsed: ParsedRegulation  # the template's text, parsed (its outline is the preview)
    adopted: Policy | None  # the regulation with the template's slug as its code, when there is one

    @property
    def preview(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """(chapter heading or "", [(clause label, its title or the start of its text)]) in reading order."""
        chapters: dict[int, tuple[str, list[tuple[str, str]]]] = {
            c.number: (f"第{int_to_cn(c.number)}章 {c.title}".strip(), []) for c in self.parsed.chapters
        }
        loose: tuple[str, list[tuple[str, str]]] = ("", [])
        for a in self.parsed.articles:
            label = a.label or f"第{int_to_cn(a.number)}条"
            text = a.title or (a.text or (a.items[0].text if a.items else "")).split("\n")[0]
            snippet = text if len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS] + "…"
            chapters.get(a.chapter or 0, loose)[1].append((label, snippet))
        return ([loose] if loose[1] else []) + list(chapters.values())


PREVIEW_CHARS = 40  # of a clause's text in the library's preview


def _library_access(viewer: Member) -> None:
    """The library is for members who may create regulations (EDITOR_ROLES)."""
    if not role_in(viewer, EDITOR_ROLES):
        raise DomainError(ERR_FORBIDDEN, code="forbidden")


def library_list(*, viewer: Member) -> list[LibraryEntry]:
    """Every template of the library with its parsed text and the regulation adopted from it (one query)."""
    _library_access(viewer)
    found = templates()
    policies = Policy.objects.visible_to(viewer).filter(code__in=[t.slug for t in found])
    adopted = {p.code: p for p in policies}
    return [LibraryEntry(t, t.parsed(), adopted.get(t.slug)) for t in found]


def library_get(*, viewer: Member, slug: str) -> LibraryEntry:
    _library_access(viewer)
    template = template_get(slug)
    if template is None:
        raise NotFound
    return LibraryEntry(template, template.parsed(), Policy.objects.visible_to(viewer).filter(code=slug).first())
