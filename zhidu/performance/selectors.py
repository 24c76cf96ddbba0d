"""Reads of performance: scorecards through the asking member's scope, their breakdown with the records
behind each line, live rankings (computed from the period's scorecards) and frozen snapshots.

Ranking scopes: team (members reporting to one lead), department (a department's subtree), company. Who sees
which: director and compliance officers every ranking; a manager the rankings of departments in their subtree
and of teams led inside it; a supervisor their team's; a salesperson only their own row in each ranking that
holds them; administrators none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings

from zhidu.core.errors import NotFound
from zhidu.org.models import MAX_DEPTH, Department, Member, MemberStatus, Role, department_subtree_ids, work_scope_q

from .contracts import RankedRow
from .metrics import PeriodScope, get_metric
from .models import Evaluation, RankingEntry, RankingSnapshot, Scope, Scorecard, ScoreLine
from .scoring import competition_ranks

SCORECARD_READERS = (Role.DIRECTOR, Role.MANAGER, Role.SUPERVISOR, Role.SALES, Role.COMPLIANCE)


def can_read(viewer: Member | None) -> bool:
    return viewer is not None and viewer.is_active and viewer.role in SCORECARD_READERS


def scorecard_get_for(viewer: Member, card_id: int) -> Scorecard:
    card = Scorecard.objects.visible_to(viewer).select_related("member", "kpi_set").filter(pk=card_id).first()
    if card is None:
        raise NotFound
    return card


def scorecard_of(viewer: Member, member_id: int, kind: str, start: dt.date) -> Scorecard | None:
    qs = Scorecard.objects.visible_to(viewer).select_related("member", "kpi_set")
    return qs.filter(member_id=member_id, period_kind=kind, start=start).first()


def scorecard_list(viewer: Member, kind: str, start: dt.date) -> Any:
    """The period's scorecards the viewer may read, best first (callers bound the slice)."""
    return (
        Scorecard.objects.visible_to(viewer)
        .filter(period_kind=kind, start=start)
        .select_related("member", "member__department")
        .order_by("-total", "member__name", "id")
    )


@dataclass
class LineView:
    line: ScoreLine
    label: str
    unit: str
    higher_is_better: bool
    records: list[tuple[str, str]]


def card_lines(card: Scorecard, *, with_records: bool = True) -> list[LineView]:
    """The breakdown: one line per metric, each with up to PERFORMANCE_RECORD_LINKS links to its records."""
    scope = PeriodScope(kind=card.period_kind, start=card.start)
    out = []
    for line in ScoreLine.objects.filter(scorecard=card).order_by("id"):
        metric = get_metric(line.metric)
        records = []
        if with_records and metric is not None and metric.records is not None:
            records = metric.records(card.member_id, scope, settings.PERFORMANCE_RECORD_LINKS)
        out.append(
            LineView(
                line=line,
                label=str(metric.label) if metric else line.metric,
                unit=metric.unit if metric else "",
                higher_is_better=metric.higher_is_better if metric else True,
                records=records,
            )
        )
    return out


def card_evaluations(card: Scorecard) -> list[Evaluation]:
    return list(Evaluation.objects.filter(scorecard=card).select_related("author").order_by("created_at", "id"))


# --- rankings --------------------------------------------------------------------------------------------


@dataclass
class RankRow:
    member_id: int
    member_name: str
    rank: int
    score: Decimal
    achievement: Decimal | None


@dataclass
class RankGroup:
    scope: str
    scope_id: int | None
    scope_name: str
    rows: list[RankRow] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.scope}-{self.scope_id or 0}"

    @property
    def scope_label(self) -> str:
        return str(Scope(self.scope).label)


def _ranked(rows: list[tuple[int, str, Decimal, Decimal | None]]) -> list[RankRow]:
    rows.sort(key=lambda r: (-r[2], r[1], r[0]))
    ranks = competition_ranks([r[2] for r in rows])
    return [RankRow(m, name, rank, score, ach) for (m, name, score, ach), rank in zip(rows, ranks, strict=True)]


