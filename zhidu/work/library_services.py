"""Writes of the experience library: write, edit, submit, review (approve / reject), like, use; and cases.

Every text goes through the compliance check (`library_compliance.text_findings`) when it is submitted (or a
published item is edited, which sends it back to review) and again when a lead approves it: a text with a finding
is refused with the rule and the regulation clause it breaks, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from zhidu.compliance.models import ArchiveMessage
from zhidu.core.audit import audit_record, snapshot
from zhidu.core.errors import DomainError
from zhidu.core.notifications import notify
from zhidu.core.periods import local_today
from zhidu.core.text import clean_text, model_max_length
from zhidu.org.models import LEAD_ROLES, Member
from zhidu.sales.models import Product

from . import errors as E
from .library_compliance import LibraryFinding, text_findings
from .library_lines import case_lines
from .library_search import index_item
from .models import (
    CaseStatus,
    CaseVerdict,
    LibraryCase,
    LibraryItem,
    LibraryKind,
    LibraryLike,
    LibraryStatus,
    LibraryTopic,
    LibraryUse,
)

TAG_MAX_LENGTH = 20
AUDITED = ["status", "title", "kind", "topic", "product", "tags", "reviewed_by"]
NOT_BACKED = gettext_noop("not backed by a regulation in force")


class Decision:
    APPROVE = "approve"
    REJECT = "reject"
    ALL = (APPROVE, REJECT)


class LibraryBlocked(DomainError):
    """The text breaks a compliance rule; `findings` lists every rule it breaks."""

    def __init__(self, findings: list[LibraryFinding]) -> None:
        f = findings[0]
        super().__init__(
            E.ERR_LIBRARY_BLOCKED,
            code="conflict",
            field="body",
            rule=gettext(f.rule_name),  # a built-in rule's name is in the catalogue (compliance.rule_names)
            citation=f.citation or gettext(NOT_BACKED),
            matched=f.matched,
        )
        self.findings = findings


def _clean(
    *, kind: str, topic: str, title: str, body: str, tags: Sequence[str], product_id: int | None
) -> dict[str, object]:
    title = clean_text(title, field="title", max_length=model_max_length(LibraryItem, "title")).strip()
    body = clean_text(body, field="body", max_length=settings.WORK_LIBRARY_BODY_MAX).strip()
    if not title:
        raise DomainError(E.ERR_LIBRARY_TITLE, field="title")
    if not body:
        raise DomainError(E.ERR_LIBRARY_BODY, field="body")
    if kind not in LibraryKind.values:
        raise DomainError(E.ERR_LIBRARY_KIND, field="kind")
    if topic not in LibraryTopic.values:
        raise DomainError(E.ERR_LIBRARY_TOPIC, field="topic")
    cleaned: list[str] = []
    for tag in tags:
        tag = clean_text(str(tag), field="tags", max_length=TAG_MAX_LENGTH).strip().lstrip("#")
        if tag and tag not in cleaned:
            cleaned.append(tag)
    if len(cleaned) > settings.WORK_LIBRARY_TAGS_MAX or any(len(t) > TAG_MAX_LENGTH for t in cleaned):
        raise DomainError(E.ERR_LIBRARY_TAGS, field="tags", max=settings.WORK_LIBRARY_TAGS_MAX, length=TAG_MAX_LENGTH)
    product = None
    if product_id is not None:
        product = Product.objects.filter(pk=product_id, active=True).first()
        if product is None:
            raise DomainError(E.ERR_LIBRARY_PRODUCT, field="product")
    return {"kind": kind, "topic": topic, "title": title, "body": body, "tags": cleaned, "product": product}


def parse_tags(text: str) -> list[str]:
    """Tags typed in one box, separated by commas, 、, spaces or #."""
    for sep in ("，", "、", "#", "＃", " ", "\u3000"):
        text = text.replace(sep, ",")
    return [t for t in (x.strip() for x in text.split(",")) if t]


