"""The /api/discipline/ endpoints: records (scoped like the pages), the inbox, decisions, appeals, policies,
and the Excel export of a period."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from pydantic import Field

from zhidu.core.errors import NotFound
from zhidu.core.schemas import FreeText, Id, PageIn, Text, paginate
from zhidu.org.models import Member

from . import selectors as sel
from . import services as svc
from .models import Appeal, Kind, Sanction, SanctionPolicy, Status
from .xlsx import XLSX_TYPE, sanctions_xlsx

router = Router(tags=["discipline"])

Amount = Annotated[Decimal, Field(gt=0, le=Decimal("999999999.99"), decimal_places=2)]


def _me(request: HttpRequest) -> Member:
    return request.auth  # type: ignore[attr-defined,no-any-return]


class SanctionOut(Schema):
    id: int
    member_id: int
    member_name: str
    kind: str
    amount: Decimal | None
    also_refer: bool
    proposed_kind: str
    proposed_amount: Decimal | None
    status: str
    citation: str
    reasons: list[str]
    violation_id: int | None
    lead_name: str | None
    upper_name: str | None
    change_reason: str
    reason: str
    decided_at: dt.datetime | None
    appeal_status: str | None
    appeal_until: dt.datetime | None


class SanctionListQuery(Schema):
    status: Status | None = None
    member: Id | None = None


class SanctionDecideIn(Schema):
    reason: FreeText = ""


class SanctionChangeIn(Schema):
    kind: Kind
    amount: Amount | None = None
    reason: FreeText


class AppealIn(Schema):
    text: Annotated[str, Text(2000, min_length=1)]


class AppealDecideIn(Schema):
    uphold: bool
    reason: Annotated[str, Text(2000, min_length=1)]


class AppealOut(Schema):
    id: int
    sanction_id: int
    status: str
    text: str
    decided_by_name: str | None
    decision: str


class SanctionPolicyOut(Schema):
    id: int
    name: str
    active: bool
    article_id: int | None
    citation: str
    category: str
    severity: str
    first_kind: str
    again_kind: str
    loss_kind: str
    fine_amount: Decimal
    impact_kind: str
    serious_kind: str
    serious_loss: Decimal
    repeat_threshold: int
    window_days: int
    refer_at_once: bool


class SanctionPolicyIn(Schema):
    name: Annotated[str, Text(100, min_length=1)]
    active: bool = True
    article_id: Id | None = None
    category: Annotated[str, Text(20)] = ""
    severity: Annotated[str, Text(10)] = ""
    first_kind: Kind = Kind.CRITICISM
    again_kind: Kind = Kind.WRITTEN_WARNING
    loss_kind: Kind = Kind.FINE
    fine_amount: Amount
    impact_kind: Kind = Kind.SUSPENSION
    serious_kind: Kind = Kind.DISMISSAL
    serious_loss: Amount
    repeat_threshold: int = Field(ge=2, le=50)
    window_days: int = Field(ge=1, le=3650)
    refer_at_once: bool = False


class ExportQuery(Schema):
    start: dt.date
    end: dt.date


def _out(s: Sanction) -> SanctionOut:
    appeal = getattr(s, "appeal", None)
    return SanctionOut(
        id=s.pk,
        member_id=s.member_id,
        member_name=s.member.name,
        kind=s.kind,
        amount=s.amount,
        also_refer=s.also_refer,
        proposed_kind=s.proposed_kind,
        proposed_amount=s.proposed_amount,
        status=s.status,
        citation=s.citation,
        reasons=sel.reasoning(s),
        violation_id=s.violation_id,
        lead_name=s.lead.name if s.lead else None,
        upper_name=s.upper.name if s.upper else None,
        change_reason=s.change_reason,
        reason=s.reason,
        decided_at=s.decided_at,
        appeal_status=appeal.status if appeal else None,
        appeal_until=svc.appeal_deadline(s) if s.kind not in svc.REWARD_KINDS else None,
    )


def _appeal(a: Appeal) -> AppealOut:
    return AppealOut(
        id=a.pk,
        sanction_id=a.sanction_id,
        status=a.status,
        text=a.text,
        decided_by_name=a.decided_by.name if a.decided_by else None,
        decision=a.decision,
    )


def _policy(p: SanctionPolicy) -> SanctionPolicyOut:
    return SanctionPolicyOut(
        id=p.pk,
        name=p.name,
        active=p.active,
        article_id=p.article_id,
        citation=p.article.citation if p.article else "",
        category=p.category,
        severity=p.severity,
        first_kind=p.first_kind,
        again_kind=p.again_kind,
        loss_kind=p.loss_kind,
        fine_amount=p.fine_amount,
        impact_kind=p.impact_kind,
        serious_kind=p.serious_kind,
        serious_loss=p.serious_loss,
        repeat_threshold=p.repeat_threshold,
        window_days=p.window_days,
        refer_at_once=p.refer_at_once,
    )


def _get(request: HttpRequest, sanction_id: int) -> Sanction:
    return sel.sanction_get_for(_me(request), sanction_id)


@router.get("/records", response=list[SanctionOut])
def record_list(request: HttpRequest, page: Query[PageIn], q: Query[SanctionListQuery]) -> list[SanctionOut]:
    """Rewards and penalties the caller may read, newest first (`after`: the last id of the previous page)."""
    qs = Sanction.objects.visible_to(_me(request)).select_related("member", "lead", "upper", "appeal")
    if q.status:
        qs = qs.filter(status=q.status)
    if q.member:
        qs = qs.filter(member_id=q.member)
    return [_out(s) for s in paginate(qs, page, descending=True)]


@router.get("/inbox", response=list[SanctionOut])
def inbox(request: HttpRequest, page: Query[PageIn]) -> list[SanctionOut]:
    """Open proposals the caller may decide."""
    qs = Sanction.objects.filter(sel.inbox_q(_me(request))).select_related("member", "lead", "upper", "appeal")
    return [_out(s) for s in paginate(qs, page, descending=True)]


@router.get("/records/{sanction_id}", response=SanctionOut)
def record_detail(request: HttpRequest, sanction_id: int) -> SanctionOut:
    return _out(_get(request, sanction_id))


@router.post("/records/{sanction_id}/approve", response=SanctionOut)
def record_approve(request: HttpRequest, sanction_id: int, payload: SanctionDecideIn) -> SanctionOut:
    s = svc.sanction_approve(actor=_me(request), sanction=_get(request, sanction_id), reason=payload.reason)
    return _out(_get(request, s.pk))


@router.post("/records/{sanction_id}/change", response=SanctionOut)
def record_change(request: HttpRequest, sanction_id: int, payload: SanctionChangeIn) -> SanctionOut:
    s = svc.sanction_change(
        actor=_me(request),
        sanction=_get(request, sanction_id),
        kind=payload.kind,
        amount=payload.amount,
        reason=payload.reason,
    )
    return _out(_get(request, s.pk))


@router.post("/records/{sanction_id}/reject", response=SanctionOut)
def record_reject(request: HttpRequest, sanction_id: int, payload: SanctionDecideIn) -> SanctionOut:
    s = svc.sanction_reject(actor=_me(request), sanction=_get(request, sanction_id), reason=payload.reason)
    return _out(_get(request, s.pk))


@router.post("/records/{sanction_id}/appeal", response=AppealOut)
def record_appeal(request: HttpRequest, sanction_id: int, payload: AppealIn) -> AppealOut:
    return _appeal(svc.appeal_submit(actor=_me(request), sanction=_get(request, sanction_id), text=payload.text))


@router.post("/records/{sanction_id}/appeal/decide", response=AppealOut)
def record_appeal_decide(request: HttpRequest, sanction_id: int, payload: AppealDecideIn) -> AppealOut:
    s = _get(request, sanction_id)
    appeal = Appeal.objects.filter(sanction=s).first()
    if appeal is None:
        raise NotFound
    done = svc.appeal_decide(actor=_me(request), appeal=appeal, uphold=payload.uphold, reason=payload.reason)
    return _appeal(done)


@router.get("/export")
def export(request: HttpRequest, q: Query[ExportQuery]) -> HttpResponse:
    """The caller's visible records of a period (local days, inclusive) as an Excel workbook."""
    if not sel.can_read(_me(request)):
        raise NotFound
    rows = sel.period_sanctions(_me(request), q.start, q.end, limit=settings.DISCIPLINE_EXPORT_MAX_ROWS)
    response = HttpResponse(sanctions_xlsx(rows), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="sanctions-{q.start:%Y%m%d}-{q.end:%Y%m%d}.xlsx"'
    return response


@router.get("/policies", response=list[SanctionPolicyOut])
def policy_list(request: HttpRequest) -> list[SanctionPolicyOut]:
    return [_policy(p) for p in sel.policy_list(_me(request))]


@router.post("/policies", response=SanctionPolicyOut)
def policy_create(request: HttpRequest, payload: SanctionPolicyIn) -> SanctionPolicyOut:
    if not sel.can_edit_policies(_me(request)):
        raise NotFound
    return _policy(svc.policy_save(actor=_me(request), data=payload.dict()))


@router.put("/policies/{policy_id}", response=SanctionPolicyOut)
def policy_update(request: HttpRequest, policy_id: int, payload: SanctionPolicyIn) -> SanctionPolicyOut:
    policy = sel.policy_get_for(_me(request), policy_id)
    return _policy(svc.policy_save(actor=_me(request), policy=policy, data=payload.dict()))