def live_rankings(kind: str, start: dt.date) -> list[RankGroup]:
    """Every scope's ranking of one period from its current scorecards (a fixed number of queries)."""
    cards = list(
        Scorecard.objects.filter(period_kind=kind, start=start, member__status=MemberStatus.ACTIVE).values_list(
            "member_id", "member__name", "member__reports_to_id", "member__department_id", "total", "achievement"
        )
    )
    if not cards:
        return []
    depts = {pk: (parent, name) for pk, parent, name in Department.objects.values_list("id", "parent_id", "name")}
    lead_ids = {c[2] for c in cards if c[2] is not None}
    leads = dict(Member.objects.filter(pk__in=sorted(lead_ids)).values_list("pk", "name")) if lead_ids else {}
    buckets: dict[tuple[str, int | None], list[tuple[int, str, Decimal, Decimal | None]]] = {}
    for member_id, name, lead_id, dept_id, total, achievement in cards:
        row = (member_id, name, total, achievement)
        buckets.setdefault((Scope.COMPANY, None), []).append(row)
        if lead_id is not None:
            buckets.setdefault((Scope.TEAM, lead_id), []).append(row)
        current: int | None = dept_id
        seen = 0
        while current is not None and seen < MAX_DEPTH:
            buckets.setdefault((Scope.DEPARTMENT, current), []).append(row)
            current = depts.get(current, (None, ""))[0]
            seen += 1
    order: dict[str, int] = {Scope.COMPANY: 0, Scope.DEPARTMENT: 1, Scope.TEAM: 2}
    groups = []
    for (scope, scope_id), rows in sorted(buckets.items(), key=lambda kv: (order[kv[0][0]], kv[0][1] or 0)):
        if scope == Scope.COMPANY:
            name = str(Scope.COMPANY.label)
        elif scope == Scope.TEAM:
            name = leads.get(scope_id or 0, "")
        else:
            name = depts.get(scope_id or 0, (None, ""))[1]
        groups.append(RankGroup(scope=scope, scope_id=scope_id, scope_name=name, rows=_ranked(rows)))
    return groups


def snapshot_groups(snap: RankingSnapshot) -> list[RankGroup]:
    groups: dict[tuple[str, int | None], RankGroup] = {}
    for e in RankingEntry.objects.filter(snapshot=snap).order_by("id"):
        g = groups.setdefault((e.scope, e.scope_id), RankGroup(e.scope, e.scope_id, e.scope_name))
        g.rows.append(RankRow(e.member_id, e.member_name, e.rank, e.score, e.achievement))
    return list(groups.values())


def visible_groups(viewer: Member, groups: list[RankGroup]) -> list[RankGroup]:
    """The rankings `viewer` may read; a salesperson gets only their own row of each ranking that holds them."""
    if not can_read(viewer):
        return []
    if viewer.role in (Role.DIRECTOR, Role.COMPLIANCE):
        return groups
    if viewer.role == Role.SALES:
        out = []
        for g in groups:
            own = [r for r in g.rows if r.member_id == viewer.pk]
            if own:
                out.append(RankGroup(g.scope, g.scope_id, g.scope_name, own))
        return out
    scope_members = set(Member.objects.filter(pk__in=work_scope_q(viewer)).values_list("pk", flat=True))
    depts = department_subtree_ids(viewer.department_id) if viewer.role == Role.MANAGER else set()
    return [
        g
        for g in groups
        if (g.scope == Scope.TEAM and g.scope_id in scope_members)
        or (g.scope == Scope.DEPARTMENT and g.scope_id in depts)
    ]


def snapshot_find(kind: str, start: dt.date) -> RankingSnapshot | None:
    return RankingSnapshot.objects.filter(period_kind=kind, start=start).first()


def snapshot_list(kind: str, *, before: dt.date | None = None, limit: int | None = None) -> list[RankingSnapshot]:
    """The most recent frozen snapshots of a kind, newest first, bounded (key-paged by period start)."""
    qs = RankingSnapshot.objects.filter(period_kind=kind)
    if before is not None:
        qs = qs.filter(start__lt=before)
    return list(qs.order_by("-start")[: limit or settings.PERFORMANCE_HISTORY_PERIODS])


def history(viewer: Member, kind: str, group: RankGroup, snaps: list[RankingSnapshot]) -> dict[str, Any]:
    """Scores of the group's members over the given snapshots (oldest first) for the chart: one query."""
    member_ids = [r.member_id for r in group.rows][: settings.PERFORMANCE_CHART_MEMBERS]
    snaps = sorted(snaps, key=lambda s: s.start)
    rows = RankingEntry.objects.filter(
        snapshot__in=snaps, scope=group.scope, scope_id=group.scope_id, member_id__in=member_ids
    ).values_list("snapshot_id", "member_id", "score")
    by = {(s, m): score for s, m, score in rows}
    names = {r.member_id: r.member_name for r in group.rows}
    return {
        "periods": [s.start.isoformat() for s in snaps],
        "series": [
            {"name": names[m], "data": [str(by[(s.pk, m)]) if (s.pk, m) in by else None for s in snaps]}
            for m in member_ids
        ],
    }


def snapshot_rows(snapshot_id: int) -> list[RankedRow]:
    """Every row of a frozen snapshot, best first within each scope (the contract discipline reads)."""
    snap = RankingSnapshot.objects.filter(pk=snapshot_id).first()
    if snap is None:
        return []
    return [
        RankedRow(
            snapshot_id=snap.pk,
            period_kind=snap.period_kind,
            period_start=snap.start,
            scope=e.scope,
            scope_id=e.scope_id,
            scope_name=e.scope_name,
            member_id=e.member_id,
            rank=e.rank,
            score=e.score,
            achievement=e.achievement,
        )
        for e in RankingEntry.objects.filter(snapshot=snap).order_by("id")
    ]
