"""Reads of the compliance app, always through the asking member's scope."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from zhidu.core.errors import NotFound
from zhidu.core.periods import day_bounds, local_today
from zhidu.org.models import Member, Role
from zhidu.policies.models import PolicyVersion, VersionStatus

from .models import (
    ArchiveMessage,
    Category,
    CitationStatus,
    Rule,
    RuleCitation,
    RuleRevision,
    RuleTerm,
    Severity,
    Violation,
    ViolationStatus,
)

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


# ---------------------------------------------------------------------------------------------- citation maps

CITATION_READERS = (Role.COMPLIANCE, Role.ADMIN)
CITATION_VERSIONS_MAX = 100


def _citation_reader(viewer: Member) -> None:
    if not viewer.is_active or viewer.role not in CITATION_READERS:
        raise NotFound


def versions_in_force(on: dt.date | None = None) -> list[PolicyVersion]:
    """The version in force of every regulation (the latest published one whose effective date has come)."""
    day = on or local_today()
    latest: dict[int, PolicyVersion] = {}
    for v in PolicyVersion.objects.filter(status=VersionStatus.PUBLISHED, effective_date__lte=day).select_related(
        "policy"
    ):
        if v.policy_id not in latest or v.number > latest[v.policy_id].number:
            latest[v.policy_id] = v
    return sorted(latest.values(), key=lambda v: v.policy.code)


def citations_in_force(
    rule_ids: Iterable[int] | None = None, on: dt.date | None = None
) -> dict[int, list[dict[str, Any]]]:
    """Rule id → the confirmed clauses backing it in every regulation in force (published only, never a draft),
    each as {"version", "article", "item", "citation", "anchor"}, by regulation code then reading order. 2 queries.
    A rule missing from the answer is not backed by any regulation in force."""
    versions = versions_in_force(on)
    if not versions:
        return {}
    rank = {v.pk: i for i, v in enumerate(versions)}
    rows = RuleCitation.objects.filter(status=CitationStatus.CONFIRMED, version__in=list(rank)).select_related(
        "article", "item"
    )
    if rule_ids is not None:
        rows = rows.filter(rule_id__in=list(rule_ids))
    by_version = {v.pk: v for v in versions}
    found: dict[int, list[tuple[tuple[int, int, int], dict[str, Any]]]] = defaultdict(list)
    for row in rows:
        row.article.version = by_version[row.version_id]
        clause = row.clause
        order = (rank[row.version_id], row.article.order, row.item.order + 1 if row.item else 0)
        found[row.rule_id].append(
            (
                order,
                {
                    "version": row.version_id,
                    "article": row.article_id,
                    "item": row.item_id,
                    "citation": clause.citation,
                    "anchor": clause.anchor,
                },
            )
        )
    return {rule_id: [c for _, c in sorted(items, key=lambda x: x[0])] for rule_id, items in found.items()}


def citation_text(cited: list[dict[str, Any]]) -> str:
    """《线上团队规章制度》第十三条；《销售团队管理制度》第十七条第（一）项"""
    return "；".join(c["citation"] for c in cited)


def rules_with_citations(rules: list[Rule]) -> list[Rule]:
    """Sets `r.cited` (the confirmed clauses in force, [] when no regulation in force backs it) on each rule."""
    cited = citations_in_force([r.pk for r in rules])
    for r in rules:
        r.cited = cited.get(r.pk, [])  # type: ignore[attr-defined]
    return rules


def citation_versions(viewer: Member) -> list[PolicyVersion]:
    """Published versions (in force or announced), newest first within each regulation; bounded."""
    _citation_reader(viewer)
    return list(
        PolicyVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .select_related("policy")
        .order_by("policy__code", "-number")[:CITATION_VERSIONS_MAX]
    )


def citation_version_get_for(viewer: Member, version_id: int) -> PolicyVersion:
    """Any version, for citation readers (mapping a non-published one is refused by the services, not hidden)."""
    _citation_reader(viewer)
    try:
        return PolicyVersion.objects.select_related("policy").get(pk=version_id)
    except (PolicyVersion.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound from None


def citation_get_for(viewer: Member, citation_id: int) -> RuleCitation:
    _citation_reader(viewer)
    try:
        return RuleCitation.objects.select_related("version__policy", "rule").get(pk=citation_id)
    except (RuleCitation.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound from None


def citation_list(*, viewer: Member, version: PolicyVersion) -> QuerySet[RuleCitation]:
    """Every row of a version's citation map (the API pages it by id)."""
    _citation_reader(viewer)
    return (
        RuleCitation.objects.filter(version=version)
        .select_related("rule", "article__version__policy", "item")
        .order_by("id")
    )


