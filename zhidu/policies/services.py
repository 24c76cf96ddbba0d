"""Every write to regulations: validated, in one transaction, audited.

Lifecycle of a version: draft → discussion → approved → published (effective date ≥ today + notice) → superseded.
A published version is announced at once and takes force on its effective date; the one it replaces stays in
force until then (`policies_apply_effective_dates`, run daily by `policy_effective_dates_task`, marks it superseded).
`actor=None` means the system (demo seeding, management commands run by an operator); it passes role checks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy, gettext_noop

from zhidu.core.audit import audit_record
from zhidu.core.errors import DomainError, NotFound
from zhidu.core.events import publish as publish_event
from zhidu.core.models import AuditEvent
from zhidu.core.notifications import notify
from zhidu.core.periods import local_today
from zhidu.org.models import Member, MemberStatus

from .library import LIBRARY_DIR, template_get
from .models import (
    APPROVER_ROLES,
    EDITOR_ROLES,
    PUBLISHER_ROLES,
    Acknowledgement,
    Article,
    Chapter,
    Comment,
    Item,
    Policy,
    PolicyNotice,
    PolicyVersion,
    VersionStatus,
    version_in_force,
    version_snapshot,
    versions_upcoming,
)
from .parser import ParsedRegulation, ParseError, parse_text
from .uploads import upload_source

ERR_FORBIDDEN = gettext_noop("You may not do this.")
ERR_INACTIVE = gettext_noop("Only active members can do this.")
ERR_BAD_STATUS = gettext_noop("This version is {status}; it must be {expected} to {action}.")
ERR_NOTICE_PERIOD = gettext_noop(
    "The effective date must be on or after {earliest} ({days} days' notice); {given} is too early."
)
ERR_NO_TITLE = gettext_noop("The regulation has no title: add a title line or give one.")
ERR_BAD_CODE = gettext_noop("The code {value!r} is not valid: use 1–64 lowercase letters, digits and hyphens.")
ERR_EMPTY_COMMENT = gettext_noop("A comment cannot be empty.")
ERR_LONG_COMMENT = gettext_noop("A comment may have at most {max} characters.")
ERR_NOT_IN_DISCUSSION = gettext_noop("Comments are open only while the version is in discussion.")
ERR_ACK_STATUS = gettext_noop("Only a published version can be acknowledged.")
ERR_UNPARSEABLE = gettext_noop("The file cannot be imported: {problem}")
ERR_NO_ARTICLES = gettext_noop("The file cannot be imported: no articles (第X条) found")
ERR_NO_DATE = gettext_noop("An effective date is required.")
ERR_TEXT_UNPARSEABLE = gettext_noop("The text cannot be read as a regulation: {problem}")
# The {action} of ERR_BAD_STATUS, translated when the message is read.
ACTION_OPEN_DISCUSSION = gettext_noop("open the discussion")
ACTION_APPROVE = gettext_noop("be approved")
ACTION_PUBLISH = gettext_noop("be published")
ACTION_EDIT = gettext_noop("be edited")

COMMENT_MAX = 2000
DEMO_CODE = "sales-conduct"
DEMO_FIXTURE = LIBRARY_DIR / f"{DEMO_CODE}.md"  # the library template the demo adopts
_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
RESERVED_CODES = {"import", "versions", "articles", "notices", "library"}  # page paths under /policies/


def _require(actor: Member | None, roles: tuple[str, ...]) -> None:
    """System (None) passes; a member must be active and hold one of `roles`."""
    if actor is None:
        return
    if not actor.is_active or actor.role not in roles:
        raise DomainError(ERR_FORBIDDEN, code="forbidden")


def _locked(version: PolicyVersion) -> PolicyVersion:
    return PolicyVersion.objects.select_for_update().select_related("policy").get(pk=version.pk)


def _check_status(version: PolicyVersion, expected: str, action: str) -> None:
    if version.status != expected:
        raise DomainError(
            ERR_BAD_STATUS,
            code="conflict",
            status=VersionStatus(version.status).label,
            expected=VersionStatus(expected).label,
            action=gettext_lazy(action),
        )


def _actor_label(actor: Member | None, label: str) -> str:
    return "" if actor is not None else label


def today_local() -> dt.date:
    return local_today()


def earliest_effective_date() -> dt.date:
    return today_local() + dt.timedelta(days=settings.POLICY_NOTICE_DAYS)


def default_code(title: str) -> str:
    """A stable code for a title that has none: an existing policy with that title keeps its code."""
    existing = Policy.objects.filter(title=title).values_list("code", flat=True).first()
    return existing or "reg-" + hashlib.sha1(title.encode()).hexdigest()[:8]


# ---------------------------------------------------------------------------------------------------------------
# Import


def parse_upload(
    data: bytes, filename: str, *, title: str = "", document: int | None = None
) -> tuple[ParsedRegulation, str, str]:
    """Parse uploaded bytes → (parsed, source text, format). Raises DomainError naming the line."""
    try:
        text, fmt = upload_source(data, filename, title=title, document=document)  # limits; a worker if any
        parsed = parse_text(text, fmt=fmt, document=document, title=title)
    except ParseError as exc:
        raise DomainError(ERR_UNPARSEABLE, code="unparseable", field="file", problem=exc) from None
    return parsed, text, fmt


@transaction.atomic
def policy_import(
    *,
    actor: Member | None,
    parsed: ParsedRegulation,
    source: str,
    source_name: str = "",
    source_format: str = "text",
    code: str = "",
    title: str = "",
    template: str = "",
) -> PolicyVersion:
    """Store a parsed regulation as a new draft version (creating the Policy when the code is new).

    `template` is the slug of the library template the text comes from (see `template_adopt`)."""
    _require(actor, EDITOR_ROLES)
    title = (title or parsed.title).strip()[:200]
    if not title:
        raise DomainError(ERR_NO_TITLE, field="title")
    if not parsed.articles:
        raise DomainError(ERR_NO_ARTICLES, code="unparseable", field="file")
    code = (code or default_code(title)).strip()
    if not _CODE_RE.match(code) or code in RESERVED_CODES:
        raise DomainError(ERR_BAD_CODE, field="code", value=code)
    policy, created = Policy.objects.select_for_update().get_or_create(
        code=code, defaults={"title": title, "created_by": actor}
    )
    if created:
        audit_record(
            actor=actor,
            verb="policy.create",
            target=policy,
            after={"code": code, "title": title},
            actor_label=_actor_label(actor, "system"),
        )
    number = (policy.versions.aggregate(m=Max("number"))["m"] or 0) + 1
    version = PolicyVersion.objects.create(
        policy=policy,
        number=number,
        title=title,
        preamble=parsed.preamble,
        source_text=source,
        source_name=source_name[:255],
        source_format=source_format,
        warnings=list(parsed.warnings),
        shape=parsed.shape,
        template=template,
        created_by=actor,
    )
    _write_clauses(version, parsed)
    audit_record(
        actor=actor,
        verb="policy_version.adopt" if template else "policy_version.import",
        target=version,
        actor_label=_actor_label(actor, "system"),
        after={
            "code": code,
            "number": number,
            "title": title,
            "source": source_name,
            "shape": parsed.shape,
            **({"template": template} if template else {}),
            **parsed.counts(),
        },
    )
    return version


def _write_clauses(version: PolicyVersion, parsed: ParsedRegulation) -> None:
    """Create the chapters, articles and items of `parsed` under `version` (which has none)."""
    chapters = Chapter.objects.bulk_create(
        [
            Chapter(version=version, number=c.number, title=c.title, text=c.text, order=n)
            for n, c in enumerate(parsed.chapters)
        ]
    )
    chapter_by_number = {c.number: c for c in chapters}
    articles = Article.objects.bulk_create(
        [
            Article(
                version=version,
                chapter=chapter_by_number.get(a.chapter) if a.chapter is not None else None,
                number=a.number,
                title=a.title[:200],
                text=a.text,
                closing_text=a.closing,
                section_label=a.label[:20],
                order=n,
            )
            for n, a in enumerate(parsed.articles)
        ]
    )
    Item.objects.bulk_create(
        [
            Item(article=article, number=i.number, label=i.label[:20], text=i.text, order=n)
            for article, a in zip(articles, parsed.articles, strict=True)
            for n, i in enumerate(a.items)
        ]
    )


# ---------------------------------------------------------------------------------------------------------------
# The regulation library: adopt a template, then edit the draft's text


def template_adopt(
    *, actor: Member | None, slug: str, title: str | None = None, code: str | None = None
) -> PolicyVersion:
    """Import library template `slug` as a new draft (`template=slug`), audited as `policy_version.adopt`.

    The code defaults to the slug: adopting a template whose regulation exists already adds a new draft version of
    it (the library text, e.g. after the library gained articles). Unknown slug → NotFound."""
    _require(actor, EDITOR_ROLES)
    template = template_get(slug)
    if template is None:
        raise NotFound
    return policy_import(
        actor=actor,
        parsed=template.parsed(),
        source=template.text(),
        source_name=template.path.name,
        source_format="md",
        code=(code or "").strip() or template.slug,
        title=(title or "").strip() or template.title,
        template=template.slug,
    )


def version_text_parse(text: str, *, fmt: str) -> tuple[ParsedRegulation, str]:
    """(parsed, text as read) of an edited source text (within the import limits; in a worker when there is one).
    DomainError naming the line when it cannot be read as a regulation."""
    try:
        source, fmt = upload_source(text.encode(), "source.md" if fmt == "md" else "source.txt")
        return parse_text(source, fmt=fmt), source
    except ParseError as exc:
        raise DomainError(ERR_TEXT_UNPARSEABLE, code="unparseable", field="text", problem=exc) from None


def version_edit_text(
    *, actor: Member | None, version: PolicyVersion, text: str, title: str | None = None
) -> PolicyVersion:
    """Replace a draft's source text and, re-parsed, its chapters, articles and items (audited).

    Only drafts can be edited. `title` None or blank keeps the version's title (a template's text may have no
    title line, and an adopted regulation may carry its own title). Returns the version with `shape` and
    `warnings` of the new text."""
    _require(actor, EDITOR_ROLES)
    _check_status(version, VersionStatus.DRAFT, ACTION_EDIT)  # early answer; checked again under the lock
    fmt = version.source_format if version.source_format in ("text", "md") else "md"
    parsed, text = version_text_parse(text, fmt=fmt)  # before the transaction: it may wait for a worker
    if not parsed.articles:
        raise DomainError(ERR_NO_ARTICLES, code="unparseable", field="text")
    with transaction.atomic():
        version = _locked(version)
        _check_status(version, VersionStatus.DRAFT, ACTION_EDIT)
        before: dict[str, object] = {"title": version.title, "shape": version.shape}
        before |= {"sha1": _sha1(version.source_text), **_version_counts(version)}
        version.articles.all().delete()  # items and (draft-less) comments go with them
        version.chapters.all().delete()
        version.title = (title or "").strip()[:200] or version.title
        version.preamble, version.source_text = parsed.preamble, text
        version.shape, version.warnings = parsed.shape, list(parsed.warnings)
        version.save(update_fields=["title", "preamble", "source_text", "shape", "warnings", "updated_at"])
        _write_clauses(version, parsed)
        audit_record(
            actor=actor,
            verb="policy_version.edit",
            target=version,
            before=before,
            after={"title": version.title, "shape": parsed.shape, "sha1": _sha1(text), **parsed.counts()},
            actor_label=_actor_label(actor, "system"),
        )
    return version


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def _version_counts(version: PolicyVersion) -> dict[str, int]:
    return {
        "chapters": version.chapters.count(),
        "articles": version.articles.count(),
        "items": Item.objects.filter(article__version=version).count(),
    }


# ---------------------------------------------------------------------------------------------------------------
# Lifecycle


@transaction.atomic
def version_open_discussion(*, actor: Member | None, version: PolicyVersion) -> PolicyVersion:
    _require(actor, EDITOR_ROLES)
    version = _locked(version)
    _check_status(version, VersionStatus.DRAFT, ACTION_OPEN_DISCUSSION)
    before = version_snapshot(version)
    version.status = VersionStatus.DISCUSSION
    version.discussion_opened_at = timezone.now()
    version.save(update_fields=["status", "discussion_opened_at", "updated_at"])
    audit_record(
        actor=actor,
        verb="policy_version.open_discussion",
        target=version,
        before=before,
        after=version_snapshot(version),
        actor_label=_actor_label(actor, "system"),
    )
    return version


@transaction.atomic
def comment_add(*, actor: Member, article: Article, text: str) -> Comment:
    """A member comments on an article of a version in discussion."""
    if actor is None or not actor.is_active:
        raise DomainError(ERR_INACTIVE, code="forbidden")
    text = text.strip()
    if not text:
        raise DomainError(ERR_EMPTY_COMMENT, field="text")
    if len(text) > COMMENT_MAX:
        raise DomainError(ERR_LONG_COMMENT, field="text", max=COMMENT_MAX)
    version = _locked(article.version)
    if version.status != VersionStatus.DISCUSSION:
        raise DomainError(ERR_NOT_IN_DISCUSSION, code="conflict")
    comment = Comment.objects.create(article=article, member=actor, text=text)
    audit_record(
        actor=actor,
        verb="policy_comment.add",
        target=comment,
        after={"article": article.pk, "version": version.pk, "text": text},
    )
    return comment


@transaction.atomic
def version_approve(*, actor: Member | None, version: PolicyVersion, reason: str = "") -> PolicyVersion:
    _require(actor, APPROVER_ROLES)
    version = _locked(version)
    _check_status(version, VersionStatus.DISCUSSION, ACTION_APPROVE)
    before = version_snapshot(version)
    version.status = VersionStatus.APPROVED
    version.approved_by, version.approved_at = actor, timezone.now()
    version.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    audit_record(
        actor=actor,
        verb="policy_version.approve",
        target=version,
        before=before,
        after=version_snapshot(version),
        reason=reason,
        actor_label=_actor_label(actor, "system"),
    )
    return version


def _notify(*, actor: Member | None, version: PolicyVersion, wecom: bool = True) -> PolicyNotice:
    """Write the in-app notice and, unless `wecom` is False (demo seeding), notify every active member."""
    effective = version.effective_date
    title = f"《{version.title}》v{version.number}"
    body = (
        f"《{version.title}》第{version.number}版已发布，自{effective:%Y-%m-%d}起施行。请阅读并签收。"
        if effective
        else ""
    )
    sent = 0
    if wecom:
        member_ids = Member.objects.filter(status=MemberStatus.ACTIVE).order_by("pk").values_list("pk", flat=True)
        sent = len(
            notify(
                member_ids=member_ids,
                title=title,
                body=body,
                url=reverse("policies:version", args=[version.pk]),
                action="签收",
                dedupe_key=f"policy-version-{version.pk}-published",
            )
        )
    notice = PolicyNotice.objects.create(
        version=version, title=title, body=body, effective_date=effective, created_by=actor, recipients=sent
    )
    return notice


def _supersede(*, actor: Member | None, version: PolicyVersion, reason: str, actor_label: str) -> PolicyVersion:
    before = version_snapshot(version)
    version.status, version.superseded_at = VersionStatus.SUPERSEDED, timezone.now()
    version.save(update_fields=["status", "superseded_at", "updated_at"])
    audit_record(
        actor=actor,
        verb="policy_version.supersede",
        target=version,
        before=before,
        after=version_snapshot(version),
        reason=reason,
        actor_label=actor_label,
    )
    return version


def _sync_current(*, actor: Member | None, policy: Policy, actor_label: str, on: dt.date | None = None) -> None:
    """Point `policy.current_version` (and its title) at the version in force, else the first one announced."""
    target = version_in_force(policy, on=on) or next(iter(versions_upcoming(policy, on=on)), None)
    if target is None:
        return
    before = {"title": policy.title, "current_version": policy.current_version_id}
    after = {"title": target.title, "current_version": target.pk}
    if before == after:
        return
    policy.current_version, policy.title = target, target.title
    policy.save(update_fields=["current_version", "title", "updated_at"])
    audit_record(actor=actor, verb="policy.update", target=policy, before=before, after=after, actor_label=actor_label)


def _publish(
    *,
    actor: Member | None,
    version: PolicyVersion,
    effective_date: dt.date,
    reason: str,
    actor_label: str,
    wecom: bool = True,
) -> PolicyVersion:
    """Publish `version`. The version in force stays in force until `effective_date` (then
    `policies_apply_effective_dates` supersedes it); announced versions that would never take effect (their date is
    not before this one's) are superseded now, and so is everything when this version takes effect today or earlier.
    """
    before = version_snapshot(version)
    policy = Policy.objects.select_for_update().get(pk=version.policy_id)
    others = PolicyVersion.objects.select_for_update().filter(policy=policy, status=VersionStatus.PUBLISHED)
    if effective_date > local_today():
        others = others.filter(effective_date__gte=effective_date)
    for old in others.order_by("number"):
        _supersede(actor=actor, version=old, reason=f"superseded by v{version.number}", actor_label=actor_label)
    version.status = VersionStatus.PUBLISHED
    version.effective_date = effective_date
    version.published_by, version.published_at = actor, timezone.now()
    version.save(update_fields=["status", "effective_date", "published_by", "published_at", "updated_at"])
    version.policy = policy
    notice = _notify(actor=actor, version=version, wecom=wecom)
    audit_record(
        actor=actor,
        verb="policy_version.publish",
        target=version,
        before=before,
        after={**version_snapshot(version), "notice": notice.pk, "notified": notice.recipients},
        reason=reason,
        actor_label=actor_label,
    )
    _sync_current(actor=actor, policy=policy, actor_label=actor_label)
    # higher layers (compliance: citation maps) react after commit
    publish_event("policy.version_published", id=version.pk)
    return version


@transaction.atomic
def version_publish(
    *, actor: Member | None, version: PolicyVersion, effective_date: dt.date | None, reason: str = ""
) -> PolicyVersion:
    """Publish an approved version with at least POLICY_NOTICE_DAYS of notice.

    Members can read and acknowledge it at once; the previous version stays in force until `effective_date`.
    """
    _require(actor, PUBLISHER_ROLES)
    version = _locked(version)
    _check_status(version, VersionStatus.APPROVED, ACTION_PUBLISH)
    if effective_date is None:
        raise DomainError(ERR_NO_DATE, field="effective_date")
    earliest = earliest_effective_date()
    if effective_date < earliest:
        raise DomainError(
            ERR_NOTICE_PERIOD,
            field="effective_date",
            earliest=earliest,
            days=settings.POLICY_NOTICE_DAYS,
            given=effective_date,
        )
    return _publish(
        actor=actor,
        version=version,
        effective_date=effective_date,
        reason=reason,
        actor_label=_actor_label(actor, "system"),
    )


@transaction.atomic
def version_publish_demo_seed(*, version: PolicyVersion, effective_date: dt.date) -> PolicyVersion:
    """DEMO SEEDING ONLY: publish without the notice period (the effective date may be in the past).

    No member can reach this path (no page, endpoint or command option calls it except the demo loader); it is
    audited as a system action labelled "demo-seed". The in-app notice is written; no WeCom message is queued.
    """
    version = _locked(version)
    _check_status(version, VersionStatus.APPROVED, ACTION_PUBLISH)
    return _publish(
        actor=None,
        version=version,
        effective_date=effective_date,
        reason="demo seeding: notice period not enforced",
        actor_label="demo-seed",
        wecom=False,
    )


@transaction.atomic
def version_acknowledge(*, actor: Member, version: PolicyVersion) -> tuple[Acknowledgement, bool]:
    """签收. Idempotent: a second call returns the existing acknowledgement and (ack, False)."""
    if actor is None or not actor.is_active:
        raise DomainError(ERR_INACTIVE, code="forbidden")
    version = _locked(version)
    existing = Acknowledgement.objects.filter(version=version, member=actor).first()
    if existing is not None:
        return existing, False
    if version.status != VersionStatus.PUBLISHED:
        raise DomainError(ERR_ACK_STATUS, code="conflict")
    ack = Acknowledgement.objects.create(version=version, member=actor)
    audit_record(
        actor=actor,
        verb="policy_version.acknowledge",
        target=version,
        after={"member": actor.pk, "acknowledgement": ack.pk},
    )
    return ack, True


@transaction.atomic
def policies_apply_effective_dates(*, on: dt.date | None = None) -> list[PolicyVersion]:
    """Bring stored state in line with effective dates (idempotent; run daily and at will). System action.

    For every regulation, published versions older than the one in force on `on` (default: today, company time
    zone) become superseded (audited), and `Policy.current_version`/title follow the version in force.
    Returns the versions superseded by this run (empty on a re-run).
    """
    day = on or local_today()
    superseded: list[PolicyVersion] = []
    due = (
        PolicyVersion.objects.filter(status=VersionStatus.PUBLISHED, effective_date__lte=day)
        .values_list("policy_id", flat=True)
        .distinct()
    )
    for policy in Policy.objects.select_for_update().filter(pk__in=list(due)).order_by("pk"):
        in_force = version_in_force(policy, on=day)
        if in_force is None:
            continue
        older = PolicyVersion.objects.select_for_update().filter(
            policy=policy, status=VersionStatus.PUBLISHED, number__lt=in_force.number
        )
        for old in older.order_by("number"):
            reason = f"v{in_force.number} in force from {in_force.effective_date:%Y-%m-%d}"
            superseded.append(_supersede(actor=None, version=old, reason=reason, actor_label="system"))
        _sync_current(actor=None, policy=policy, actor_label="system", on=day)
    return superseded


# ---------------------------------------------------------------------------------------------------------------
# Demo


@transaction.atomic
def policy_load_demo(*, actor: Member | None = None, effective_date: dt.date | None = None) -> PolicyVersion:
    """Adopt and publish our demo regulation 《销售团队管理制度》 (library template and code `sales-conduct`).

    Goes through the real lifecycle (adopt → discussion → approve) and then publishes through the demo-only path, so
    the regulation is in force at once (effective date today unless given). Idempotent: when the version in force
    has the template's text nothing happens. When it has another text and was itself published by the demo loader
    (an older demo database, before the template gained articles), the template's text is published as a new
    version; a version the company published itself is left alone.
    """
    template = template_get(DEMO_CODE)
    if template is None:  # pragma: no cover - the library ships it
        raise NotFound
    existing = Policy.objects.filter(code=DEMO_CODE, current_version__isnull=False).first()
    current = existing.current_version if existing is not None else None
    if current is not None and (current.source_text == template.text() or not _demo_seeded(current)):
        return current
    version = template_adopt(actor=actor, slug=DEMO_CODE, code=DEMO_CODE)
    version = version_open_discussion(actor=actor, version=version)
    version = version_approve(actor=actor, version=version, reason="demo seeding")
    return version_publish_demo_seed(version=version, effective_date=effective_date or today_local())


def _demo_seeded(version: PolicyVersion) -> bool:
    """Whether `version` was published by the demo loader (its publish audit is labelled demo-seed)."""
    return AuditEvent.objects.filter(
        verb="policy_version.publish",
        target_type="policies.policyversion",
        target_id=str(version.pk),
        actor_label="demo-seed",
    ).exists()