def _check(author: Member, data: dict[str, object]) -> None:
    findings = text_findings(author=author, text=f"{data['title']}\n{data['body']}")
    if findings:
        raise LibraryBlocked(findings)


def reviewers_of(author: Member) -> list[int]:
    """Who is told of a submission: the first active lead up the author's reporting line."""
    seen: set[int] = {author.pk}
    lead = author.reports_to
    while lead is not None and lead.pk not in seen:
        seen.add(lead.pk)
        if lead.is_active and lead.role in LEAD_ROLES:
            return [lead.pk]
        lead = lead.reports_to
    return []


def _notify_reviewers(item: LibraryItem) -> None:
    notify(
        member_ids=reviewers_of(item.author),
        title=gettext("A library item awaits your review"),
        body=item.title,
        url=reverse("work:library_item", args=[item.pk]),
        dedupe_key=f"library:{item.pk}:pending:{item.updated_at.timestamp():.0f}",
    )


def item_create(
    *,
    actor: Member,
    kind: str,
    topic: str,
    title: str,
    body: str,
    tags: Sequence[str] = (),
    product_id: int | None = None,
    submit: bool = False,
) -> LibraryItem:
    """A new draft; with `submit`, straight to review (after the compliance check)."""
    if not actor.is_active:
        raise DomainError(E.ERR_LIBRARY_INACTIVE, code="forbidden")
    data = _clean(kind=kind, topic=topic, title=title, body=body, tags=tags, product_id=product_id)
    if submit:
        _check(actor, data)
    with transaction.atomic():
        item = LibraryItem.objects.create(
            author=actor,
            department_id=actor.department_id,
            status=LibraryStatus.PENDING if submit else LibraryStatus.DRAFT,
            **data,  # type: ignore[arg-type]
        )
        index_item(item)
        audit_record(actor=actor, verb="library.create", target=item, after=snapshot(item, AUDITED))
        if submit:
            _notify_reviewers(item)
    return item


def _locked_own(actor: Member, item: LibraryItem) -> LibraryItem:
    locked = LibraryItem.objects.select_for_update().get(pk=item.pk)
    if locked.author_id != actor.pk or not actor.is_active:
        raise DomainError(E.ERR_LIBRARY_NOT_AUTHOR, code="forbidden")
    return locked


def item_edit(
    *,
    actor: Member,
    item: LibraryItem,
    kind: str,
    topic: str,
    title: str,
    body: str,
    tags: Sequence[str] = (),
    product_id: int | None = None,
) -> LibraryItem:
    """The author changes the item. A published or pending item goes (back) to review, after the compliance
    check; a draft stays a draft and a rejected item becomes a draft again."""
    data = _clean(kind=kind, topic=topic, title=title, body=body, tags=tags, product_id=product_id)
    with transaction.atomic():
        it = _locked_own(actor, item)
        before = snapshot(it, AUDITED)
        to_review = it.status in (LibraryStatus.PUBLISHED, LibraryStatus.PENDING)
        if to_review:
            _check(actor, data)
        for key, value in data.items():
            setattr(it, key, value)
        it.status = LibraryStatus.PENDING if to_review else LibraryStatus.DRAFT
        it.save()
        index_item(it)
        audit_record(actor=actor, verb="library.edit", target=it, before=before, after=snapshot(it, AUDITED))
        if to_review:
            _notify_reviewers(it)
    return it


def item_submit(*, actor: Member, item: LibraryItem) -> LibraryItem:
    """The author sends a draft (or a rejected item) to review, after the compliance check."""
    with transaction.atomic():
        it = _locked_own(actor, item)
        if it.status not in (LibraryStatus.DRAFT, LibraryStatus.REJECTED):
            raise DomainError(E.ERR_LIBRARY_NOT_DRAFT, code="conflict")
        _check(actor, {"title": it.title, "body": it.body})
        before = snapshot(it, AUDITED)
        it.status = LibraryStatus.PENDING
        it.save(update_fields=["status", "updated_at"])
        audit_record(actor=actor, verb="library.submit", target=it, before=before, after=snapshot(it, AUDITED))
        _notify_reviewers(it)
    return it


