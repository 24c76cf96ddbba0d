"""REST: /api/performance/ — scorecards (list, detail with the breakdown, mine, compute, acknowledge,
evaluations), rankings (live or frozen, snapshots, freeze), the Excel export, metrics and KPI sets.
Scoped like the pages: foreign scorecards are 404; administrators only reach the KPI endpoints."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from pydantic import Field

from zhidu.core.errors import NotFound
from zhidu.core.periods import local_today, period_start
from zhidu.core.schemas import FreeText, Id, PageIn, paginate
from zhidu.org.models import Member, Role

from . import selectors as sel
from . import services as svc
from . import xlsx
from .metrics import all_metrics
from .models import Curve, KpiSet, PeriodKind, RankingSnapshot, Scorecard, SetStatus

router = Router(tags=["performance"])


def _me(request: HttpRequest) -> Member:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _reader(request: HttpRequest) -> Member:
    me = _me(request)
    if not sel.can_read(me):
        raise NotFound
    return me


Day = Annotated[dt.date, Field(ge=svc.DATE_MIN, le=svc.DATE_MAX)]


class PerfPeriodQuery(Schema):
    kind: PeriodKind = PeriodKind.MONTH
    start: Day | None = None

    def period(self) -> tuple[str, dt.date]:
        return self.kind, period_start(self.kind, self.start or local_today())


class ScorecardOut(Schema):
    id: int
    member_id: int
    member_name: str
    period_kind: str
    start: dt.date
    total: Decimal
    achievement: Decimal | None
    kpi_set_name: str
    computed_at: dt.datetime
    acknowledged_at: dt.datetime | None


class RecordLinkOut(Schema):
    label: str
    url: str


class ScoreLineOut(Schema):
    metric: str
    label: str
    raw: Decimal | None
    target: Decimal
    score: Decimal
    weight: Decimal
    contribution: Decimal
    records: list[RecordLinkOut]


class EvaluationOut(Schema):
    author_name: str
    text: str
    created_at: dt.datetime


class ScorecardDetailOut(ScorecardOut):
    lines: list[ScoreLineOut]
    evaluations: list[EvaluationOut]


class ScorecardComputeIn(Schema):
    member_id: Id
    kind: PeriodKind = PeriodKind.MONTH
    start: Day | None = None


class EvaluationIn(Schema):
    text: FreeText


class RankRowOut(Schema):
    member_id: int
    member_name: str
    rank: int
    score: Decimal
    achievement: Decimal | None


class RankGroupOut(Schema):
    scope: str
    scope_id: int | None
    scope_name: str
    rows: list[RankRowOut]


class RankingsOut(Schema):
    period_kind: str
    start: dt.date
    frozen: bool
    snapshot_id: int | None
    groups: list[RankGroupOut]


class SnapshotOut(Schema):
    id: int
    period_kind: str
    start: dt.date
    frozen_at: dt.datetime


class FreezeIn(Schema):
    kind: PeriodKind
    start: Day


class MetricOut(Schema):
    code: str
    label: str
    unit: str
    higher_is_better: bool


class KpiItemIn(Schema):
    metric: str = Field(max_length=40)
    weight: Decimal
    target: Decimal
    curve: Curve = Curve.LINEAR
    cap: Decimal | None = None
    thresholds: list[tuple[Decimal, Decimal]] = Field(default_factory=list, max_length=50)


class KpiSetIn(Schema):
    name: FreeText
    role: Role
    period_kind: PeriodKind
    valid_from: Day
    valid_until: Day | None = None
    status: SetStatus = SetStatus.ACTIVE
    items: list[KpiItemIn] = Field(max_length=svc.ITEMS_MAX)


class KpiItemOut(Schema):
    metric: str
    weight: Decimal
    target: Decimal
    curve: str
    cap: Decimal | None
    thresholds: list[list[str]]


class KpiSetOut(Schema):
    id: int
    name: str
    role: str
    period_kind: str
    valid_from: dt.date
    valid_until: dt.date | None
    status: str
    items: list[KpiItemOut]


def _card(c: Scorecard) -> dict[str, object]:
    return {
        "id": c.pk,
        "member_id": c.member_id,
        "member_name": c.member.name,
        "period_kind": c.period_kind,
        "start": c.start,
        "total": c.total,
        "achievement": c.achievement,
        "kpi_set_name": c.kpi_set.name,
        "computed_at": c.computed_at,
        "acknowledged_at": c.acknowledged_at,
    }


def _detail(c: Scorecard) -> ScorecardDetailOut:
    lines = [
        ScoreLineOut(
            metric=v.line.metric,
            label=v.label,
            raw=v.line.raw,
            target=v.line.target,
            score=v.line.score,
            weight=v.line.weight,
            contribution=v.line.contribution,
            records=[RecordLinkOut(label=label, url=url) for label, url in v.records],
        )
        for v in sel.card_lines(c)
    ]
    evaluations = [
        EvaluationOut(author_name=e.author.name, text=e.text, created_at=e.created_at) for e in sel.card_evaluations(c)
    ]
    return ScorecardDetailOut(**_card(c), lines=lines, evaluations=evaluations)  # type: ignore[arg-type]


@router.get("/scorecards", response=list[ScorecardOut])
def scorecard_list(
    request: HttpRequest, page: Query[PageIn], q: Query[PerfPeriodQuery], member: Id | None = None
) -> list[ScorecardOut]:
    """The period's scorecards the caller may read, by id."""
    kind, start = q.period()
    qs = Scorecard.objects.visible_to(_reader(request)).filter(period_kind=kind, start=start)
    if member is not None:
        qs = qs.filter(member_id=member)
    qs = qs.select_related("member", "kpi_set")
    return [ScorecardOut(**_card(c)) for c in paginate(qs, page)]  # type: ignore[arg-type]


