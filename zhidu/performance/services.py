"""Every write of performance: KPI sets, scorecard computation (bulk and for one member), evaluations,
acknowledgements and freezing a period's rankings. Keyword-only, validated first, one transaction, audited.

The bulk computation reads each metric once for the whole period with a grouped query (GROUP BY member), so
its query count does not grow with the number of members (writes are batched by the database backend).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from zhidu.core.audit import audit_record, snapshot
from zhidu.core.errors import DomainError
from zhidu.core.events import publish
from zhidu.core.periods import local_today, period_end, period_start
from zhidu.core.text import TEXT_MAX
from zhidu.org.models import LEAD_ROLES, Member, MemberStatus, Role, work_scope_q

from . import errors as E
from .contracts import RANKING_FROZEN
from .metrics import REVENUE, PeriodScope, Values, get_metric
from .models import (
    ASSESSED_ROLES,
    Curve,
    Evaluation,
    KpiItem,
    KpiSet,
    PeriodKind,
    RankingEntry,
    RankingSnapshot,
    Scorecard,
    ScoreLine,
    SetStatus,
)
from .scoring import HUNDRED, ZERO, contribution, curve_score, q2

ITEMS_MAX = 20
WRITE_CHUNK = 500  # ids per DELETE … IN (…) (SQLite's parameter limit)
# Periods outside these years are refused (and never computed): far dates overflow the calendar arithmetic.
DATE_MIN = dt.date(2000, 1, 1)
DATE_MAX = dt.date(2099, 12, 31)
NAME_MAX = 100
KPI_WRITERS = (Role.DIRECTOR, Role.ADMIN)


# --- KPI sets --------------------------------------------------------------------------------------------


@dataclass
class ItemInput:
    metric: str
    weight: Any
    target: Any
    curve: str = Curve.LINEAR
    cap: Any = None
    thresholds: Any = field(default_factory=list)


def _number(value: Any) -> Decimal:
    if isinstance(value, float) or value is None or isinstance(value, bool):
        raise InvalidOperation
    number = Decimal(str(value).strip())
    if not number.is_finite():
        raise InvalidOperation
    return number


def parse_thresholds(value: Any) -> list[list[str]]:
    """ "80:60, 100:100" or [[80, 60], [100, 100]] → [["80", "60"], ["100", "100"]]; ValueError when malformed."""
    if isinstance(value, str):
        parts = [p.strip() for p in value.replace("，", ",").replace("：", ":").split(",") if p.strip()]
        pairs: list[Sequence[Any]] = [p.split(":") for p in parts]
    else:
        pairs = list(value or [])
    out: list[list[str]] = []
    for pair in pairs:
        if len(pair) != 2:
            raise ValueError
        try:
            v, s = _number(pair[0]), _number(pair[1])
        except (InvalidOperation, ValueError, TypeError):
            raise ValueError from None
        if not ZERO <= s <= HUNDRED or abs(v) > Decimal("1e12"):
            raise ValueError
        out.append([str(q2(v)), str(q2(s))])
    if not out:
        raise ValueError
    return sorted(out, key=lambda p: Decimal(p[0]))


def _clean_items(items: Sequence[ItemInput]) -> list[KpiItem]:
    if not items:
        raise DomainError(E.ERR_KPI_NO_ITEMS, field="items")
    if len(items) > ITEMS_MAX:
        raise DomainError(E.ERR_KPI_TOO_MANY, field="items", max=ITEMS_MAX)
    out: list[KpiItem] = []
    seen: set[str] = set()
    for item in items:
        metric = get_metric(item.metric)
        if metric is None:
            raise DomainError(E.ERR_KPI_METRIC, field="items", value=item.metric)
        label = str(metric.label)
        if item.metric in seen:
            raise DomainError(E.ERR_KPI_METRIC_TWICE, field="items", label=label)
        seen.add(item.metric)
        try:
            weight = _number(item.weight)
        except (InvalidOperation, ValueError):
            raise DomainError(E.ERR_KPI_WEIGHT, field="items", label=label) from None
        if not ZERO < weight <= HUNDRED or weight != q2(weight):
            raise DomainError(E.ERR_KPI_WEIGHT, field="items", label=label)
        try:
            target = _number(item.target)
        except (InvalidOperation, ValueError):
            raise DomainError(E.ERR_KPI_TARGET, field="items", label=label) from None
        if target < 0 or target > Decimal("1e12"):
            raise DomainError(E.ERR_KPI_TARGET, field="items", label=label)
        if item.curve not in Curve.values:
            raise DomainError(E.ERR_KPI_CURVE, field="items", label=label, value=item.curve)
        cap: Decimal | None = None
        thresholds: list[list[str]] = []
        if item.curve == Curve.LINEAR_CAP:
            try:
                cap = _number(item.cap)
            except (InvalidOperation, ValueError):
                raise DomainError(E.ERR_KPI_CAP, field="items", label=label) from None
            if not HUNDRED <= cap <= Decimal(1000):
                raise DomainError(E.ERR_KPI_CAP, field="items", label=label)
        if item.curve == Curve.THRESHOLDS:
            try:
                thresholds = parse_thresholds(item.thresholds)
            except ValueError:
                raise DomainError(E.ERR_KPI_THRESHOLDS, field="items", label=label) from None
        out.append(
            KpiItem(
                metric=item.metric,
                weight=q2(weight),
                target=q2(target),
                curve=item.curve,
                cap=q2(cap) if cap is not None else None,
                thresholds=thresholds,
            )
        )
    total = sum((i.weight for i in out), ZERO)
    if total != HUNDRED:
        raise DomainError(E.ERR_KPI_WEIGHTS_SUM, field="items", total=format(total.normalize(), "f"))
    return out


def _clean_set(
    *,
    actor: Member,
    name: str,
    role: str,
    period_kind: str,
    valid_from: dt.date,
    valid_until: dt.date | None,
    status: str,
    exclude: int | None,
) -> tuple[str, dt.date, dt.date | None]:
    if actor.role not in KPI_WRITERS or not actor.is_active:
        raise DomainError(E.ERR_KPI_ADMIN_ONLY, code="forbidden")
    name = (name or "").strip()
    if not 1 <= len(name) <= NAME_MAX:
        raise DomainError(E.ERR_KPI_NAME, field="name", max=NAME_MAX)
    if role not in ASSESSED_ROLES:
        raise DomainError(E.ERR_KPI_ROLE, field="role")
    if period_kind not in PeriodKind.values:
        raise DomainError(E.ERR_KPI_KIND, field="period_kind", value=period_kind)
    if status not in SetStatus.values:
        raise DomainError(E.ERR_KPI_STATUS, field="status", value=status)
    if not DATE_MIN <= valid_from <= DATE_MAX or (valid_until and not DATE_MIN <= valid_until <= DATE_MAX):
        raise DomainError(E.ERR_DATE_RANGE, field="valid_from", min=DATE_MIN.year, max=DATE_MAX.year)
    start = period_start(period_kind, valid_from)
    until = period_start(period_kind, valid_until) if valid_until else None
    if until is not None and until < start:
        raise DomainError(E.ERR_KPI_RANGE, field="valid_until")
    # Two sets of a role and kind overlap unless one ends before the other begins.
    others = KpiSet.objects.filter(role=role, period_kind=period_kind)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    others = others.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=start))
    if until is not None:
        others = others.filter(valid_from__lte=until)
    clash = others.order_by("valid_from").first()
    if clash is not None:
        raise DomainError(
            E.ERR_KPI_OVERLAP, field="valid_from", code="conflict", name=clash.name, start=clash.valid_from
        )
    return name, start, until


SET_FIELDS = ["name", "role", "period_kind", "valid_from", "valid_until", "status"]


def _items_audit(items: Iterable[KpiItem]) -> list[dict[str, Any]]:
    return [snapshot(i, ["metric", "weight", "target", "curve", "cap", "thresholds"]) for i in items]


@transaction.atomic
def kpi_set_create(
    *,
    actor: Member,
    name: str,
    role: str,
    period_kind: str,
    valid_from: dt.date,
    valid_until: dt.date | None = None,
    status: str = SetStatus.ACTIVE,
    items: Sequence[ItemInput],
) -> KpiSet:
    name, start, until = _clean_set(
        actor=actor,
        name=name,
        role=role,
        period_kind=period_kind,
        valid_from=valid_from,
        valid_until=valid_until,
        status=status,
        exclude=None,
    )
    rows = _clean_items(items)
    kpi_set = KpiSet.objects.create(
        name=name, role=role, period_kind=period_kind, valid_from=start, valid_until=until, status=status
    )
    for row in rows:
        row.kpi_set = kpi_set
    KpiItem.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        verb="kpi_set.create",
        target=kpi_set,
        after={**snapshot(kpi_set, SET_FIELDS), "items": _items_audit(rows)},
    )
    return kpi_set


@transaction.atomic
def kpi_set_update(
    *,
    actor: Member,
    kpi_set: KpiSet,
    name: str,
    role: str,
    period_kind: str,
    valid_from: dt.date,
    valid_until: dt.date | None = None,
    status: str = SetStatus.ACTIVE,
    items: Sequence[ItemInput],
) -> KpiSet:
    """Replace a set's fields and metrics. Scorecards already computed keep their lines until recomputed."""
    locked = KpiSet.objects.select_for_update().get(pk=kpi_set.pk)
    name, start, until = _clean_set(
        actor=actor,
        name=name,
        role=role,
        period_kind=period_kind,
        valid_from=valid_from,
        valid_until=valid_until,
        status=status,
        exclude=locked.pk,
    )
    rows = _clean_items(items)
    before = {**snapshot(locked, SET_FIELDS), "items": _items_audit(locked.items.all())}
    locked.name, locked.role, locked.period_kind = name, role, period_kind
    locked.valid_from, locked.valid_until, locked.status = start, until, status
    locked.save()
    locked.items.all().delete()
    for row in rows:
        row.kpi_set = locked
    KpiItem.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        verb="kpi_set.update",
        target=locked,
        before=before,
        after={**snapshot(locked, SET_FIELDS), "items": _items_audit(rows)},
    )
    return locked