def can_review(actor: Member, item: LibraryItem) -> bool:
    return LibraryItem.objects.reviewable_by(actor).filter(pk=item.pk).exists()


def item_review(*, actor: Member, item: LibraryItem, decision: str, note: str = "") -> LibraryItem:
    """A lead whose scope holds the author approves (with an optional note; the compliance check runs again) or
    rejects (with a reason) a pending item."""
    if decision not in Decision.ALL:
        raise DomainError(E.ERR_LIBRARY_DECISION, field="decision")
    note = clean_text(note, field="note", max_length=2000).strip()
    with transaction.atomic():
        it = LibraryItem.objects.select_for_update().select_related("author").get(pk=item.pk)
        if not can_review(actor, it):
            raise DomainError(E.ERR_LIBRARY_NOT_REVIEWER, code="forbidden")
        if it.status != LibraryStatus.PENDING:
            raise DomainError(E.ERR_LIBRARY_NOT_PENDING, code="conflict")
        if decision == Decision.REJECT and not note:
            raise DomainError(E.ERR_LIBRARY_REASON, field="note")
        if decision == Decision.APPROVE:
            _check(it.author, {"title": it.title, "body": it.body})
        before = snapshot(it, AUDITED)
        now = timezone.now()
        it.status = LibraryStatus.PUBLISHED if decision == Decision.APPROVE else LibraryStatus.REJECTED
        it.review_note, it.reviewed_by, it.reviewed_at = note, actor, now
        if decision == Decision.APPROVE:
            it.published_at = now
        it.save(update_fields=["status", "review_note", "reviewed_by", "reviewed_at", "published_at", "updated_at"])
        audit_record(
            actor=actor, verb=f"library.{decision}", target=it, before=before, after=snapshot(it, AUDITED), reason=note
        )
        notify(
            member_ids=[it.author_id],
            title=gettext("Your library item is published")
            if decision == Decision.APPROVE
            else gettext("Your library item was rejected"),
            body=note or it.title,
            url=reverse("work:library_item", args=[it.pk]),
        )
    return it


def _published_for(actor: Member, item: LibraryItem) -> LibraryItem:
    if not actor.is_active:
        raise DomainError(E.ERR_LIBRARY_INACTIVE, code="forbidden")
    it = LibraryItem.objects.select_for_update().get(pk=item.pk)
    if not it.is_published:
        raise DomainError(E.ERR_LIBRARY_NOT_PUBLISHED, code="conflict")
    return it


def item_like_toggle(*, actor: Member, item: LibraryItem) -> bool:
    """Like a published item, or take the like back. Returns whether the member now likes it."""
    with transaction.atomic():
        it = _published_for(actor, item)
        deleted, _rows = LibraryLike.objects.filter(item=it, member=actor).delete()
        liked = not deleted
        if liked:
            LibraryLike.objects.create(item=it, member=actor)
        LibraryItem.objects.filter(pk=it.pk).update(like_count=F("like_count") + (1 if liked else -1))
        audit_record(actor=actor, verb="library.like" if liked else "library.unlike", target=it)
    return liked


def item_use(*, actor: Member, item: LibraryItem) -> bool:
    """A member used (copied) a published item. Counted at most `WORK_LIBRARY_USES_PER_DAY` times per member,
    item and day (more copies are fine, they just do not count). Returns whether this use counted."""
    with transaction.atomic():
        it = _published_for(actor, item)
        day = local_today()
        try:
            with transaction.atomic():
                use, _created = LibraryUse.objects.select_for_update().get_or_create(item=it, member=actor, day=day)
        except IntegrityError:  # a concurrent first use of the day
            use = LibraryUse.objects.select_for_update().get(item=it, member=actor, day=day)
        if use.count >= settings.WORK_LIBRARY_USES_PER_DAY:
            return False
        LibraryUse.objects.filter(pk=use.pk).update(count=F("count") + 1)
        LibraryItem.objects.filter(pk=it.pk).update(use_count=F("use_count") + 1)
        audit_record(actor=actor, verb="library.use", target=it)
    return True