@dataclass
class RuleMap:
    rule: Rule
    confirmed: list[RuleCitation]
    suggested: list[RuleCitation]


def citation_map(*, viewer: Member, version: PolicyVersion, rules: list[Rule]) -> list[RuleMap]:
    """For each rule: its confirmed clauses and its open suggestions in `version` (best first). 1 query."""
    _citation_reader(viewer)
    rows = (
        RuleCitation.objects.filter(version=version, rule__in=rules)
        .exclude(status=CitationStatus.REJECTED)
        .select_related("article", "item")
        .order_by("rule_id", "-score", "article__order", "item__order", "id")
    )
    by_rule: dict[int, list[RuleCitation]] = defaultdict(list)
    for row in rows:
        row.article.version = version
        by_rule[row.rule_id].append(row)
    return [
        RuleMap(
            rule=r,
            confirmed=[c for c in by_rule[r.pk] if c.status == CitationStatus.CONFIRMED],
            suggested=[c for c in by_rule[r.pk] if c.status == CitationStatus.SUGGESTED],
        )
        for r in rules
    ]


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


MEMBER_CHOICES = 500


def rule_editor_check(viewer: Member) -> None:
    """NotFound unless `viewer` may edit rules (the new-rule page and its test box)."""
    if not viewer.is_active or viewer.role not in RULE_EDITORS:
        raise NotFound


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "\n".join(str(v) for v in value or [])


def rule_editor_context(*, viewer: Member, rule: Rule | None, values: dict[str, Any]) -> dict[str, Any]:
    """Everything the rule editor shows: the values (saved or as posted), the choices with their labels, and
    for a saved rule its hit counts and newest revisions. A bounded number of queries."""
    from zhidu.compliance.engine.detect import detector_names
    from zhidu.compliance.engine.rules import CHAT_TYPES, SIDES
    from zhidu.org.models import Department

    from .rule_labels import CHAT_TYPE_LABELS, DETECTOR_LABELS, MSGTYPE_LABELS, SIDE_LABELS

    selected = {k: {str(v) for v in values.get(k) or []} for k in ("detectors", "chat_types", "sides", "msgtypes")}
    chosen_ids = {k: {int(v) for v in values.get(k) or [] if str(v).isdigit()} for k in ("departments", "members")}
    members = list(Member.objects.active().order_by("name", "pk").values_list("pk", "name")[:MEMBER_CHOICES])
    shown = {pk for pk, _name in members}
    members += list(
        Member.objects.filter(pk__in=chosen_ids["members"] - shown).order_by("name").values_list("pk", "name")
    )
    ctx: dict[str, Any] = {
        "rule": rule,
        "v": {k: values.get(k) for k in ("name", "severity", "article", "code", "category", "hour_start", "hour_end")},
        "enabled": bool(values.get("enabled")),
        "texts": {k: _text(values.get(k)) for k in ("terms", "patterns", "allow")},
        "detectors": [(n, DETECTOR_LABELS.get(n, n), n in selected["detectors"]) for n in detector_names()],
        "chat_types": [(n, CHAT_TYPE_LABELS[n], n in selected["chat_types"]) for n in CHAT_TYPES],
        "sides": [(n, SIDE_LABELS[n], n in selected["sides"]) for n in SIDES],
        "msgtypes": [(n, label, n in selected["msgtypes"]) for n, label in MSGTYPE_LABELS.items()],
        "departments": [
            (pk, name, pk in chosen_ids["departments"])
            for pk, name in Department.objects.order_by("name", "pk").values_list("pk", "name")[:MEMBER_CHOICES]
        ],
        "members": [(pk, name, pk in chosen_ids["members"]) for pk, name in members],
        "hours": list(range(25)),
        "severities": Severity.choices,
        "categories": Category.choices,
        "hit_days": settings.RULE_HITS_DAYS,
    }
    if rule is not None:
        ctx["hits"] = rule_hit_counts(viewer=viewer, rule_ids=[rule.pk]).get(rule.pk, RuleHits())
        ctx["revisions"] = rule_revisions(rule)
    return ctx