@router.get("/scorecards/mine", response=ScorecardDetailOut)
def scorecard_mine(request: HttpRequest, q: Query[PerfPeriodQuery]) -> ScorecardDetailOut:
    me = _reader(request)
    kind, start = q.period()
    card = sel.scorecard_of(me, me.pk, kind, start)
    if card is None:
        raise NotFound
    return _detail(card)


@router.post("/scorecards/compute", response=ScorecardDetailOut)
def scorecard_compute(request: HttpRequest, payload: ScorecardComputeIn) -> ScorecardDetailOut:
    """Compute one member's scorecard now (the member themself or a lead whose scope holds them)."""
    me = _reader(request)
    member = Member.objects.visible_to(me).filter(pk=payload.member_id).first()
    if member is None or not me.can_see_work_of(member):
        raise NotFound
    kind = payload.kind
    card = svc.scorecard_recompute_request(
        actor=me, member=member, kind=kind, start=period_start(kind, payload.start or local_today())
    )
    return _detail(sel.scorecard_get_for(me, card.pk))


@router.get("/scorecards/{card_id}", response=ScorecardDetailOut)
def scorecard_detail(request: HttpRequest, card_id: int) -> ScorecardDetailOut:
    return _detail(sel.scorecard_get_for(_reader(request), card_id))


@router.post("/scorecards/{card_id}/acknowledge", response=ScorecardDetailOut)
def scorecard_acknowledge(request: HttpRequest, card_id: int) -> ScorecardDetailOut:
    me = _reader(request)
    card = svc.scorecard_acknowledge(actor=me, scorecard=sel.scorecard_get_for(me, card_id))
    return _detail(sel.scorecard_get_for(me, card.pk))


@router.post("/scorecards/{card_id}/evaluations", response=ScorecardDetailOut)
def evaluation_add(request: HttpRequest, card_id: int, payload: EvaluationIn) -> ScorecardDetailOut:
    me = _reader(request)
    card = sel.scorecard_get_for(me, card_id)
    svc.evaluation_add(actor=me, scorecard=card, text=payload.text)
    return _detail(card)


@router.get("/rankings", response=RankingsOut)
def rankings(request: HttpRequest, q: Query[PerfPeriodQuery]) -> RankingsOut:
    """Every ranking of the period the caller may read: frozen when the period is, else live."""
    me = _reader(request)
    kind, start = q.period()
    snap = sel.snapshot_find(kind, start)
    groups = sel.visible_groups(me, sel.snapshot_groups(snap) if snap else sel.live_rankings(kind, start))
    return RankingsOut(
        period_kind=kind,
        start=start,
        frozen=snap is not None,
        snapshot_id=snap.pk if snap else None,
        groups=[
            RankGroupOut(
                scope=g.scope,
                scope_id=g.scope_id,
                scope_name=g.scope_name,
                rows=[RankRowOut(**vars(r)) for r in g.rows],
            )
            for g in groups
        ],
    )


