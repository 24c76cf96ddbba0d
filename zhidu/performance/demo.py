"""Demo data for performance: KPI sets for salespeople and leads from last month on, last month's rankings
frozen, and the current month's scorecards computed (so the live rankings and breakdowns show). Idempotent."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from zhidu.core.periods import local_today, period_start
from zhidu.org.models import Member, MemberStatus, Role

from .models import KpiSet, PeriodKind, RankingSnapshot
from .services import ItemInput, kpi_set_create, ranking_freeze, scorecards_compute

SALES_ITEMS = [
    ItemInput(metric="revenue_achievement", weight="40", target="100", curve="linear_cap", cap="120"),
    ItemInput(metric="followups", weight="20", target="20"),
    ItemInput(metric="plan_progress", weight="10", target="100"),
    ItemInput(
        metric="reply_within_sla", weight="15", target="0", curve="thresholds", thresholds="80:60, 90:80, 98:100"
    ),
    ItemInput(metric="violations", weight="15", target="3"),
]
LEAD_ITEMS = [
    ItemInput(metric="revenue_achievement", weight="60", target="100", curve="linear_cap", cap="120"),
    ItemInput(metric="reply_within_sla", weight="20", target="100"),
    ItemInput(metric="violations", weight="20", target="5"),
]
SETS = [
    (Role.SALES, "销售人员月度考核", SALES_ITEMS),
    (Role.SUPERVISOR, "销售主管月度考核", LEAD_ITEMS),
    (Role.MANAGER, "销售经理月度考核", LEAD_ITEMS),
]


@transaction.atomic
def demo_performance() -> None:
    director = Member.objects.filter(role=Role.DIRECTOR, status=MemberStatus.ACTIVE).order_by("id").first()
    admin = Member.objects.filter(role=Role.ADMIN, status=MemberStatus.ACTIVE).order_by("id").first() or director
    if director is None or admin is None:
        return
    this_month = period_start(PeriodKind.MONTH, local_today())
    last_month = period_start(PeriodKind.MONTH, this_month - dt.timedelta(days=1))
    for role, name, items in SETS:
        if not KpiSet.objects.filter(role=role, period_kind=PeriodKind.MONTH).exists():
            kpi_set_create(
                actor=admin, name=name, role=role, period_kind=PeriodKind.MONTH, valid_from=last_month, items=items
            )
    if not RankingSnapshot.objects.filter(period_kind=PeriodKind.MONTH, start=last_month).exists():
        ranking_freeze(actor=director, kind=PeriodKind.MONTH, start=last_month)
    scorecards_compute(actor=None, kind=PeriodKind.MONTH, start=this_month)