def sets_for_period(kind: str, start: dt.date) -> dict[str, KpiSet]:
    """The active KPI set of each role for one period (items prefetched): two queries."""
    qs = (
        KpiSet.objects.filter(period_kind=kind, status=SetStatus.ACTIVE, valid_from__lte=start)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=start))
        .prefetch_related("items")
        .order_by("valid_from")
    )
    return {s.role: s for s in qs}  # the latest start wins (sets do not overlap anyway)


# --- scorecards ------------------------------------------------------------------------------------------


@dataclass
class ComputedLine:
    metric: str
    raw: Decimal | None
    target: Decimal
    score: Decimal
    weight: Decimal
    contribution: Decimal


def score_items(items: Iterable[KpiItem], values: dict[str, Values], member_id: int) -> list[ComputedLine]:
    """One member's lines from the metric values already read for the period."""
    lines = []
    for item in items:
        metric = get_metric(item.metric)
        if metric is None:  # a metric whose app was removed: it scores nothing
            raw = None
            higher = True
        else:
            raw = values.get(item.metric, {}).get(member_id, metric.default)
            higher = metric.higher_is_better
        score = curve_score(
            curve=item.curve,
            raw=raw,
            target=item.target,
            higher_is_better=higher,
            cap=item.cap,
            thresholds=item.thresholds,
        )
        lines.append(
            ComputedLine(
                metric=item.metric,
                raw=q2(raw) if raw is not None else None,
                target=item.target,
                score=score,
                weight=item.weight,
                contribution=contribution(score, item.weight),
            )
        )
    return lines