@dataclass(frozen=True)
class ChangeLine:
    label: str
    before: str = ""
    after: str = ""
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


def labelled_changes(changes: list[Any]) -> list[ChangeLine]:
    """`services.revision_diff` output in words: field labels, names of departments and members, choice labels."""
    from zhidu.org.models import Department

    from .rule_labels import CHAT_TYPE_LABELS, DETECTOR_LABELS, FIELD_LABELS, MSGTYPE_LABELS, SIDE_LABELS

    ids = {c.name: {*c.added, *c.removed} for c in changes if c.name in ("departments", "members")}
    names: dict[str, dict[Any, Any]] = {
        "departments": dict(Department.objects.filter(pk__in=ids.get("departments", ())).values_list("pk", "name")),
        "members": dict(Member.objects.filter(pk__in=ids.get("members", ())).values_list("pk", "name")),
        "detectors": dict(DETECTOR_LABELS),
        "chat_types": dict(CHAT_TYPE_LABELS),
        "sides": dict(SIDE_LABELS),
        "msgtypes": dict(MSGTYPE_LABELS),
        "severity": dict(Severity.choices),
    }

    def word(name: str, value: Any) -> str:
        if value is None or value == "":
            return "—"
        if isinstance(value, bool):
            return str(_("yes") if value else _("no"))
        return str(names.get(name, {}).get(value, value))

    return [
        ChangeLine(
            str(FIELD_LABELS.get(c.name, c.name)),
            word(c.name, c.before),
            word(c.name, c.after),
            tuple(word(c.name, v) for v in c.added),
            tuple(word(c.name, v) for v in c.removed),
        )
        for c in changes
    ]


@dataclass(frozen=True)
class TestLine:
    html: SafeString  # the sample with the matched span marked
    matched: str
    rule: str
    code: str
    category: str
    severity: str
    severity_label: str
    detector: str
    phrase: str = ""


def rule_test_lines(result: Any) -> dict[str, list[TestLine]]:
    """A `services.TestResult` in words for the test box: own hits, all hits, suppressed hits."""
    from .rule_labels import DETECTOR_LABELS

    categories, severities = dict(Category.choices), dict(Severity.choices)

    def line(f: Any, rule_name: str, phrase: str = "") -> TestLine:
        return TestLine(
            highlight(result.text, f.start, f.end),
            f.matched,
            _(rule_name) if rule_name else f.rule,
            f.rule,
            str(categories.get(f.category, f.category)),
            f.severity,
            str(severities.get(f.severity, f.severity)),
            str(DETECTOR_LABELS.get(f.detector, f.detector)) if f.detector else "",
            phrase,
        )

    return {
        "own": [line(h.finding, h.rule_name) for h in result.own],
        "all": [line(h.finding, h.rule_name) for h in result.all],
        "suppressed": [line(s.finding, "", s.phrase) for s in result.suppressed],
    }


def rules_with_hits(viewer: Member, rules: list[Rule]) -> list[Rule]:
    """`rules` with `.hits` (a RuleHits over the last RULE_HITS_DAYS days): one aggregate query for all."""
    counts = rule_hit_counts(viewer=viewer, rule_ids=[r.pk for r in rules]) if rules else {}
    for r in rules:
        r.hits = counts.get(r.pk, RuleHits())  # type: ignore[attr-defined]
    return rules