# ------------------------------------------------------------------------------------------------------ cases


def case_messages(actor: Member, chat_key: str) -> list[ArchiveMessage]:
    """The latest messages (oldest first) of a conversation the lead may read, at most `WORK_LIBRARY_CASE_MESSAGES`."""
    if not actor.is_active or actor.role not in LEAD_ROLES or not chat_key:
        return []
    rows = list(
        ArchiveMessage.objects.visible_to(actor)
        .filter(chat_key=chat_key, action="send")
        .order_by("-msgtime", "-id")[: settings.WORK_LIBRARY_CASE_MESSAGES]
    )
    return rows[::-1]


def case_create(
    *,
    actor: Member,
    chat_key: str,
    first_id: int,
    last_id: int,
    verdict: str,
    title: str,
    lesson: str,
    topic: str = LibraryTopic.OTHER,
) -> LibraryCase:
    """A lead makes a draft case of the messages `first_id`..`last_id` of a conversation they may read."""
    if not actor.is_active or actor.role not in LEAD_ROLES:
        raise DomainError(E.ERR_CASE_NOT_LEAD, code="forbidden")
    title = clean_text(title, field="title", max_length=model_max_length(LibraryCase, "title")).strip()
    lesson = clean_text(lesson, field="lesson", max_length=settings.WORK_LIBRARY_BODY_MAX).strip()
    if not title:
        raise DomainError(E.ERR_CASE_TITLE, field="title")
    if not lesson:
        raise DomainError(E.ERR_CASE_LESSON, field="lesson")
    if verdict not in CaseVerdict.values:
        raise DomainError(E.ERR_CASE_VERDICT, field="verdict")
    if topic not in LibraryTopic.values:
        raise DomainError(E.ERR_LIBRARY_TOPIC, field="topic")
    chat = case_messages(actor, chat_key)
    ids = [m.pk for m in chat]
    maximum = settings.WORK_LIBRARY_CASE_MAX_LINES
    if first_id not in ids or last_id not in ids or ids.index(first_id) > ids.index(last_id):
        raise DomainError(E.ERR_CASE_RANGE, field="first", max=maximum)
    chosen = chat[ids.index(first_id) : ids.index(last_id) + 1]
    if len(chosen) > maximum:
        raise DomainError(E.ERR_CASE_RANGE, field="first", max=maximum)
    with transaction.atomic():
        case = LibraryCase.objects.create(
            title=title,
            lesson=lesson,
            verdict=verdict,
            topic=topic,
            chat_type=chosen[0].chat_type,
            messages=case_lines(chosen),
            author=actor,
        )
        audit_record(
            actor=actor,
            verb="library.case_create",
            target=case,
            after={"title": title, "verdict": verdict, "messages": len(chosen)},
        )
    return case


def case_publish(*, actor: Member, case: LibraryCase) -> LibraryCase:
    """The lead who made the case publishes it to every member."""
    with transaction.atomic():
        c = LibraryCase.objects.select_for_update().get(pk=case.pk)
        if c.author_id != actor.pk or not actor.is_active:
            raise DomainError(E.ERR_CASE_NOT_AUTHOR, code="forbidden")
        if c.status == CaseStatus.PUBLISHED:
            raise DomainError(E.ERR_CASE_PUBLISHED, code="conflict")
        c.status = CaseStatus.PUBLISHED
        c.published_at = timezone.now()
        c.save(update_fields=["status", "published_at", "updated_at"])
        audit_record(
            actor=actor,
            verb="library.case_publish",
            target=c,
            before={"status": CaseStatus.DRAFT},
            after={"status": CaseStatus.PUBLISHED},
        )
    return c