def _read_values(sets: dict[str, KpiSet], scope: PeriodScope) -> dict[str, Values]:
    codes = {i.metric for s in sets.values() for i in s.items.all()} | {REVENUE}
    out: dict[str, Values] = {}
    for code in sorted(codes):
        metric = get_metric(code)
        if metric is not None:
            out[code] = metric.compute(scope)
    return out


@transaction.atomic
def scorecards_compute(
    *, actor: Member | None, kind: str, start: dt.date, member_ids: Iterable[int] | None = None
) -> int:
    """Compute (or recompute) the scorecards of one period: of every active member whose role has an active KPI
    set, or of `member_ids` only. Each metric is read once for all of them. Returns how many were written."""
    if kind not in PeriodKind.values:
        raise DomainError(E.ERR_KPI_KIND, field="period_kind", value=kind)
    start = period_start(kind, start)
    sets = sets_for_period(kind, start)
    if not sets:
        return 0
    ids = frozenset(member_ids) if member_ids is not None else None
    members_qs = Member.objects.filter(status=MemberStatus.ACTIVE, role__in=list(sets))
    if ids is not None:
        members_qs = members_qs.filter(pk__in=sorted(ids))
    members = list(members_qs.values_list("pk", "role"))
    if not members:
        return 0
    scope = PeriodScope(kind=kind, start=start, member_ids=ids)
    values = _read_values(sets, scope)
    now = timezone.now()
    cards_qs = Scorecard.objects.filter(period_kind=kind, start=start)
    lines_qs = ScoreLine.objects.filter(scorecard__period_kind=kind, scorecard__start=start)
    if ids is not None:
        cards_qs = cards_qs.filter(member_id__in=sorted(ids))
        lines_qs = lines_qs.filter(scorecard__member_id__in=sorted(ids))
    existing = {c.member_id: c for c in cards_qs.only("id", "member_id", "kpi_set_id", "total", "achievement")}
    # What is stored now, to write only the cards whose figures changed (a routine recompute changes few).
    stored: dict[int, set[tuple[Any, ...]]] = {}
    for row in lines_qs.values_list("scorecard_id", "metric", "raw", "target", "score", "weight", "contribution"):
        stored.setdefault(row[0], set()).add(row[1:])
    lines_by_member: dict[int, list[ComputedLine]] = {}
    new_cards: list[Scorecard] = []
    changed: list[Scorecard] = []
    for member_id, role in members:
        kpi_set = sets[role]
        lines = score_items(kpi_set.items.all(), values, member_id)
        total = sum((ln.contribution for ln in lines), ZERO)
        raw_achievement = values.get(REVENUE, {}).get(member_id)
        achievement = q2(raw_achievement) if raw_achievement is not None else None
        card = existing.get(member_id)
        if card is None:
            card = Scorecard(member_id=member_id, period_kind=kind, start=start, computed_at=now)
            new_cards.append(card)
        else:
            same_lines = stored.get(card.pk, set()) == {
                (ln.metric, ln.raw, ln.target, ln.score, ln.weight, ln.contribution) for ln in lines
            }
            if same_lines and (card.kpi_set_id, card.total, card.achievement) == (kpi_set.pk, total, achievement):
                continue
            changed.append(card)
        lines_by_member[member_id] = lines
        card.kpi_set_id = kpi_set.pk
        card.total = total
        card.achievement = achievement
        card.updated_at = now
    cards_qs.update(computed_at=now)
    if changed:
        Scorecard.objects.bulk_update(changed, ["kpi_set", "total", "achievement", "updated_at"])
        changed_ids = [c.pk for c in changed]
        for i in range(0, len(changed_ids), WRITE_CHUNK):
            ScoreLine.objects.filter(scorecard_id__in=changed_ids[i : i + WRITE_CHUNK]).delete()
    if new_cards:
        Scorecard.objects.bulk_create(new_cards)
    card_ids = {c.member_id: c.pk for c in changed}
    if new_cards:
        card_ids.update(cards_qs.values_list("member_id", "pk"))
    ScoreLine.objects.bulk_create(
        ScoreLine(
            scorecard_id=card_ids[member_id],
            metric=ln.metric,
            raw=ln.raw,
            target=ln.target,
            score=ln.score,
            weight=ln.weight,
            contribution=ln.contribution,
        )
        for member_id, lines in lines_by_member.items()
        for ln in lines
    )
    audit_record(
        actor=actor,
        verb="scorecard.compute",
        target_type="performance.Scorecard",
        target_id=f"{kind}:{start.isoformat()}",
        after={
            "cards": len(members),
            "written": len(lines_by_member),
            "members": sorted(ids)[:20] if ids is not None else "all",
        },
    )
    return len(members)


