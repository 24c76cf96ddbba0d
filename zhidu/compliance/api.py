"""REST API of the compliance app: violations (list, detail with evidence, confirm, dismiss), rules, and the
rules' citation maps (list a version's map, confirm, reject, add, remove)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from zhidu.core.schemas import Bounded, FilterText, FreeText, Id, PageIn, Text, paginate
from zhidu.core.text import FILTER_MAX
from zhidu.core.text import model_max_length as _max

from . import selectors, services
from .models import Rule, RuleCitation, RuleTerm, Violation
from .services.rule_edit import MAX_ALLOW, MAX_PATTERN, MAX_PATTERNS, MAX_REASON, MAX_SCOPE_IDS, MAX_TERMS
from .services.rule_test import MAX_SAMPLE

router = Router(tags=["compliance"])


class ViolationFilterIn(PageIn):
    """Filters and paging (newest first; `after` is the id of the last violation of the previous page)."""

    category: FilterText = ""
    status: FilterText = ""
    severity: FilterText = ""
    member: Id | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


class CitedOut(Schema):
    version: int
    article: int
    item: int | None
    citation: str
    anchor: str


class ViolationOut(Schema):
    id: int
    category: str
    severity: str
    status: str
    rule: str
    article: str
    citation: str
    cited: list[CitedOut]
    backed: bool
    matched: str
    start: int
    end: int
    detector: str
    explanation: str  # why, in words (the price check: quote, list price, share off, authority); "" for most rules
    msgid: str
    member_id: int | None
    member_name: str
    supervisor_id: int | None
    occurred_at: dt.datetime

    @staticmethod
    def from_model(v: Violation) -> ViolationOut:
        return ViolationOut(
            id=v.pk,
            category=v.category,
            severity=v.severity,
            status=v.status,
            rule=v.rule.code,
            article=v.article,
            citation=v.citation,
            cited=[CitedOut(**c) for c in v.cited or []],
            backed=bool(v.citation),
            matched=v.matched,
            start=v.start,
            end=v.end,
            detector=v.detector,
            explanation=v.explanation(),
            msgid=v.message.msgid,
            member_id=v.member_id,
            member_name=v.member.name if v.member else "",
            supervisor_id=v.supervisor_id,
            occurred_at=v.occurred_at,
        )


class EvidenceOut(Schema):
    msgid: str
    sender: str
    sender_name: str
    sent_at: dt.datetime
    msgtype: str
    text: str
    focus: bool


class ViolationDetailOut(ViolationOut):
    text: str
    reviewed_by_id: int | None
    reviewed_at: dt.datetime | None
    reason: str
    loss_amount: Decimal | None
    impact: str
    evidence: list[EvidenceOut]


class ReviewIn(Schema):
    reason: FreeText = ""


class ConfirmIn(ReviewIn):
    loss_amount: Annotated[str, Text(32)] = ""  # yuan as a decimal string ("1200.00"); blank when no loss
    impact: Annotated[str, Text(10)] = "none"  # none | bad | image | secret


class RuleOut(Schema):
    id: int
    code: str
    name: str
    category: str
    severity: str
    article: str
    enabled: bool
    builtin: bool
    term_count: int


class RulesImportIn(Schema):
    category: Annotated[str, Text(_max(Rule, "category"))]
    severity: Annotated[str, Text(_max(Rule, "severity"))] = "medium"
    article: Annotated[str, Text(_max(Rule, "article"))] = ""
    rule: Annotated[str, Text(_max(Rule, "code"))] = ""
    terms: list[Annotated[str, Text(_max(RuleTerm, "term"))]]


class RulesImportOut(Schema):
    rules_created: int
    terms_added: int
    terms_existing: int
    rules: list[str]


def _detail(v: Violation) -> ViolationDetailOut:
    evidence = [
        EvidenceOut(
            msgid=line.message.msgid,
            sender=line.message.sender,
            sender_name=line.sender_name,
            sent_at=line.message.sent_at,
            msgtype=line.message.msgtype,
            text=line.message.text,
            focus=line.focus,
        )
        for line in selectors.violation_evidence(v)
    ]
    base = ViolationOut.from_model(v).model_dump()
    return ViolationDetailOut(
        **base,
        text=v.message.text,
        reviewed_by_id=v.reviewed_by_id,
        reviewed_at=v.reviewed_at,
        reason=v.reason,
        loss_amount=v.loss_amount,
        impact=v.impact,
        evidence=evidence,
    )


@router.get("/violations", response=list[ViolationOut])
def violations_list(request: HttpRequest, filters: Query[ViolationFilterIn]) -> list[ViolationOut]:
    f = selectors.ViolationFilters(
        category=filters.category,
        status=filters.status,
        severity=filters.severity,
        member=filters.member,
        date_from=filters.date_from,
        date_to=filters.date_to,
    )
    qs = selectors.violation_list(viewer=request.auth, filters=f)  # type: ignore[attr-defined]
    return [ViolationOut.from_model(v) for v in paginate(qs, filters, descending=True)]


@router.get("/violations/{violation_id}", response=ViolationDetailOut)
def violation_get(request: HttpRequest, violation_id: int) -> ViolationDetailOut:
    return _detail(selectors.violation_get_for(request.auth, violation_id))  # type: ignore[attr-defined]


@router.post("/violations/{violation_id}/confirm", response=ViolationDetailOut)
def violation_confirm(request: HttpRequest, violation_id: int, payload: ConfirmIn) -> ViolationDetailOut:
    viewer = request.auth  # type: ignore[attr-defined]
    v = services.violation_confirm(
        actor=viewer,
        violation=selectors.violation_get_for(viewer, violation_id),
        reason=payload.reason,
        loss_amount=payload.loss_amount,
        impact=payload.impact,
    )
    return _detail(selectors.violation_get_for(viewer, v.pk))


@router.post("/violations/{violation_id}/dismiss", response=ViolationDetailOut)
def violation_dismiss(request: HttpRequest, violation_id: int, payload: ReviewIn) -> ViolationDetailOut:
    viewer = request.auth  # type: ignore[attr-defined]
    v = services.violation_dismiss(
        actor=viewer, violation=selectors.violation_get_for(viewer, violation_id), reason=payload.reason
    )
    return _detail(selectors.violation_get_for(viewer, v.pk))


def _rule_out(r: Rule) -> RuleOut:
    return RuleOut(
        id=r.pk,
        code=r.code,
        name=r.name,
        category=r.category,
        severity=r.severity,
        article=r.article,
        enabled=r.enabled,
        builtin=r.builtin,
        term_count=getattr(r, "term_count", 0),
    )


@router.get("/rules", response=list[RuleOut])
def rules_list(request: HttpRequest, page: Query[PageIn], category: FilterText = "") -> list[RuleOut]:
    rules = selectors.rule_list(viewer=request.auth, category=category)  # type: ignore[attr-defined]
    return [_rule_out(r) for r in paginate(rules, page)]


@router.post("/rules/import", response=RulesImportOut)
def rules_import(request: HttpRequest, payload: RulesImportIn) -> RulesImportOut:
    rows = [
        services.TermRow(
            row=i,
            term=t.strip(),
            category=payload.category,
            severity=payload.severity,
            article=payload.article,
            rule=payload.rule,
        )
        for i, t in enumerate(payload.terms, start=1)
    ]
    result = services.rules_import(actor=request.auth, rows=rows)  # type: ignore[attr-defined]
    return RulesImportOut(
        rules_created=result.rules_created,
        terms_added=result.terms_added,
        terms_existing=result.terms_existing,
        rules=result.rules,
    )


# ---------------------------------------------------------------------------------------------- citation maps


class CitationOut(Schema):
    id: int
    rule_id: int
    rule: str
    version_id: int
    article_id: int
    item_id: int | None
    citation: str
    text: str
    status: str
    source: str
    score: float
    confirmed_by_id: int | None
    confirmed_at: dt.datetime | None

    @staticmethod
    def from_model(c: RuleCitation) -> CitationOut:
        clause = c.clause
        return CitationOut(
            id=c.pk,
            rule_id=c.rule_id,
            rule=c.rule.code,
            version_id=c.version_id,
            article_id=c.article_id,
            item_id=c.item_id,
            citation=clause.citation,
            text=clause.text,
            status=c.status,
            source=c.source,
            score=c.score,
            confirmed_by_id=c.confirmed_by_id,
            confirmed_at=c.confirmed_at,
        )


class CitationAddIn(Schema):
    rule_id: Id
    version_id: Id
    article_id: Id
    item_id: Id | None = None


def _citation(viewer: object, citation_id: int) -> CitationOut:
    row = selectors.citation_get_for(viewer, citation_id)  # type: ignore[arg-type]
    row = selectors.citation_list(viewer=viewer, version=row.version).get(pk=row.pk)  # type: ignore[arg-type]
    return CitationOut.from_model(row)


@router.get("/citations", response=list[CitationOut])
def citations_list(request: HttpRequest, page: Query[PageIn], version: Id) -> list[CitationOut]:
    """The citation map of one regulation version: every row (confirmed, suggested, rejected), by id."""
    viewer = request.auth  # type: ignore[attr-defined]
    rows = selectors.citation_list(viewer=viewer, version=selectors.citation_version_get_for(viewer, version))
    return [CitationOut.from_model(c) for c in paginate(rows, page)]


@router.post("/citations", response=CitationOut)
def citation_add(request: HttpRequest, payload: CitationAddIn) -> CitationOut:
    viewer = request.auth  # type: ignore[attr-defined]
    row = services.citation_add(
        actor=viewer,
        rule=selectors.rule_get_for(viewer, payload.rule_id),
        version=selectors.citation_version_get_for(viewer, payload.version_id),
        article_id=payload.article_id,
        item_id=payload.item_id,
    )
    return _citation(viewer, row.pk)


@router.post("/citations/{citation_id}/confirm", response=CitationOut)
def citation_confirm(request: HttpRequest, citation_id: int) -> CitationOut:
    viewer = request.auth  # type: ignore[attr-defined]
    services.citation_confirm(actor=viewer, citation=selectors.citation_get_for(viewer, citation_id))
    return _citation(viewer, citation_id)


@router.post("/citations/{citation_id}/reject", response=CitationOut)
def citation_reject(request: HttpRequest, citation_id: int) -> CitationOut:
    viewer = request.auth  # type: ignore[attr-defined]
    services.citation_reject(actor=viewer, citation=selectors.citation_get_for(viewer, citation_id))
    return _citation(viewer, citation_id)


@router.post("/citations/{citation_id}/remove", response=CitationOut)
def citation_remove(request: HttpRequest, citation_id: int) -> CitationOut:
    viewer = request.auth  # type: ignore[attr-defined]
    services.citation_remove(actor=viewer, citation=selectors.citation_get_for(viewer, citation_id))
    return _citation(viewer, citation_id)


# --------------------------------------------------------------------------------------------- rule editing

Term = Annotated[str, Text(_max(RuleTerm, "term"))]
Short = Annotated[str, Text(FILTER_MAX)]
Pattern = Annotated[str, Text(MAX_PATTERN)]


class RuleEditIn(Schema):
    """The fields to change; a field left out keeps its value. Lists replace the whole list."""

    name: Annotated[str, Text(_max(Rule, "name"))] | None = None
    severity: Short | None = None
    enabled: bool | None = None
    article: Annotated[str, Text(_max(Rule, "article"))] | None = None
    terms: Annotated[list[Term], Field(max_length=MAX_TERMS)] | None = None
    patterns: Annotated[list[Pattern], Field(max_length=MAX_PATTERNS)] | None = None
    allow: Annotated[list[Term], Field(max_length=MAX_ALLOW)] | None = None
    detectors: Annotated[list[Short], Field(max_length=50)] | None = None
    chat_types: Annotated[list[Short], Field(max_length=10)] | None = None
    sides: Annotated[list[Short], Field(max_length=10)] | None = None
    msgtypes: Annotated[list[Short], Field(max_length=50)] | None = None
    departments: Annotated[list[Id], Field(max_length=MAX_SCOPE_IDS)] | None = None
    members: Annotated[list[Id], Field(max_length=MAX_SCOPE_IDS)] | None = None
    hour_start: Annotated[int, Bounded("hour_start", 0, 24)] | None = None
    hour_end: Annotated[int, Bounded("hour_end", 0, 24)] | None = None
    reason: Annotated[str, Text(MAX_REASON)] = ""

    def fields(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True, exclude={"reason", "code", "category"})


class RuleCreateIn(RuleEditIn):
    code: Annotated[str, Text(_max(Rule, "code"))]
    category: Short


class RuleDetailOut(Schema):
    id: int
    code: str
    category: str
    builtin: bool
    revision: int
    name: str
    severity: str
    enabled: bool
    article: str
    terms: list[str]
    patterns: list[str]
    allow: list[str]
    detectors: list[str]
    departments: list[int]
    members: list[int]
    chat_types: list[str]
    sides: list[str]
    msgtypes: list[str]
    hour_start: int | None
    hour_end: int | None


class RevisionOut(Schema):
    number: int
    created_at: dt.datetime
    actor_id: int | None
    actor_name: str
    reason: str
    restored_from: int | None
    baseline: bool
    snapshot: dict[str, Any]


class RuleTestIn(Schema):
    """Scan `text` with a draft: the saved rule `rule_id` (if given) changed by `fields`, or a new rule."""

    text: Annotated[str, Text(MAX_SAMPLE, 1)]
    rule_id: Id | None = None
    code: Annotated[str, Text(_max(Rule, "code"))] = "draft"
    category: Short = ""
    fields: RuleEditIn = RuleEditIn()
    chat_type: Short = "single"
    side: Short = "staff"
    msgtype: Short = "text"
    hour: Annotated[int, Bounded("hour", 0, 23)] = 10


class FindingOut(Schema):
    rule: str
    rule_name: str
    category: str
    severity: str
    start: int
    end: int
    matched: str
    detector: str
    confidence: float
    allowed_by: str = ""


class RuleTestOut(Schema):
    own: list[FindingOut]
    all: list[FindingOut]
    suppressed: list[FindingOut]


def _rule_detail(rule: Rule) -> RuleDetailOut:
    snap = services.rule_snapshot(rule)
    revision = selectors.rule_revisions(rule, limit=1)
    return RuleDetailOut(
        id=rule.pk,
        code=rule.code,
        category=rule.category,
        builtin=rule.builtin,
        revision=revision[0].number if revision else 0,
        **snap,
    )


def _finding(f: Any, rule_name: str, allowed_by: str = "") -> FindingOut:
    return FindingOut(
        rule=f.rule,
        rule_name=rule_name,
        category=f.category,
        severity=f.severity,
        start=f.start,
        end=f.end,
        matched=f.matched,
        detector=f.detector,
        confidence=f.confidence,
        allowed_by=allowed_by,
    )


@router.post("/rules", response={201: RuleDetailOut})
def rule_create(request: HttpRequest, payload: RuleCreateIn) -> Status[RuleDetailOut]:
    viewer = request.auth  # type: ignore[attr-defined]
    selectors.rule_editor_check(viewer)
    rule = services.rule_create(
        actor=viewer, code=payload.code, category=payload.category, reason=payload.reason, **payload.fields()
    )
    return Status(201, _rule_detail(rule))


@router.post("/rules/test", response=RuleTestOut)
def rule_test(request: HttpRequest, payload: RuleTestIn) -> RuleTestOut:
    viewer = request.auth  # type: ignore[attr-defined]
    selectors.rule_editor_check(viewer)
    rule = selectors.rule_get_for_editor(viewer, payload.rule_id) if payload.rule_id else None
    result = services.rule_test(
        actor=viewer,
        rule=rule,
        text=payload.text,
        fields=payload.fields.fields(),
        code=payload.code,
        category=payload.category,
        chat_type=payload.chat_type,
        side=payload.side,
        msgtype=payload.msgtype,
        hour=payload.hour,
    )
    return RuleTestOut(
        own=[_finding(h.finding, h.rule_name) for h in result.own],
        all=[_finding(h.finding, h.rule_name) for h in result.all],
        suppressed=[_finding(s.finding, "", s.phrase) for s in result.suppressed],
    )


@router.get("/rules/{rule_id}", response=RuleDetailOut)
def rule_get(request: HttpRequest, rule_id: int) -> RuleDetailOut:
    return _rule_detail(selectors.rule_get_for_editor(request.auth, rule_id))  # type: ignore[attr-defined]


@router.patch("/rules/{rule_id}", response=RuleDetailOut)
def rule_update(request: HttpRequest, rule_id: int, payload: RuleEditIn) -> RuleDetailOut:
    viewer = request.auth  # type: ignore[attr-defined]
    rule = selectors.rule_get_for_editor(viewer, rule_id)
    rule = services.rule_update(actor=viewer, rule=rule, reason=payload.reason, **payload.fields())
    return _rule_detail(rule)


@router.get("/rules/{rule_id}/revisions", response=list[RevisionOut])
def rule_revisions(request: HttpRequest, rule_id: int) -> list[RevisionOut]:
    """The newest revisions (at most 50), newest first."""
    rule = selectors.rule_get_for_editor(request.auth, rule_id)  # type: ignore[attr-defined]
    return [
        RevisionOut(
            number=r.number,
            created_at=r.created_at,
            actor_id=r.actor_id,
            actor_name=r.actor.name if r.actor else "",
            reason=r.reason,
            restored_from=r.restored_from,
            baseline=r.baseline,
            snapshot=r.snapshot,
        )
        for r in selectors.rule_revisions(rule)
    ]
