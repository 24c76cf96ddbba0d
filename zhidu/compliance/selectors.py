"""Reads of the compliance app, always through the asking member's scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from zhidu.core.errors import NotFound
from zhidu.core.periods import day_bounds
from zhidu.org.models import Member, Role

from .models import ArchiveMessage, Rule, RuleRevision, RuleTerm, Violation, ViolationStatus

EVIDENCE_AROUND = 5
RULE_READERS = (Role.COMPLIANCE, Role.ADMIN, Role.DIRECTOR)


@dataclass(frozen=True)
class ViolationFilters:
    category: str = ""
    status: str = ""
    severity: str = ""
    member: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    @classmethod
    def from_query(cls, params: Any) -> ViolationFilters:
        def date(name: str) -> dt.date | None:
            try:
                return dt.date.fromisoformat(params.get(name) or "")
            except ValueError:
                return None

        member = params.get("member") or ""
        return cls(
            category=params.get("category") or "",
            status=params.get("status") or "",
            severity=params.get("severity") or "",
            member=int(member) if str(member).isdigit() else None,
            date_from=date("date_from"),
            date_to=date("date_to"),
        )


def violation_list(*, viewer: Member, filters: ViolationFilters | None = None) -> QuerySet[Violation]:
    f = filters or ViolationFilters()
    qs = Violation.objects.visible_to(viewer).select_related("rule", "member", "supervisor", "message")
    if f.category:
        qs = qs.filter(category=f.category)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.severity:
        qs = qs.filter(severity=f.severity)
    if f.member:
        qs = qs.filter(member_id=f.member)
    # The first and last representable days bound nothing (their UTC bounds fall outside datetime's range).
    if f.date_from and f.date_from > dt.date.min:
        qs = qs.filter(occurred_at__gte=day_bounds(f.date_from)[0])
    if f.date_to and f.date_to < dt.date.max:
        qs = qs.filter(occurred_at__lt=day_bounds(f.date_to)[1])
    return qs.order_by("-occurred_at", "-id")


def violation_get_for(viewer: Member, violation_id: int) -> Violation:
    try:
        return (
            Violation.objects.visible_to(viewer)
            .select_related("rule", "member", "supervisor", "reviewed_by", "message", "member__department")
            .get(pk=violation_id)
        )
    except (Violation.DoesNotExist, ValueError, TypeError):
        raise NotFound from None


def open_violations_count(member: Member) -> int | None:
    """Home tile: open violations in the member's scope (hidden for roles without violation pages)."""
    if member.role == Role.ADMIN:
        return None
    return Violation.objects.visible_to(member).open().count()


def highlight(text: str, start: int, end: int) -> SafeString:
    """`text` HTML-escaped, with [start, end) wrapped in <mark>."""
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    if start == end:
        return escape(text)
    return mark_safe(f"{escape(text[:start])}<mark>{escape(text[start:end])}</mark>{escape(text[end:])}")


@dataclass(frozen=True)
class EvidenceLine:
    message: ArchiveMessage
    html: SafeString
    focus: bool
    sender_name: str = ""


def violation_evidence(violation: Violation, around: int = EVIDENCE_AROUND) -> list[EvidenceLine]:
    """The conversation around the message: `around` messages before and after in the same chat."""
    msg = violation.message
    chat = ArchiveMessage.objects.filter(chat_key=msg.chat_key, action="send").exclude(pk=msg.pk)
    earlier = Q(msgtime__lt=msg.msgtime) | Q(msgtime=msg.msgtime, pk__lt=msg.pk)
    later = Q(msgtime__gt=msg.msgtime) | Q(msgtime=msg.msgtime, pk__gt=msg.pk)
    before = list(chat.filter(earlier).order_by("-msgtime", "-pk")[:around])[::-1]
    after = list(chat.filter(later).order_by("msgtime", "pk")[:around])
    lines = [EvidenceLine(m, escape(m.text) if m.text else _placeholder(m), False) for m in before]
    lines.append(EvidenceLine(msg, highlight(msg.text, violation.start, violation.end), True))
    lines += [EvidenceLine(m, escape(m.text) if m.text else _placeholder(m), False) for m in after]
    names = sender_names([line.message for line in lines])
    return [EvidenceLine(x.message, x.html, x.focus, names.get(x.message.sender, "")) for x in lines]


