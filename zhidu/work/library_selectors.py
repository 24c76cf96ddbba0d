"""Reads of the experience library and cases, always through the asking member's scope (`visible_to`).

Lists are bounded and paged by key: newest by id; most used / most liked by (count, id), the key of the last row
shown being "count.id"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Max, Q, QuerySet

from zhidu.compliance.models import ArchiveMessage
from zhidu.core.errors import NotFound
from zhidu.core.periods import day_bounds, local_today
from zhidu.org.models import LEAD_ROLES, Member, work_scope_q

from .library_compliance import LibraryFinding, text_findings
from .library_lines import Line, case_lines, display
from .library_search import matching, tagged
from .models import LibraryCase, LibraryItem, LibraryKind, LibraryLike, LibraryStatus, LibraryTopic

SORTS = {"new": None, "used": "use_count", "liked": "like_count"}
BOXES = ("published", "mine", "review")


@dataclass(frozen=True)
class LibraryQuery:
    q: str = ""
    kind: str = ""
    topic: str = ""
    tag: str = ""
    sort: str = "new"
    box: str = "published"
    after: str = ""  # the key of the last row of the previous page


def _key(value: str, sort: str) -> tuple[int, int] | None:
    """The paging key "count.id" (or "id" when sorted by newest), or None when it is not one."""
    parts = value.split(".")
    if not all(p.isascii() and p.isdigit() and len(p) <= 18 for p in parts):
        return None
    if SORTS.get(sort) is None:
        return (0, int(parts[0])) if len(parts) == 1 else None
    return (int(parts[0]), int(parts[1])) if len(parts) == 2 else None


def row_key(item: LibraryItem, sort: str) -> str:
    field = SORTS.get(sort)
    return str(item.pk) if field is None else f"{getattr(item, field)}.{item.pk}"


def library_page(member: Member, f: LibraryQuery, *, limit: int | None = None) -> list[LibraryItem]:
    """One page of the library: "published" every published item, "mine" the member's own, "review" the pending
    items they may review. Narrowed by the search words (through the index), kind, topic and tag."""
    limit = min(limit or page_size(), 200)
    qs: QuerySet[LibraryItem]
    if f.box == "mine":
        qs = LibraryItem.objects.visible_to(member).filter(author=member)
    elif f.box == "review":
        qs = LibraryItem.objects.reviewable_by(member).filter(status=LibraryStatus.PENDING)
    else:
        qs = LibraryItem.objects.visible_to(member).filter(status=LibraryStatus.PUBLISHED)
    if f.kind in LibraryKind.values:
        qs = qs.filter(kind=f.kind)
    if f.topic in LibraryTopic.values:
        qs = qs.filter(topic=f.topic)
    if f.tag:
        qs = tagged(qs, f.tag)
    qs = matching(qs, f.q)
    field = SORTS.get(f.sort)
    key = _key(f.after, f.sort) if f.after else None
    if field is None:
        if key is not None:
            qs = qs.filter(pk__lt=key[1])
        qs = qs.order_by("-pk")
    else:
        if key is not None:
            qs = qs.filter(Q(**{f"{field}__lt": key[0]}) | Q(**{field: key[0], "pk__lt": key[1]}))
        qs = qs.order_by(f"-{field}", "-pk")
    return list(qs.select_related("author", "product")[:limit])


def pending_count(member: Member) -> int:
    if member.role not in LEAD_ROLES:
        return 0
    return LibraryItem.objects.reviewable_by(member).filter(status=LibraryStatus.PENDING).count()


def item_get_for(member: Member, item_id: int) -> LibraryItem:
    item = (
        LibraryItem.objects.visible_to(member)
        .select_related("author", "product", "reviewed_by")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise NotFound
    return item


def liked_ids(member: Member, items: list[LibraryItem]) -> set[int]:
    return set(
        LibraryLike.objects.filter(member=member, item_id__in=[i.pk for i in items]).values_list("item_id", flat=True)
    )


def item_findings(member: Member, item: LibraryItem) -> list[LibraryFinding]:
    """The compliance findings of an unpublished item, for its author and reviewers (published items passed)."""
    if item.is_published:
        return []
    return text_findings(author=item.author, text=f"{item.title}\n{item.body}")


def sidebar_scripts(member: Member, *, q: str = "", topic: str = "", limit: int = 20) -> list[LibraryItem]:
    """Published scripts for the WeCom sidebar: searched, by topic, most used first."""
    f = LibraryQuery(q=q, kind=LibraryKind.SCRIPT, topic=topic, sort="used")
    return library_page(member, f, limit=limit)


# ------------------------------------------------------------------------------------------------------ cases


def case_page(
    member: Member, *, before: int | None = None, verdict: str = "", limit: int | None = None
) -> list[LibraryCase]:
    limit = min(limit or page_size(), 200)
    qs = LibraryCase.objects.visible_to(member)
    if verdict:
        qs = qs.filter(verdict=verdict)
    if before is not None:
        qs = qs.filter(pk__lt=before)
    return list(qs.select_related("author").order_by("-pk")[:limit])


def case_get_for(member: Member, case_id: int) -> LibraryCase:
    case = LibraryCase.objects.visible_to(member).select_related("author").filter(pk=case_id).first()
    if case is None:
        raise NotFound
    return case


@dataclass(frozen=True)
class ChatRow:
    chat_key: str
    chat_type: str
    last: dt.datetime


def case_members(lead: Member, *, q: str = "") -> list[Member]:
    """The members whose chats `lead` may make cases from (their work scope, themselves excluded), by name."""
    if not lead.is_active or lead.role not in LEAD_ROLES:
        return []
    qs = Member.objects.visible_to(lead).filter(pk__in=work_scope_q(lead)).exclude(pk=lead.pk).active()
    if q:
        qs = qs.filter(name__icontains=q)
    return list(qs.exclude(wecom_userid=None).order_by("name", "pk")[: settings.WORK_LIBRARY_CASE_MEMBERS])


def case_chats(lead: Member, member_id: int | None) -> list[ChatRow]:
    """One member's conversations with a message in the last `WORK_LIBRARY_CASE_DAYS` days, newest first, bounded
    (read through the (member, time) index of the archive, so the size of the whole archive does not matter)."""
    if member_id is None or not lead.is_active or lead.role not in LEAD_ROLES:
        return []
    since, _end = day_bounds(local_today() - dt.timedelta(days=settings.WORK_LIBRARY_CASE_DAYS))
    rows = list(
        ArchiveMessage.objects.visible_to(lead)
        .filter(member_id=member_id, msgtime__gte=int(since.timestamp() * 1000), action="send")
        .values("chat_key", "chat_type")
        .annotate(last=Max("sent_at"))
        .order_by("-last")[: settings.WORK_LIBRARY_CASE_CHATS]
    )
    return [ChatRow(r["chat_key"], r["chat_type"], r["last"]) for r in rows]


def page_size() -> int:
    return min(settings.WORK_LIBRARY_PAGE_SIZE, 200)


def case_display(case: LibraryCase) -> list[Line]:
    return display(case.messages)


def chat_preview(messages: list[ArchiveMessage]) -> list[Line]:
    """A conversation as a case would store it (masked, by role), each line with its message id to choose from."""
    return display(case_lines(messages), [m.pk for m in messages])
