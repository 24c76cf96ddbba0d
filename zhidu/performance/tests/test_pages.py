"""Performance pages: the scorecard breakdown with links to its records, evaluations beside the score,
acknowledgement, rankings (live, frozen, history chart), KPI definition pages with their errors, the export."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from zhidu.compliance.tests.factories import make_violation
from zhidu.performance.models import Evaluation, KpiSet, RankingSnapshot, Scorecard
from zhidu.performance.services import scorecards_compute
from zhidu.sales.tests.targets_helpers import make_order

from .helpers import d, followups_set, last_month, this_month
from .test_compute import add_followups

pytestmark = pytest.mark.django_db


@pytest.fixture
def cards(actors):  # type: ignore[no-untyped-def]
    followups_set(actors.admin)
    add_followups(actors.sales, 5)
    add_followups(actors.sales_b, 2)
    v = make_violation(actors.sales)
    from django.utils import timezone

    v.status = "confirmed"
    v.occurred_at = timezone.now()
    v.save()
    scorecards_compute(actor=None, kind="month", start=this_month())
    return v


def test_my_scorecard_shows_the_breakdown_and_links_to_records(
    actors, login, cards, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client = login(actors.sales)
    with django_assert_max_num_queries(20):
        page = client.get("/performance/").content.decode()
    assert 'data-testid="total">50.00<' in page  # follow-ups 5/10 → 50 × 60 % = 30; 1 of 2 violations → 50 × 40 % = 20
    assert f'href="/compliance/violations/{cards.pk}/"' in page
    assert "我的考核" in page or "考核" in page or "My scorecard" in page


def test_evaluation_is_shown_and_never_changes_the_score(actors, login, cards) -> None:  # type: ignore[no-untyped-def]
    card = Scorecard.objects.get(member=actors.sales)
    client = login(actors.supervisor)
    response = client.post(f"/performance/scorecards/{card.pk}/evaluate/", {"text": "本月跟进扎实，注意话术"})
    assert response.status_code == 302
    assert Scorecard.objects.get(pk=card.pk).total == card.total
    page = login(actors.sales).get("/performance/").content.decode()
    assert "本月跟进扎实" in page


def test_member_acknowledges_their_own_scorecard_only(actors, login, cards) -> None:  # type: ignore[no-untyped-def]
    card = Scorecard.objects.get(member=actors.sales)
    assert login(actors.supervisor).post(f"/performance/scorecards/{card.pk}/acknowledge/").status_code == 403
    assert Scorecard.objects.get(pk=card.pk).acknowledged_at is None
    assert login(actors.sales).post(f"/performance/scorecards/{card.pk}/acknowledge/").status_code == 302
    assert Scorecard.objects.get(pk=card.pk).acknowledged_at is not None


def test_team_ranking_page_with_history_chart(actors, login, cards, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    scorecards_compute(actor=None, kind="month", start=last_month())
    from zhidu.performance.services import ranking_freeze

    ranking_freeze(actor=actors.director, kind="month", start=last_month())
    client = login(actors.supervisor)
    with django_assert_max_num_queries(20):
        page = client.get("/performance/rankings/").content.decode()
    assert f'data-testid="row-{actors.sales.pk}"' in page
    assert f'data-testid="row-{actors.sales_b.pk}"' not in page  # another team
    assert 'id="ranking-history"' in page and "echarts" in page
    frozen = client.get(f"/performance/rankings/?kind=month&start={last_month():%Y-%m-%d}").content.decode()
    assert 'data-testid="frozen"' in frozen


def test_director_freezes_a_finished_period_from_the_page(actors, login, cards) -> None:  # type: ignore[no-untyped-def]
    client = login(actors.director)
    q = f"kind=month&start={last_month():%Y-%m-%d}"
    assert 'data-testid="freeze"' in client.get(f"/performance/rankings/?{q}").content.decode()
    assert client.post(f"/performance/rankings/freeze/?{q}").status_code == 302
    assert RankingSnapshot.objects.filter(start=last_month()).exists()
    assert (
        login(actors.manager)
        .post(f"/performance/rankings/freeze/?kind=month&start={last_month():%Y-%m-%d}")
        .status_code
        == 403
    )


def test_export_holds_the_visible_scorecards(actors, login, cards) -> None:  # type: ignore[no-untyped-def]
    response = login(actors.supervisor).get(f"/performance/export/?kind=month&start={this_month():%Y-%m-%d}")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["周销售"]
    assert rows[1][3] == 50


def test_kpi_pages_create_and_refuse_bad_weights_in_chinese(actors, login, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = login(actors.director)
    assert client.get("/performance/kpis/new/").status_code == 200
    base = {
        "name": "销售月度",
        "role": "sales",
        "period_kind": "month",
        "valid_from": f"{this_month():%Y-%m-%d}",
        "status": "active",
        "metric_0": "followups",
        "weight_0": "60",
        "target_0": "10",
        "curve_0": "linear",
        "metric_1": "violations",
        "weight_1": "30",
        "target_1": "2",
        "curve_1": "linear",
    }
    page = client.post("/performance/kpis/new/", base, follow=True).content.decode()
    assert KpiSet.objects.count() == 0
    assert "各项权重合计为 90%，必须正好等于 100%" in page
    response = client.post("/performance/kpis/new/", {**base, "weight_1": "40"})
    assert response.status_code == 302
    kpi = KpiSet.objects.get()
    assert client.get(f"/performance/kpis/{kpi.pk}/").status_code == 200
    followups_set(actors.director, role="supervisor")
    with django_assert_max_num_queries(8):
        listing = client.get("/performance/kpis/").content.decode()
    assert "销售月度" in listing and "supervisor KPIs" in listing
    assert login(actors.manager).get("/performance/kpis/").status_code == 403


def test_revenue_line_links_to_the_orders_behind_it(actors, login) -> None:  # type: ignore[no-untyped-def]
    from zhidu.performance.services import ItemInput, kpi_set_create
    from zhidu.sales.services.targets import target_company_set, target_tree_publish

    root = target_company_set(
        actor=actors.director, period="month", start=this_month(), metric="revenue", amount="1000"
    )
    target_tree_publish(actor=actors.director, tree=root.tree, confirm_gap=True, reason="测试")
    order = make_order({actors.director: 100}, "250.00", booked_on=this_month())
    kpi_set_create(
        actor=actors.admin,
        name="总监",
        role="director",
        period_kind="month",
        valid_from=this_month(),
        items=[ItemInput(metric="revenue_achievement", weight="100", target="100")],
    )
    scorecards_compute(actor=None, kind="month", start=this_month())
    card = Scorecard.objects.get(member=actors.director)
    assert card.total == d("25.00") and card.achievement == d("25.00")
    page = login(actors.director).get("/performance/").content.decode()
    assert f'href="/sales/orders/{order.pk}/"' in page
    assert Evaluation.objects.count() == 0
