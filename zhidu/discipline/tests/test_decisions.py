"""Approve, change, reject, two-level approval, the membership lifecycle, rewards from frozen rankings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from zhidu.compliance.tests.factories import make_violation
from zhidu.core.errors import DomainError
from zhidu.core.models import AuditEvent, Notification
from zhidu.customers.models import Transfer, TransferKind
from zhidu.discipline import errors as E
from zhidu.discipline.models import Kind, Sanction, Status
from zhidu.discipline.services import (
    on_ranking_frozen,
    policy_defaults,
    rewards_propose,
    sanction_approve,
    sanction_change,
    sanction_reject,
)
from zhidu.org.models import MemberStatus, Role
from zhidu.org.tests.factories import MemberFactory
from zhidu.performance.contracts import RankedRow

from .factories import confirm

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(actors, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    policy_defaults()
    _v, s = confirm(actors, django_capture_on_commit_callbacks, loss="500")
    assert s is not None and s.kind == Kind.FINE
    return s


def _unchanged(s: Sanction) -> None:
    fresh = Sanction.objects.get(pk=s.pk)
    assert (fresh.status, fresh.kind, fresh.amount, fresh.lead_id) == (Status.PROPOSED, s.kind, s.amount, None)
    assert (
        not AuditEvent.objects.filter(target_type="discipline.sanction", target_id=str(s.pk))
        .exclude(verb="sanction.propose")
        .exists()
    )


def test_supervisor_approves_a_fine_the_member_is_told(actors, proposal):
    s = sanction_approve(actor=actors.supervisor, sanction=proposal)
    assert (s.status, s.lead_id) == (Status.APPROVED, actors.supervisor.pk) and s.decided_at is not None
    assert AuditEvent.objects.filter(verb="sanction.approve", target_id=str(s.pk), actor=actors.supervisor).exists()
    assert Notification.objects.filter(recipient=actors.sales, url__endswith=f"/{s.pk}/").exists()


@pytest.mark.parametrize("name", ["sales", "supervisor_b", "outsider", "compliance", "admin"])
def test_a_lead_outside_the_scope_cannot_decide(actors, proposal, name):
    with pytest.raises(DomainError) as err:
        sanction_approve(actor=actors.by_name(name), sanction=proposal)
    assert err.value.template == E.ERR_NOT_LEAD
    _unchanged(proposal)


def test_change_needs_a_reason_and_a_positive_amount(actors, proposal):
    with pytest.raises(DomainError) as err:
        sanction_change(actor=actors.supervisor, sanction=proposal, kind=Kind.WRITTEN_WARNING, reason=" ")
    assert err.value.template == E.ERR_CHANGE_REASON
    with pytest.raises(DomainError) as err:
        sanction_change(actor=actors.supervisor, sanction=proposal, kind=Kind.FINE, amount="-50", reason="少罚")
    assert err.value.template == E.ERR_AMOUNT_POSITIVE
    with pytest.raises(DomainError) as err:
        sanction_change(actor=actors.supervisor, sanction=proposal, kind=Kind.BONUS, amount="50", reason="x")
    assert err.value.template == E.ERR_KIND_SIDE
    _unchanged(proposal)


def test_change_records_the_reason_and_keeps_the_proposal(actors, proposal):
    s = sanction_change(
        actor=actors.supervisor, sanction=proposal, kind=Kind.FINE, amount="120.00", reason="初犯，损失已追回"
    )
    assert (s.status, s.kind, s.amount, s.proposed_kind, s.proposed_amount, s.change_reason) == (
        Status.APPROVED, Kind.FINE, Decimal("120.00"), Kind.FINE, proposal.amount, "初犯，损失已追回"
    )  # fmt: skip
    ev = AuditEvent.objects.get(verb="sanction.change", target_id=str(s.pk))
    assert ev.before["amount"] == str(proposal.amount) and ev.after["amount"] == "120.00"


def test_reject_needs_a_reason(actors, proposal):
    with pytest.raises(DomainError):
        sanction_reject(actor=actors.supervisor, sanction=proposal, reason="")
    _unchanged(proposal)
    s = sanction_reject(actor=actors.supervisor, sanction=proposal, reason="证据不足")
    assert s.status == Status.REJECTED
    with pytest.raises(DomainError) as err:
        sanction_approve(actor=actors.supervisor, sanction=s)
    assert err.value.code == "conflict"


def test_dismissal_needs_the_level_above_then_runs_the_lifecycle(actors, proposal, django_capture_on_commit_callbacks):
    from zhidu.customers.tests.factories import CustomerFactory, FollowFactory

    c = CustomerFactory()
    FollowFactory(customer=c, member=actors.sales)
    first = sanction_change(
        actor=actors.supervisor, sanction=proposal, kind=Kind.DISMISSAL, reason="泄露客户资料，情节严重"
    )
    assert first.status == Status.AWAITING_UPPER
    actors.sales.refresh_from_db()
    assert actors.sales.status == MemberStatus.ACTIVE
    assert Notification.objects.filter(recipient=actors.manager, url__endswith=f"/{first.pk}/").exists()
    # the same supervisor, a peer supervisor, the member: not the level above
    for name in ("supervisor", "supervisor_b", "sales", "outsider"):
        with pytest.raises(DomainError) as err:
            sanction_approve(actor=actors.by_name(name), sanction=first)
        assert err.value.code == "forbidden"
    with django_capture_on_commit_callbacks(execute=True):
        done = sanction_approve(actor=actors.manager, sanction=first)
    assert (done.status, done.upper_id) == (Status.APPROVED, actors.manager.pk)
    actors.sales.refresh_from_db()
    assert actors.sales.status == MemberStatus.REMOVED
    assert AuditEvent.objects.filter(verb="member.remove", target_id=str(actors.sales.pk)).exists()
    assert Transfer.objects.filter(handover=actors.sales, kind=TransferKind.RESIGNED).exists()


def test_suspension_approved_by_a_director_alone_suspends(actors, proposal):
    s = sanction_change(actor=actors.director, sanction=proposal, kind=Kind.SUSPENSION, reason="损害公司形象")
    assert (s.status, s.lead_id, s.upper_id) == (Status.APPROVED, actors.director.pk, None)
    actors.sales.refresh_from_db()
    assert actors.sales.status == MemberStatus.SUSPENDED


def _row(member, rank, achievement, snapshot_id=7):  # type: ignore[no-untyped-def]
    return RankedRow(
        snapshot_id=snapshot_id,
        period_kind="month",
        period_start=dt.date(2026, 11, 1),
        scope="team",
        scope_id=member.reports_to_id,
        scope_name="孙主管团队",
        member_id=member.pk,
        rank=rank,
        score=Decimal("90.00"),
        achievement=achievement,
    )


def test_rewards_from_a_frozen_ranking_top_n_and_achievement(actors, settings):
    settings.DISCIPLINE_REWARD_TOP_N = 1
    settings.DISCIPLINE_REWARD_ACHIEVEMENT_PERCENT = Decimal("120")
    settings.DISCIPLINE_REWARD_BONUS_YUAN = Decimal("800")
    teammate = MemberFactory(role=Role.SALES, department=actors.dept1, reports_to=actors.supervisor)
    rows = [
        _row(actors.sales, 1, Decimal("130.00")),
        _row(teammate, 2, None),
        _row(actors.sales_b, 1, Decimal("119.99")),  # alone in supervisor_b's team: no commendation
    ]
    tied = [_row(actors.sales, 1, None, snapshot_id=8), _row(teammate, 1, None, snapshot_id=8)]
    assert rewards_propose(rows=tied) == []  # a team all tied has no best
    out = rewards_propose(rows=rows)
    assert sorted((s.member_id, s.kind, s.amount) for s in out) == sorted(
        [(actors.sales.pk, Kind.COMMENDATION, None), (actors.sales.pk, Kind.BONUS, Decimal("800.00"))]
    )
    assert rewards_propose(rows=rows) == []  # once per snapshot
    bonus = next(s for s in out if s.kind == Kind.BONUS)
    s = sanction_approve(actor=actors.supervisor, sanction=bonus)
    assert s.status == Status.APPROVED


def test_freezing_a_ranking_proposes_rewards_from_its_rows(actors, settings, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """End to end through performance's contract: freezing last month publishes the event, discipline reads the
    frozen rows and proposes a commendation to each team's best."""
    from zhidu.performance.models import RankingEntry
    from zhidu.performance.services import ranking_freeze, scorecards_compute
    from zhidu.performance.tests.helpers import followups_set, last_month

    settings.DISCIPLINE_REWARD_TOP_N = 3
    for lead in (actors.supervisor, actors.supervisor_b):  # teams of two; the one with a violation ranks second
        MemberFactory(role=Role.SALES, department=actors.dept1, reports_to=lead)
    for member in (actors.sales, actors.sales_b):
        v = make_violation(member)
        v.occurred_at = dt.datetime.combine(last_month() + dt.timedelta(days=3), dt.time(10), tzinfo=dt.UTC)
        v.status = "confirmed"
        v.save(update_fields=["occurred_at", "status"])
    followups_set(actors.director)
    scorecards_compute(actor=None, kind="month", start=last_month())
    with django_capture_on_commit_callbacks(execute=True):
        snap = ranking_freeze(actor=actors.director, kind="month", start=last_month())
    team_best = set(
        RankingEntry.objects.filter(snapshot=snap, scope="team", rank=1).values_list("member_id", flat=True)
    )
    assert len(team_best) == 2 and not team_best & {actors.sales.pk, actors.sales_b.pk}
    rewarded = Sanction.objects.filter(snapshot_id=snap.pk, kind=Kind.COMMENDATION)
    assert set(rewarded.values_list("member_id", flat=True)) == team_best
    assert all(s.status == Status.PROPOSED for s in rewarded)
    with django_capture_on_commit_callbacks(execute=True):
        on_ranking_frozen(snapshot_id=snap.pk)  # a redelivered event proposes nothing twice
    assert Sanction.objects.filter(snapshot_id=snap.pk).count() == rewarded.count()


