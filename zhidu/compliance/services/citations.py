"""Citation maps: which clauses of the company's published regulations back each rule.

Filling (system, when a version is published — the `policy.version_published` event — and when rules are
created): `citation_map_fill` applies, for each rule,
1. the version's library template map (`version.template`) as confirmed rows; else
2. the confirmed rows of the policy's previous published version, where a clause with the same label exists
   (unchanged text: confirmed; changed text: a suggestion); and, for a rule never mapped against this policy,
   its legacy `article` key when that names this policy ("sales-conduct#17.1");
3. keyword suggestions (`services.suggest`) for every rule still without a confirmed clause in the version.

Editing (compliance officers and admins, audited): confirm or reject a suggestion, add a clause by hand, remove a
confirmed one (it becomes rejected, so it is not suggested again). Only published versions (in force or
announced) can be mapped: a draft or superseded version is refused with `ERR_NOT_CITABLE`.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from zhidu.core.audit import audit_record
from zhidu.core.errors import DomainError
from zhidu.org.models import Member, Role
from zhidu.policies.library import template_citations
from zhidu.policies.models import Article, Item, PolicyVersion, VersionStatus
from zhidu.policies.selectors import clause_label, clause_label_norm, parse_key, version_clauses

from ..models import CitationSource, CitationStatus, Rule, RuleCitation, RuleTerm
from .suggest import ClauseText, RuleText, Scorer

log = logging.getLogger(__name__)

CITATION_ROLES = (Role.COMPLIANCE, Role.ADMIN)

ERR_FORBIDDEN = gettext_noop("You may not do this.")
ERR_NOT_CITABLE = gettext_noop(
    "Only a published regulation version (in force or announced) can back a rule; this version is {status}."
)
ERR_NOT_IN_VERSION = gettext_noop("This clause is not part of the chosen regulation version.")
ERR_NOT_SUGGESTED = gettext_noop("Only a suggestion can be confirmed or rejected.")
ERR_NOT_CONFIRMED = gettext_noop("Only a confirmed clause can be removed.")
ERR_ALREADY_CONFIRMED = gettext_noop("This clause already backs the rule.")

Clause = Article | Item
ClauseKey = tuple[int, int | None]  # (article id, item id or None)


def _key(clause: Clause) -> ClauseKey:
    if isinstance(clause, Item):
        return (clause.article_id, clause.pk)
    return (clause.pk, None)


def clause_full_text(clause: Clause) -> str:
    """What a clause says: an item's text; an article's heading, text, items and closing text."""
    if isinstance(clause, Item):
        return clause.text
    parts = [clause.title, clause.text, *(i.text for i in clause.items.all()), clause.closing_text]
    return "\n".join(p for p in parts if p)


def _require(actor: Member | None) -> None:
    if actor is not None and not (actor.is_active and actor.role in CITATION_ROLES):
        raise DomainError(ERR_FORBIDDEN, code="forbidden")


def _require_citable(version: PolicyVersion) -> None:
    if version.status != VersionStatus.PUBLISHED:
        raise DomainError(ERR_NOT_CITABLE, field="version", status=VersionStatus(version.status).label)


# ---------------------------------------------------------------------------------------------- filling


@dataclass
class FillResult:
    confirmed: int = 0
    suggested: int = 0
    skipped: list[str] = field(default_factory=list)  # template labels that did not resolve


def _previous_version(version: PolicyVersion) -> PolicyVersion | None:
    return (
        PolicyVersion.objects.filter(
            policy_id=version.policy_id,
            status__in=[VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED],
            number__lt=version.number,
        )
        .order_by("-number")
        .first()
    )


class _Map:
    """The rows of one version for a set of rules, written through `put` (insert or upgrade, never downgrade)."""

    def __init__(self, version: PolicyVersion, rules: list[Rule]) -> None:
        self.version = version
        self.rows: dict[tuple[int, ClauseKey], RuleCitation] = {
            (r.rule_id, (r.article_id, r.item_id)): r
            for r in RuleCitation.objects.filter(version=version, rule__in=rules)
        }
        self.result = FillResult()

    def confirmed(self, rule: Rule) -> bool:
        return any(
            rule_id == rule.pk and row.status == CitationStatus.CONFIRMED for (rule_id, _), row in self.rows.items()
        )

    def put(self, rule: Rule, key: ClauseKey, *, status: str, source: str, score: float = 0.0) -> None:
        row = self.rows.get((rule.pk, key))
        if row is not None:
            # a confirmed or rejected decision stands; a suggestion may become confirmed
            if row.status == CitationStatus.SUGGESTED and status == CitationStatus.CONFIRMED:
                row.status, row.source = status, source
                row.save(update_fields=["status", "source", "updated_at"])
                self.result.confirmed += 1
            return
        self.rows[(rule.pk, key)] = RuleCitation.objects.create(
            rule=rule,
            version=self.version,
            article_id=key[0],
            item_id=key[1],
            status=status,
            source=source,
            score=score,
        )
        if status == CitationStatus.CONFIRMED:
            self.result.confirmed += 1
        else:
            self.result.suggested += 1


def _apply_template(m: _Map, rules: list[Rule], by_label: dict[str, Clause], *, by_category: bool) -> None:
    """The template's keys for the rules' own codes; with `by_category`, its category keys for the rules that are
    still without a confirmed clause (a rule's own legacy article key, applied in between, is more precise)."""
    cmap = template_citations(m.version.template)
    for rule in rules:
        if by_category and (m.confirmed(rule) or rule.code in cmap):  # a key of its own is the template's word
            continue
        labels = cmap.get(rule.category, ()) if by_category else cmap.get(rule.code, ())
        for label in labels:
            clause = by_label.get(clause_label_norm(label))
            if clause is None:
                log.warning(
                    "template %s: %s → %r does not resolve in %s", m.version.template, rule.code, label, m.version
                )
                m.result.skipped.append(f"{rule.code}: {label}")
                continue
            m.put(rule, _key(clause), status=CitationStatus.CONFIRMED, source=CitationSource.TEMPLATE, score=1.0)


def _carry_over(
    m: _Map, rules: list[Rule], by_label: dict[str, Clause], previous: PolicyVersion
) -> set[tuple[int, str]]:
    """Carry the previous version's confirmed rows; returns (rule, label) pairs rejected there (not re-suggested)."""
    old = list(
        RuleCitation.objects.filter(version=previous, rule__in=rules)
        .exclude(status=CitationStatus.SUGGESTED)
        .select_related("article", "item")
        .prefetch_related("article__items")
    )
    rejected: set[tuple[int, str]] = set()
    by_pk = {r.pk: r for r in rules}
    for row in old:
        label = clause_label_norm(clause_label(row.clause))
        if row.status == CitationStatus.REJECTED:
            rejected.add((row.rule_id, label))
            continue
        clause = by_label.get(label)
        if clause is None:
            continue
        same = clause_full_text(clause) == clause_full_text(row.clause)
        m.put(
            by_pk[row.rule_id],
            _key(clause),
            status=CitationStatus.CONFIRMED if same else CitationStatus.SUGGESTED,
            source=CitationSource.CARRIED,
            score=1.0,
        )
    return rejected


def _apply_legacy(m: _Map, rules: list[Rule], clauses: list[Clause]) -> None:
    """Rules never mapped against this policy whose `article` key names it: that clause, confirmed."""
    code = m.version.policy.code
    mapped = set(
        RuleCitation.objects.filter(version__policy_id=m.version.policy_id, rule__in=rules).values_list(
            "rule_id", flat=True
        )
    )
    numbered = {(c.article.number, c.number if isinstance(c, Item) else None): c for c in clauses}
    for rule in rules:
        parsed = parse_key(rule.article)
        if parsed is None or parsed[0] != code or rule.pk in mapped:
            continue
        clause = numbered.get((parsed[1], parsed[2]))
        if clause is not None:
            m.put(rule, _key(clause), status=CitationStatus.CONFIRMED, source=CitationSource.LEGACY, score=1.0)


def _suggest(m: _Map, rules: list[Rule], clauses: list[Clause], rejected: set[tuple[int, str]]) -> None:
    """Top keyword suggestions for rules without a confirmed clause; earlier keyword suggestions are replaced."""
    todo = [r for r in rules if not m.confirmed(r)]
    if not todo:
        return
    terms: dict[int, list[str]] = defaultdict(list)
    for rule_id, term in RuleTerm.objects.filter(rule__in=todo).values_list("rule_id", "term"):
        terms[rule_id].append(term)
    scorer = Scorer(
        ClauseText(
            key=_key(c),
            text=clause_full_text(c)
            if isinstance(c, Item)
            else "\n".join(p for p in (c.title, c.text, c.closing_text) if p),
            lead=c.article.text if isinstance(c, Item) else "",
        )
        for c in clauses
    )
    labels = {_key(c): clause_label_norm(clause_label(c)) for c in clauses}
    for rule in todo:
        stale = [
            (key, row)
            for (rule_id, key), row in m.rows.items()
            if rule_id == rule.pk and row.status == CitationStatus.SUGGESTED and row.source == CitationSource.SUGGESTED
        ]
        for key, row in stale:
            row.delete()
            del m.rows[(rule.pk, key)]
        taken = {key for (rule_id, key) in m.rows if rule_id == rule.pk}
        taken |= {k for k, label in labels.items() if (rule.pk, label) in rejected}
        found = scorer.suggest(
            RuleText(rule.category, terms.get(rule.pk, ()), rule.detectors or ()),
            top=settings.CITATION_SUGGEST_TOP,
            min_score=settings.CITATION_SUGGEST_MIN_SCORE,
            exclude=taken,
        )
        for found_key, score in found:
            clause_key: ClauseKey = found_key  # type: ignore[assignment]
            m.put(rule, clause_key, status=CitationStatus.SUGGESTED, source=CitationSource.SUGGESTED, score=score)


@transaction.atomic
def citation_map_fill(*, version: PolicyVersion, rules: Iterable[Rule] | None = None) -> FillResult:
    """Fill the citation map of a published `version` (template, or carry-over and legacy keys; then suggestions)
    for `rules` (default: every rule). Idempotent: decisions already taken are kept. A system action, audited."""
    version = PolicyVersion.objects.select_related("policy").get(pk=version.pk)
    if version.status != VersionStatus.PUBLISHED:
        log.info("citation map of %s not filled: it is %s", version, version.status)
        return FillResult()
    rule_list = list(Rule.objects.all() if rules is None else rules)
    clauses = version_clauses(version)
    by_label = {clause_label_norm(clause_label(c)): c for c in clauses}
    m = _Map(version, rule_list)
    rejected: set[tuple[int, str]] = set()
    if version.template:
        _apply_template(m, rule_list, by_label, by_category=False)
        _apply_legacy(m, rule_list, clauses)
        _apply_template(m, rule_list, by_label, by_category=True)
    else:
        previous = _previous_version(version)
        if previous is not None:
            rejected = _carry_over(m, rule_list, by_label, previous)
        _apply_legacy(m, rule_list, clauses)
    _suggest(m, rule_list, clauses, rejected)
    r = m.result
    if r.confirmed or r.suggested or r.skipped:
        audit_record(
            actor=None,
            verb="rule_citation.fill",
            target=version,
            after={"confirmed": r.confirmed, "suggested": r.suggested, "skipped": r.skipped[:50]},
            actor_label="system",
        )
    return r


@transaction.atomic
def citation_suggest(*, version: PolicyVersion) -> FillResult:
    """Recompute the keyword suggestions of a published version (rules without a confirmed clause)."""
    version = PolicyVersion.objects.select_related("policy").get(pk=version.pk)
    _require_citable(version)
    rule_list = list(Rule.objects.all())
    m = _Map(version, rule_list)
    _suggest(m, rule_list, version_clauses(version), set())
    audit_record(
        actor=None,
        verb="rule_citation.suggest",
        target=version,
        after={"suggested": m.result.suggested},
        actor_label="system",
    )
    return m.result


def citations_for_new_rules(rules: Iterable[Rule]) -> None:
    """Map rules just created against every published version (called by the rule services)."""
    rule_list = list(rules)
    if not rule_list:
        return
    for version in PolicyVersion.objects.filter(status=VersionStatus.PUBLISHED).order_by("pk"):
        citation_map_fill(version=version, rules=rule_list)


def on_version_published(id: int) -> None:
    """Handler of the `policy.version_published` event (subscribed in ComplianceConfig.ready())."""
    version = PolicyVersion.objects.filter(pk=id).first()
    if version is not None:
        citation_map_fill(version=version)


# ---------------------------------------------------------------------------------------------- editing


def _locked(citation: RuleCitation) -> RuleCitation:
    return RuleCitation.objects.select_for_update().select_related("version").get(pk=citation.pk)


def _snapshot(c: RuleCitation) -> dict[str, object]:
    return {
        "rule": c.rule_id,
        "version": c.version_id,
        "article": c.article_id,
        "item": c.item_id,
        "status": c.status,
        "source": c.source,
    }


def _decide(
    *, actor: Member, citation: RuleCitation, expected: str, status: str, verb: str, error: str
) -> RuleCitation:
    _require(actor)
    row = _locked(citation)
    _require_citable(row.version)
    if row.status != expected:
        raise DomainError(error, code="conflict")
    before = _snapshot(row)
    row.status = status
    if status == CitationStatus.CONFIRMED:
        row.confirmed_by, row.confirmed_at = actor, timezone.now()
    row.save(update_fields=["status", "confirmed_by", "confirmed_at", "updated_at"])
    audit_record(actor=actor, verb=verb, target=row, before=before, after=_snapshot(row))
    return row


@transaction.atomic
def citation_confirm(*, actor: Member, citation: RuleCitation) -> RuleCitation:
    return _decide(
        actor=actor,
        citation=citation,
        expected=CitationStatus.SUGGESTED,
        status=CitationStatus.CONFIRMED,
        verb="rule_citation.confirm",
        error=ERR_NOT_SUGGESTED,
    )


@transaction.atomic
def citation_reject(*, actor: Member, citation: RuleCitation) -> RuleCitation:
    return _decide(
        actor=actor,
        citation=citation,
        expected=CitationStatus.SUGGESTED,
        status=CitationStatus.REJECTED,
        verb="rule_citation.reject",
        error=ERR_NOT_SUGGESTED,
    )


@transaction.atomic
def citation_remove(*, actor: Member, citation: RuleCitation) -> RuleCitation:
    """A confirmed clause no longer backs the rule (kept as rejected: it is not suggested again)."""
    return _decide(
        actor=actor,
        citation=citation,
        expected=CitationStatus.CONFIRMED,
        status=CitationStatus.REJECTED,
        verb="rule_citation.remove",
        error=ERR_NOT_CONFIRMED,
    )


@transaction.atomic
def citation_add(
    *, actor: Member, rule: Rule, version: PolicyVersion, article_id: int, item_id: int | None = None
) -> RuleCitation:
    """Back `rule` with a clause of `version` chosen by hand (an article, or one of its items)."""
    _require(actor)
    version = PolicyVersion.objects.select_for_update().get(pk=version.pk)
    _require_citable(version)
    if not Article.objects.filter(pk=article_id, version=version).exists() or (
        item_id is not None and not Item.objects.filter(pk=item_id, article_id=article_id).exists()
    ):
        raise DomainError(ERR_NOT_IN_VERSION, field="clause")
    row = (
        RuleCitation.objects.select_for_update()
        .filter(rule=rule, version=version, article_id=article_id, item__isnull=item_id is None)
        .filter(**({"item_id": item_id} if item_id is not None else {}))
        .first()
    )
    if row is not None and row.status == CitationStatus.CONFIRMED:
        raise DomainError(ERR_ALREADY_CONFIRMED, code="conflict", field="clause")
    before = _snapshot(row) if row is not None else None
    if row is None:
        row = RuleCitation(rule=rule, version=version, article_id=article_id, item_id=item_id, score=1.0)
        row.source = CitationSource.MANUAL
    row.status = CitationStatus.CONFIRMED
    row.confirmed_by, row.confirmed_at = actor, timezone.now()
    row.save()
    audit_record(actor=actor, verb="rule_citation.add", target=row, before=before, after=_snapshot(row))
    return row