@router.get("/rankings/snapshots", response=list[SnapshotOut])
def snapshot_list(request: HttpRequest, page: Query[PageIn], kind: PeriodKind = PeriodKind.MONTH) -> list[SnapshotOut]:
    _reader(request)
    qs = RankingSnapshot.objects.filter(period_kind=kind)
    return [
        SnapshotOut(id=s.pk, period_kind=s.period_kind, start=s.start, frozen_at=s.frozen_at)
        for s in paginate(qs, page, descending=True)
    ]


@router.post("/rankings/freeze", response=SnapshotOut)
def ranking_freeze(request: HttpRequest, payload: FreezeIn) -> SnapshotOut:
    s = svc.ranking_freeze(actor=_reader(request), kind=payload.kind, start=payload.start)
    return SnapshotOut(id=s.pk, period_kind=s.period_kind, start=s.start, frozen_at=s.frozen_at)


@router.get("/export")
def export(request: HttpRequest, q: Query[PerfPeriodQuery]) -> HttpResponse:
    me = _reader(request)
    if me.role == Role.SALES:
        raise NotFound
    kind, start = q.period()
    response = HttpResponse(xlsx.scorecards_xlsx(me, kind, start), content_type=xlsx.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="scorecards-{kind}-{start:%Y-%m-%d}.xlsx"'
    return response


def _writer(request: HttpRequest) -> Member:
    me = _me(request)
    if me is None or not me.is_active or me.role not in svc.KPI_WRITERS:
        raise NotFound
    return me


@router.get("/metrics", response=list[MetricOut])
def metric_list(request: HttpRequest) -> list[MetricOut]:
    _writer(request)
    return [
        MetricOut(code=m.code, label=str(m.label), unit=m.unit, higher_is_better=m.higher_is_better)
        for m in all_metrics()
    ]


def _set(s: KpiSet) -> KpiSetOut:
    return KpiSetOut(
        id=s.pk,
        name=s.name,
        role=s.role,
        period_kind=s.period_kind,
        valid_from=s.valid_from,
        valid_until=s.valid_until,
        status=s.status,
        items=[
            KpiItemOut(
                metric=i.metric, weight=i.weight, target=i.target, curve=i.curve, cap=i.cap, thresholds=i.thresholds
            )
            for i in s.items.all()
        ],
    )


@router.get("/kpis", response=list[KpiSetOut])
def kpi_list(request: HttpRequest, page: Query[PageIn]) -> list[KpiSetOut]:
    _writer(request)
    return [_set(s) for s in paginate(KpiSet.objects.prefetch_related("items"), page)]


def _items(payload: KpiSetIn) -> list[svc.ItemInput]:
    return [
        svc.ItemInput(
            metric=i.metric,
            weight=i.weight,
            target=i.target,
            curve=i.curve,
            cap=i.cap,
            thresholds=[[str(v), str(s)] for v, s in i.thresholds],
        )
        for i in payload.items
    ]


def _fields(payload: KpiSetIn) -> dict[str, object]:
    return {
        "name": payload.name,
        "role": payload.role,
        "period_kind": payload.period_kind,
        "valid_from": payload.valid_from,
        "valid_until": payload.valid_until,
        "status": payload.status,
        "items": _items(payload),
    }


@router.post("/kpis", response=KpiSetOut)
def kpi_create(request: HttpRequest, payload: KpiSetIn) -> KpiSetOut:
    return _set(svc.kpi_set_create(actor=_writer(request), **_fields(payload)))  # type: ignore[arg-type]


@router.put("/kpis/{set_id}", response=KpiSetOut)
def kpi_update(request: HttpRequest, set_id: int, payload: KpiSetIn) -> KpiSetOut:
    me = _writer(request)
    kpi_set = KpiSet.objects.filter(pk=set_id).first()
    if kpi_set is None:
        raise NotFound
    return _set(svc.kpi_set_update(actor=me, kpi_set=kpi_set, **_fields(payload)))  # type: ignore[arg-type]
