"""Scorecards computed from the period's data, KPI set validation, rankings (ties, snapshots), and the appeal
case: confirming a violation lowers the member's score, overturning it restores the score exactly."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from zhidu.compliance.models import ViolationStatus
from zhidu.compliance.services.review import violation_confirm, violation_overturn
from zhidu.compliance.tests.factories import make_violation
from zhidu.core import events
from zhidu.core.errors import DomainError
from zhidu.core.models import AuditEvent
from zhidu.core.periods import company_tz
from zhidu.customers.models import Customer, FollowRelation, FollowUp
from zhidu.performance import errors as E
from zhidu.performance.contracts import RANKING_FROZEN, frozen_ranking_rows
from zhidu.performance.metrics import MetricDef, PeriodScope, Unit, register_metric, unregister_metric
from zhidu.performance.models import KpiItem, KpiSet, RankingEntry, RankingSnapshot, Scorecard, ScoreLine
from zhidu.performance.selectors import live_rankings
from zhidu.performance.services import (
    ItemInput,
    kpi_set_create,
    kpi_set_update,
    performance_tick,
    ranking_freeze,
    scorecard_compute,
    scorecards_compute,
)

from .helpers import d, followups_set, last_month, this_month

pytestmark = pytest.mark.django_db


def add_followups(member, n: int, when: dt.datetime | None = None) -> None:  # type: ignore[no-untyped-def]
    customer = Customer.objects.create(external_userid=f"wm-perf-{member.pk}-{Customer.objects.count()}", name="客户")
    follow = FollowRelation.objects.create(customer=customer, member=member, createtime=when or timezone.now())
    FollowUp.objects.bulk_create(
        FollowUp(follow=follow, author=member, kind="phone", happened_at=when or timezone.now(), summary="电话")
        for _ in range(n)
    )


def in_last_month() -> dt.datetime:
    return dt.datetime.combine(last_month() + dt.timedelta(days=5), dt.time(12), tzinfo=company_tz())


def test_scorecard_lines_weights_and_total(actors) -> None:  # type: ignore[no-untyped-def]
    followups_set(actors.admin)
    add_followups(actors.sales, 5)
    card = scorecard_compute(actor=None, member=actors.sales, kind="month", start=this_month())
    assert card is not None
    lines = {ln.metric: ln for ln in ScoreLine.objects.filter(scorecard=card)}
    assert (lines["followups"].raw, lines["followups"].score, lines["followups"].contribution) == (
        d("5.00"),
        d("50.00"),
        d("30.00"),
    )
    assert (lines["violations"].raw, lines["violations"].score, lines["violations"].contribution) == (
        d("0.00"),
        d("100.00"),
        d("40.00"),
    )
    assert card.total == d("70.00") == sum(ln.contribution for ln in lines.values())


def test_bulk_and_single_paths_agree(actors) -> None:  # type: ignore[no-untyped-def]
    followups_set(actors.admin)
    add_followups(actors.sales, 3)
    add_followups(actors.sales_b, 12)
    assert scorecards_compute(actor=None, kind="month", start=this_month()) == 3  # sales, sales_b, outsider
    bulk = dict(Scorecard.objects.values_list("member_id", "total"))
    for member in (actors.sales, actors.sales_b, actors.outsider):
        card = scorecard_compute(actor=None, member=member, kind="month", start=this_month())
        assert card is not None and card.total == bulk[member.pk]
    assert bulk[actors.sales_b.pk] == d("100.00")  # 12 of 10 is capped at 100 by the linear curve


def test_bulk_query_count_does_not_grow_with_members(actors, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    from zhidu.org.tests.factories import MemberFactory

    followups_set(actors.admin)
    scorecards_compute(actor=None, kind="month", start=this_month())
    with django_assert_max_num_queries(16) as small:
        scorecards_compute(actor=None, kind="month", start=this_month())
    for i in range(40):
        MemberFactory(name=f"新人{i}", role="sales", department=actors.dept1, reports_to=actors.supervisor)
    scorecards_compute(actor=None, kind="month", start=this_month())
    with django_assert_max_num_queries(len(small.captured_queries)):
        scorecards_compute(actor=None, kind="month", start=this_month())


def test_registry_takes_a_new_metric_as_one_function(actors) -> None:  # type: ignore[no-untyped-def]
    def training(scope: PeriodScope) -> dict[int, Decimal | None]:
        return {actors.sales.pk: Decimal("90")}

    register_metric(MetricDef(code="training_score", label="Training", unit=Unit.SCORE, compute=training))
    try:
        kpi_set_create(
            actor=actors.director,
            name="with training",
            role="sales",
            period_kind="month",
            valid_from=this_month(),
            items=[ItemInput(metric="training_score", weight="100", target="100")],
        )
        card = scorecard_compute(actor=None, member=actors.sales, kind="month", start=this_month())
        assert card is not None and card.total == d("90.00")
    finally:
        unregister_metric("training_score")


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([ItemInput("followups", "60", "10"), ItemInput("violations", "30", "2")], E.ERR_KPI_WEIGHTS_SUM),
        ([ItemInput("followups", "60", "10"), ItemInput("followups", "40", "2")], E.ERR_KPI_METRIC_TWICE),
        ([ItemInput("nope", "100", "10")], E.ERR_KPI_METRIC),
        ([ItemInput("followups", "0", "10"), ItemInput("violations", "100", "2")], E.ERR_KPI_WEIGHT),
        ([ItemInput("followups", "100", "-1")], E.ERR_KPI_TARGET),
        ([ItemInput("followups", "100", "10", curve="linear_cap", cap="90")], E.ERR_KPI_CAP),
        ([ItemInput("followups", "100", "10", curve="thresholds", thresholds="80:160")], E.ERR_KPI_THRESHOLDS),
        ([ItemInput("followups", "100", "10", curve="thresholds", thresholds="eighty")], E.ERR_KPI_THRESHOLDS),
        ([], E.ERR_KPI_NO_ITEMS),
    ],
)
def test_bad_kpi_sets_are_refused_and_nothing_is_written(actors, items, message) -> None:  # type: ignore[no-untyped-def]
    audits = AuditEvent.objects.count()
    with pytest.raises(DomainError) as err:
        kpi_set_create(
            actor=actors.director, name="x", role="sales", period_kind="month", valid_from=this_month(), items=items
        )
    assert err.value.template == message
    assert KpiSet.objects.count() == 0 and KpiItem.objects.count() == 0 and AuditEvent.objects.count() == audits


def test_overlapping_sets_for_a_role_and_period_are_refused(actors) -> None:  # type: ignore[no-untyped-def]
    first = followups_set(actors.admin, valid_until=this_month())
    with pytest.raises(DomainError) as err:
        followups_set(actors.director, start=this_month())
    assert err.value.template == E.ERR_KPI_OVERLAP
    later = followups_set(actors.director, start=this_month() + dt.timedelta(days=40))  # after the first ends
    assert later.valid_from > first.valid_until  # type: ignore[operator]
    other_role = followups_set(actors.director, role="supervisor")
    assert other_role.pk
    with pytest.raises(DomainError) as err:  # editing into an overlap is refused too, nothing changes
        kpi_set_update(
            actor=actors.admin,
            kpi_set=later,
            name="x",
            role="sales",
            period_kind="month",
            valid_from=last_month(),
            items=[ItemInput("followups", "100", "10")],
        )
    assert err.value.template == E.ERR_KPI_OVERLAP
    later.refresh_from_db()
    assert later.items.count() == 2


def test_only_directors_and_admins_define_kpis(actors) -> None:  # type: ignore[no-untyped-def]
    for who in (actors.manager, actors.supervisor, actors.sales, actors.compliance):
        with pytest.raises(DomainError) as err:
            followups_set(who)
        assert err.value.code == "forbidden"
    assert KpiSet.objects.count() == 0


def _three_way_tie(actors) -> None:  # type: ignore[no-untyped-def]
    """Team of supervisor: sales (8 follow-ups) and two newcomers with 5 each, one with 2 → ranks 1, 2, 2, 4."""
    from zhidu.org.tests.factories import MemberFactory

    followups_set(actors.admin)
    a = MemberFactory(name="甲", role="sales", department=actors.dept1, reports_to=actors.supervisor)
    b = MemberFactory(name="乙", role="sales", department=actors.dept1, reports_to=actors.supervisor)
    c = MemberFactory(name="丙", role="sales", department=actors.dept1, reports_to=actors.supervisor)
    when = in_last_month()
    for member, n in ((actors.sales, 8), (a, 5), (b, 5), (c, 2)):
        add_followups(member, n, when=when)
        add_followups(member, n)


def test_ranking_ties_share_a_rank(actors) -> None:  # type: ignore[no-untyped-def]
    _three_way_tie(actors)
    scorecards_compute(actor=None, kind="month", start=this_month())
    team = next(
        g for g in live_rankings("month", this_month()) if g.scope == "team" and g.scope_id == actors.supervisor.pk
    )
    assert [(r.member_name, r.rank) for r in team.rows] == [("周销售", 1), ("乙", 2), ("甲", 2), ("丙", 4)]


def test_freezing_publishes_and_recomputing_never_changes_the_snapshot(
    actors, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    _three_way_tie(actors)
    got: list[int] = []

    def on_frozen(snapshot_id: int) -> None:
        got.append(snapshot_id)

    events.subscribe(RANKING_FROZEN, on_frozen)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            snap = ranking_freeze(actor=actors.director, kind="month", start=last_month())
    finally:
        events.unsubscribe(RANKING_FROZEN, on_frozen)
    assert got == [snap.pk]
    frozen = frozen_ranking_rows(snap.pk)
    team = [r for r in frozen if r.scope == "team" and r.scope_id == actors.supervisor.pk]
    assert [r.rank for r in team] == [1, 2, 2, 4] and team[0].member_id == actors.sales.pk
    assert {r.scope for r in frozen} == {"team", "department", "company"}

    # The last-place member catches up late: the live ranking changes, the snapshot does not.
    last = team[-1].member_id
    add_followups(type(actors.sales).objects.get(pk=last), 20, when=in_last_month())
    scorecards_compute(actor=None, kind="month", start=last_month())
    live = next(
        g for g in live_rankings("month", last_month()) if g.scope == "team" and g.scope_id == actors.supervisor.pk
    )
    assert live.rows[0].member_id == last
    assert frozen_ranking_rows(snap.pk) == frozen
    with pytest.raises(DomainError) as err:
        ranking_freeze(actor=actors.director, kind="month", start=last_month())
    assert err.value.template == E.ERR_FREEZE_DONE
    assert RankingSnapshot.objects.count() == 1


def test_current_period_cannot_be_frozen_and_only_directors_freeze(actors) -> None:  # type: ignore[no-untyped-def]
    followups_set(actors.admin)
    with pytest.raises(DomainError) as err:
        ranking_freeze(actor=actors.director, kind="month", start=this_month())
    assert err.value.template == E.ERR_FREEZE_NOT_FINISHED
    with pytest.raises(DomainError) as err:
        ranking_freeze(actor=actors.manager, kind="month", start=last_month())
    assert err.value.code == "forbidden"
    assert not RankingEntry.objects.exists()


def test_periodic_job_freezes_the_previous_period_once(actors) -> None:  # type: ignore[no-untyped-def]
    followups_set(actors.admin)
    first = performance_tick()
    again = performance_tick()
    assert first["frozen"] == 1 and again["frozen"] == 0
    assert RankingSnapshot.objects.filter(period_kind="month", start=last_month()).count() == 1
    assert Scorecard.objects.filter(start=this_month()).count() == 3


def test_upheld_appeal_restores_the_previous_score_exactly(actors, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    followups_set(actors.admin)
    add_followups(actors.sales, 7)
    before = scorecard_compute(actor=None, member=actors.sales, kind="month", start=this_month())
    assert before is not None
    violation = make_violation(actors.sales)
    violation.occurred_at = timezone.now()
    violation.save(update_fields=["occurred_at"])
    with django_capture_on_commit_callbacks(execute=True):
        violation_confirm(actor=actors.supervisor, violation=violation, reason="属实")
    lowered = Scorecard.objects.get(pk=before.pk)
    assert lowered.total == before.total - d("20.00")  # one of two violations: violations score 100 → 50, weight 40
    with django_capture_on_commit_callbacks(execute=True):
        violation_overturn(actor=actors.manager, violation=violation, reason="申诉成立")
    violation.refresh_from_db()
    assert violation.status == ViolationStatus.OVERTURNED
    assert Scorecard.objects.get(pk=before.pk).total == before.total


def test_recompute_rewrites_only_the_cards_that_changed(actors) -> None:  # type: ignore[no-untyped-def]
    followups_set(actors.admin)
    scorecards_compute(actor=None, kind="month", start=this_month())
    before = dict(ScoreLine.objects.values_list("pk", "scorecard__member_id"))
    add_followups(actors.sales, 3)
    assert scorecards_compute(actor=None, kind="month", start=this_month()) == 3
    after = dict(ScoreLine.objects.values_list("pk", "scorecard__member_id"))
    kept = {m for pk, m in after.items() if pk in before}
    assert kept == {actors.sales_b.pk, actors.outsider.pk}
    assert Scorecard.objects.get(member=actors.sales).total == d("58.00")  # 3/10 × 60 % + 40 %
