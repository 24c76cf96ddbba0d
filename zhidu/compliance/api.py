"""REST API of the compliance app: violations (list, detail with evidence, confirm, dismiss), rules, and the
rules' citation maps (list a version's map, confirm, reject, add, remove)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.http import HttpRequest
from ninja import Query, Router, Schema

from zhidu.core.schemas import FilterText, FreeText, Id, PageIn, Text, paginate
from zhidu.core.text import model_max_length as _max

from . import selectors, services
from .models import Rule, RuleCitation, RuleTerm, Violation

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
    evidence: list[EvidenceOut]


class ReviewIn(Schema):
    reason: FreeText = ""


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
def violation_confirm(request: HttpRequest, violation_id: int, payload: ReviewIn) -> ViolationDetailOut:
    viewer = request.auth  # type: ignore[attr-defined]
    v = services.violation_confirm(
        actor=viewer, violation=selectors.violation_get_for(viewer, violation_id), reason=payload.reason
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