def scorecard_compute(*, actor: Member | None, member: Member, kind: str, start: dt.date) -> Scorecard | None:
    """One member's scorecard for one period, computed now (None when no active KPI set applies)."""
    scorecards_compute(actor=actor, kind=kind, start=start, member_ids=[member.pk])
    return Scorecard.objects.filter(member=member, period_kind=kind, start=period_start(kind, start)).first()


def scorecard_recompute_request(*, actor: Member, member: Member, kind: str, start: dt.date) -> Scorecard:
    """ "Compute now" from a page: the member themself or a lead whose scope holds them."""
    allowed = actor.pk == member.pk or (
        actor.role in LEAD_ROLES and Member.objects.filter(pk=member.pk, pk__in=work_scope_q(actor)).exists()
    )
    if not allowed or not actor.is_active:
        raise DomainError(E.ERR_COMPUTE_NOT_ALLOWED, code="forbidden")
    card = scorecard_compute(actor=actor, member=member, kind=kind, start=start)
    if card is None:
        raise DomainError(E.ERR_NO_KPI_SET, code="conflict")
    return card


def member_recompute_for(*, member_id: int, day: dt.date) -> int:
    """Recompute one member's scorecards of every period kind containing `day` (event handlers call this)."""
    member = Member.objects.filter(pk=member_id).first()
    if member is None:
        return 0
    count = 0
    for kind in PeriodKind.values:
        if scorecard_compute(actor=None, member=member, kind=kind, start=period_start(kind, day)) is not None:
            count += 1
    return count


