"""Appeals: by the member, within the window, decided by the level above; upheld ones reverse the effects."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from zhidu.compliance.models import ViolationStatus
from zhidu.core.errors import DomainError
from zhidu.core.models import AuditEvent, Notification
from zhidu.discipline import errors as E
from zhidu.discipline.models import Appeal, AppealStatus, Kind, Status
from zhidu.discipline.services import (
    appeal_decide,
    appeal_submit,
    policy_defaults,
    sanction_approve,
    sanction_change,
)
from zhidu.org.models import MemberStatus

from .factories import confirm

pytestmark = pytest.mark.django_db


@pytest.fixture
def fine(actors, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    policy_defaults()
    _v, s = confirm(actors, django_capture_on_commit_callbacks, loss="500")
    assert s is not None
    return sanction_approve(actor=actors.supervisor, sanction=s)


def test_upheld_appeal_reverses_the_fine_and_overturns_the_violation(actors, fine):
    a = appeal_submit(actor=actors.sales, sanction=fine, text="客户已确认是误会")
    assert a.status == AppealStatus.PENDING
    assert Notification.objects.filter(recipient=actors.manager, url__endswith=f"/{fine.pk}/").exists()
    with pytest.raises(DomainError) as err:  # the lead who decided is not the level above
        appeal_decide(actor=actors.supervisor, appeal=a, uphold=True, reason="同意")
    assert err.value.template == E.ERR_APPEAL_DECIDER
    done = appeal_decide(actor=actors.manager, appeal=a, uphold=True, reason="证据不足")
    assert (done.status, done.decided_by_id) == (AppealStatus.UPHELD, actors.manager.pk)
    fine.refresh_from_db()
    fine.violation.refresh_from_db()
    assert fine.status == Status.REVERSED
    assert fine.violation.status == ViolationStatus.OVERTURNED
    verbs = set(AuditEvent.objects.filter(actor=actors.manager).values_list("verb", flat=True))
    assert {"appeal.uphold", "sanction.reverse", "violation.overturn"} <= verbs
    # the decision, then the appeal's outcome
    assert Notification.objects.filter(recipient=actors.sales, url__endswith=f"/{fine.pk}/").count() == 2


def test_dismissed_appeal_keeps_the_fine(actors, fine):
    a = appeal_submit(actor=actors.sales, sanction=fine, text="不服")
    appeal_decide(actor=actors.director, appeal=a, uphold=False, reason="事实清楚")
    fine.refresh_from_db()
    fine.violation.refresh_from_db()
    assert (fine.status, fine.violation.status) == (Status.APPROVED, ViolationStatus.CONFIRMED)
    with pytest.raises(DomainError) as err:
        appeal_decide(actor=actors.director, appeal=a, uphold=True, reason="再议")
    assert err.value.template == E.ERR_APPEAL_DECIDED


@pytest.mark.parametrize("name", ["supervisor", "sales_b", "manager"])
def test_only_the_member_may_appeal(actors, fine, name):
    with pytest.raises(DomainError) as err:
        appeal_submit(actor=actors.by_name(name), sanction=fine, text="我替他申诉")
    assert err.value.template == E.ERR_APPEAL_NOT_OWN
    assert not Appeal.objects.exists()


def test_appeal_after_the_window_is_refused(actors, fine, settings):
    settings.DISCIPLINE_APPEAL_DAYS = 3
    with time_machine.travel(fine.decided_at + dt.timedelta(days=3, minutes=1)), pytest.raises(DomainError) as err:
        appeal_submit(actor=actors.sales, sanction=fine, text="晚了")
    assert err.value.template == E.ERR_APPEAL_LATE
    assert not Appeal.objects.exists()
    with time_machine.travel(fine.decided_at + dt.timedelta(days=2)):
        appeal_submit(actor=actors.sales, sanction=fine, text="按时")
    with pytest.raises(DomainError) as err:
        appeal_submit(actor=actors.sales, sanction=fine, text="再来一次")
    assert err.value.template == E.ERR_APPEAL_EXISTS


def test_upheld_appeal_against_a_dismissal_reinstates_the_member(actors, fine, django_capture_on_commit_callbacks):
    _v, s = confirm(actors, django_capture_on_commit_callbacks, loss="50")
    assert s is not None
    s = sanction_change(actor=actors.supervisor, sanction=s, kind=Kind.DISMISSAL, reason="屡教不改")
    s = sanction_approve(actor=actors.manager, sanction=s)
    actors.sales.refresh_from_db()
    assert actors.sales.status == MemberStatus.REMOVED
    a = appeal_submit(actor=actors.sales, sanction=s, text="前两次已改正")
    with pytest.raises(DomainError):
        appeal_decide(actor=actors.manager, appeal=a, uphold=True, reason="x")  # manager confirmed: director decides
    appeal_decide(actor=actors.director, appeal=a, uphold=True, reason="处分过重")
    actors.sales.refresh_from_db()
    assert actors.sales.status == MemberStatus.ACTIVE
    assert AuditEvent.objects.filter(verb="member.reinstate", target_id=str(actors.sales.pk)).exists()


def test_rewards_and_open_proposals_cannot_be_appealed(actors, django_capture_on_commit_callbacks):
    policy_defaults()
    _v, s = confirm(actors, django_capture_on_commit_callbacks)
    assert s is not None
    with pytest.raises(DomainError) as err:
        appeal_submit(actor=actors.sales, sanction=s, text="还没决定")
    assert err.value.template == E.ERR_APPEAL_NOT_PENALTY