def test_an_accepted_named_suggestion_proposes_a_commendation_once(actors, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    from zhidu.discipline.selectors import reasoning
    from zhidu.discipline.services import on_suggestion_accepted
    from zhidu.work.suggestions_services import suggestion_decide, suggestion_submit

    named = suggestion_submit(actor=actors.sales, title="报价单加有效期", body="写明报价有效期。")
    hidden = suggestion_submit(actor=actors.sales_b, title="匿名建议", body="内容", anonymous=True)
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        suggestion_decide(actor=actors.supervisor, suggestion=named, decision="accept")
        suggestion_decide(actor=actors.manager, suggestion=hidden, decision="accept")
    s = Sanction.objects.get()
    assert (s.member, s.kind, s.status, s.suggestion_id) == (actors.sales, Kind.COMMENDATION, Status.PROPOSED, named.pk)
    assert any("报价单加有效期" in line for line in reasoning(s))
    assert Notification.objects.filter(recipient=actors.supervisor).exists()
    on_suggestion_accepted(id=named.pk)  # a redelivered event proposes nothing twice
    assert Sanction.objects.count() == 1
    assert sanction_approve(actor=actors.supervisor, sanction=s).status == Status.APPROVED


def test_no_commendation_for_suggestions_when_switched_off(actors, settings, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    from zhidu.work.suggestions_services import suggestion_decide, suggestion_submit

    settings.DISCIPLINE_REWARD_SUGGESTIONS = False
    named = suggestion_submit(actor=actors.sales, title="建议", body="内容")
    with django_capture_on_commit_callbacks(execute=True):
        suggestion_decide(actor=actors.supervisor, suggestion=named, decision="accept")
    assert not Sanction.objects.exists()