# --- evaluations and acknowledgement ---------------------------------------------------------------------


@transaction.atomic
def evaluation_add(*, actor: Member, scorecard: Scorecard, text: str) -> Evaluation:
    """A lead's written evaluation (评语) beside the scorecard; the score and the rank do not change."""
    is_lead = actor.is_active and actor.role in LEAD_ROLES and actor.pk != scorecard.member_id
    if not is_lead or not Member.objects.filter(pk=scorecard.member_id, pk__in=work_scope_q(actor)).exists():
        raise DomainError(E.ERR_EVAL_LEAD_ONLY, code="forbidden")
    text = (text or "").strip()
    if not 1 <= len(text) <= TEXT_MAX:
        raise DomainError(E.ERR_EVAL_TEXT, field="text", max=TEXT_MAX)
    evaluation = Evaluation.objects.create(scorecard=scorecard, author=actor, text=text)
    audit_record(actor=actor, verb="scorecard.evaluate", target=scorecard, after={"evaluation": evaluation.pk})
    return evaluation


@transaction.atomic
def scorecard_acknowledge(*, actor: Member, scorecard: Scorecard) -> Scorecard:
    if actor.pk != scorecard.member_id or not actor.is_active:
        raise DomainError(E.ERR_ACK_OWN_ONLY, code="forbidden")
    now = timezone.now()
    claimed = Scorecard.objects.filter(pk=scorecard.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=now, updated_at=now
    )
    if not claimed:
        raise DomainError(E.ERR_ACK_DONE, code="conflict")
    audit_record(actor=actor, verb="scorecard.acknowledge", target=scorecard, after={"acknowledged_at": now})
    scorecard.refresh_from_db()
    return scorecard


# --- rankings --------------------------------------------------------------------------------------------


@transaction.atomic
def ranking_freeze(*, actor: Member | None, kind: str, start: dt.date, today: dt.date | None = None) -> RankingSnapshot:
    """Freeze a finished period: recompute its scorecards, then write every scope's ranking once. Publishes
    `performance.ranking_frozen` with the snapshot id (after commit). `actor` None: the periodic job."""
    from .selectors import live_rankings

    if actor is not None and (actor.role != Role.DIRECTOR or not actor.is_active):
        raise DomainError(E.ERR_FREEZE_DIRECTOR_ONLY, code="forbidden")
    if kind not in PeriodKind.values:
        raise DomainError(E.ERR_KPI_KIND, field="period_kind", value=kind)
    start = period_start(kind, start)
    if period_end(kind, start) >= (today or local_today()):
        raise DomainError(E.ERR_FREEZE_NOT_FINISHED, code="conflict")
    if RankingSnapshot.objects.select_for_update().filter(period_kind=kind, start=start).exists():
        raise DomainError(E.ERR_FREEZE_DONE, code="conflict")
    scorecards_compute(actor=actor, kind=kind, start=start)
    snap = RankingSnapshot.objects.create(period_kind=kind, start=start, frozen_at=timezone.now(), frozen_by=actor)
    RankingEntry.objects.bulk_create(
        RankingEntry(
            snapshot=snap,
            scope=g.scope,
            scope_id=g.scope_id,
            scope_name=g.scope_name,
            member_id=r.member_id,
            member_name=r.member_name,
            rank=r.rank,
            score=r.score,
            achievement=r.achievement,
        )
        for g in live_rankings(kind, start)
        for r in g.rows
    )
    audit_record(actor=actor, verb="ranking.freeze", target=snap, after={"period_kind": kind, "start": start})
    publish(RANKING_FROZEN, snapshot_id=snap.pk)
    return snap


def performance_tick(*, today: dt.date | None = None) -> dict[str, int]:
    """The periodic job: freeze each kind's previous period once (when KPIs applied to it), and recompute the
    current periods' scorecards. Idempotent."""
    today = today or local_today()
    out = {"frozen": 0, "computed": 0}
    for kind in PeriodKind.values:
        current = period_start(kind, today)
        previous = period_start(kind, current - dt.timedelta(days=1))
        if (
            sets_for_period(kind, previous)
            and not RankingSnapshot.objects.filter(period_kind=kind, start=previous).exists()
        ):
            try:
                ranking_freeze(actor=None, kind=kind, start=previous, today=today)
                out["frozen"] += 1
            except DomainError:  # frozen meanwhile by a lead or a parallel run
                pass
        out["computed"] += scorecards_compute(actor=None, kind=kind, start=current)
    return out
