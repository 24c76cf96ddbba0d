"""The demo step: KPI sets, last month's frozen rankings, the current month's scorecards; idempotent."""

from __future__ import annotations

import pytest

from zhidu.performance.demo import demo_performance
from zhidu.performance.models import KpiSet, RankingEntry, RankingSnapshot, Scorecard, ScoreLine
from zhidu.performance.selectors import live_rankings
from zhidu.sales.targets_demo import demo_targets
from zhidu.sales.tests.targets_helpers import make_order

from .helpers import last_month, this_month

pytestmark = pytest.mark.django_db


def test_demo_step_on_the_demo_company(actors, login) -> None:  # type: ignore[no-untyped-def]
    demo_targets()
    order = make_order({actors.sales: 100}, "30000.00", booked_on=this_month())
    demo_performance()
    demo_performance()
    assert KpiSet.objects.count() == 3
    snap = RankingSnapshot.objects.get()
    assert snap.start == last_month() and RankingEntry.objects.filter(snapshot=snap).exists()
    card = Scorecard.objects.get(member=actors.sales, start=this_month())
    assert ScoreLine.objects.get(scorecard=card, metric="revenue_achievement").raw == 30  # 30,000 of 100,000
    assert any(g.scope == "team" for g in live_rankings("month", this_month()))
    page = login(actors.sales).get("/performance/").content.decode()
    assert f'href="/sales/orders/{order.pk}/"' in page