def _placeholder(m: ArchiveMessage) -> SafeString:
    return mark_safe(f'<span class="muted">[{escape(m.msgtype)}]</span>')


def sender_names(messages: list[ArchiveMessage]) -> dict[str, str]:
    """Display names for the senders of `messages`: members by WeCom userid, customers by external id."""
    ids = {m.sender for m in messages}
    names = dict(Member.objects.filter(wecom_userid__in=ids).values_list("wecom_userid", "name"))
    try:
        from zhidu.customers.models import Customer

        names.update(
            Customer.objects.filter(external_userid__in=ids - names.keys()).values_list("external_userid", "name")
        )
    except ImportError:  # pragma: no cover - customers app always installed
        pass
    return {k: v for k, v in names.items() if k and v}


def rule_list(*, viewer: Member, category: str = "", q: str = "") -> list[Rule]:
    if not viewer.is_active or viewer.role not in RULE_READERS:
        return []
    qs = Rule.objects.all()
    if category:
        qs = qs.filter(category=category)
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q))
    rules: list[Rule] = list(qs.annotate(term_count=Count("term_rows")).order_by("category", "code"))
    return rules


def rule_get_for(viewer: Member, rule_id: int) -> Rule:
    if not viewer.is_active or viewer.role not in RULE_READERS:
        raise NotFound
    try:
        return Rule.objects.get(pk=rule_id)
    except (Rule.DoesNotExist, ValueError, TypeError):
        raise NotFound from None


def rule_terms_preview(rule: Rule, limit: int = 20) -> list[str]:
    return list(RuleTerm.objects.filter(rule=rule).values_list("term", flat=True)[:limit])


def rule_term_count(rule: Rule) -> int:
    return RuleTerm.objects.filter(rule=rule).count()


# --------------------------------------------------------------------------------------------- rule editing

RULE_EDITORS = (Role.COMPLIANCE, Role.ADMIN)
REVISIONS_SHOWN = 50


def rule_get_for_editor(viewer: Member, rule_id: int) -> Rule:
    """A rule for a member who may edit rules; anyone else gets NotFound, as for a missing rule."""
    if not viewer.is_active or viewer.role not in RULE_EDITORS:
        raise NotFound
    return rule_get_for(viewer, rule_id)


@dataclass(frozen=True)
class RuleHits:
    total: int = 0
    confirmed: int = 0
    dismissed: int = 0


def rule_hit_counts(
    *, viewer: Member, days: int | None = None, rule_ids: list[int] | None = None
) -> dict[int, RuleHits]:
    """Violations per rule over the last `days` (setting RULE_HITS_DAYS) that `viewer` may see, with how many
    were confirmed and dismissed: one aggregate query."""
    days = settings.RULE_HITS_DAYS if days is None else days
    since = timezone.now() - dt.timedelta(days=days)
    qs = Violation.objects.visible_to(viewer).filter(occurred_at__gte=since)
    if rule_ids is not None:
        qs = qs.filter(rule_id__in=rule_ids)
    rows = qs.values("rule_id").annotate(
        total=Count("id"),
        confirmed=Count("id", filter=Q(status=ViolationStatus.CONFIRMED)),
        dismissed=Count("id", filter=Q(status=ViolationStatus.DISMISSED)),
    )
    return {r["rule_id"]: RuleHits(r["total"], r["confirmed"], r["dismissed"]) for r in rows.order_by()}


def rule_revisions(rule: Rule, limit: int = REVISIONS_SHOWN) -> list[RuleRevision]:
    """The newest revisions of a rule (at most `limit`), newest first, with their authors."""
    return list(RuleRevision.objects.filter(rule=rule).select_related("actor").order_by("-number")[:limit])


def rule_revision_get(rule: Rule, number: int) -> RuleRevision:
    revision = RuleRevision.objects.filter(rule=rule, number=number).first()
    if revision is None:
        raise NotFound
    return revision
