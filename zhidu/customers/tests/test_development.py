"""Customer development services: stage and needs analysis, follow-ups, collaborators, bulk changes, the
last-chat event from compliance, and the loss of a customer (流失提醒)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from zhidu.core.errors import DomainError, NotFound
from zhidu.core.events import publish
from zhidu.core.models import AuditEvent, Notification
from zhidu.customers.development import errors as e
from zhidu.customers.development.services import (
    development_bulk_stage,
    development_update,
    followup_record,
)
from zhidu.customers.models import Development, FollowEnd, FollowUp, ReminderSent, Stage
from zhidu.customers.services import follow_end
from zhidu.customers.tests.factories import FollowFactory


@pytest.fixture
def follow(actors):  # type: ignore[no-untyped-def]
    return FollowFactory(member=actors.sales, customer__name="华润便利", createtime=timezone.now())


def test_update_stage_and_needs_is_audited(actors, follow):  # type: ignore[no-untyped-def]
    dev = development_update(
        actor=actors.sales,
        follow_id=follow.pk,
        stage=Stage.NEEDS,
        budget="10 万",
        need="门店收银",
        decision_maker="采购经理",
        timing="下季度",
        next_action="发报价",
        next_action_on=dt.date(2026, 1, 10),
        collaborator_ids=[actors.sales_b.pk],
    )
    dev.refresh_from_db()
    assert (dev.stage, dev.budget, dev.decision_maker, dev.next_action_on) == (
        Stage.NEEDS,
        "10 万",
        "采购经理",
        dt.date(2026, 1, 10),
    )
    assert list(dev.collaborators.all()) == [actors.sales_b]
    event = AuditEvent.objects.get(verb="development.update")
    assert event.actor == actors.sales
    assert event.before["stage"] == "new" and event.after["stage"] == "needs"
    assert event.after["collaborators"] == [actors.sales_b.pk]
    # saving the same values again writes no audit event
    development_update(actor=actors.sales, follow_id=follow.pk, stage=Stage.NEEDS, budget="10 万")
    assert AuditEvent.objects.filter(verb="development.update").count() == 1


def test_bad_input_names_the_field_and_writes_nothing(actors, follow):  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as err:
        development_update(actor=actors.sales, follow_id=follow.pk, stage="bogus")
    assert err.value.field == "stage"
    with pytest.raises(DomainError) as err:
        development_update(actor=actors.sales, follow_id=follow.pk, budget="x" * 201)
    assert err.value.field == "budget" and "Budget" in err.value.message
    with pytest.raises(DomainError) as err:
        development_update(actor=actors.sales, follow_id=follow.pk, collaborator_ids=[actors.admin.pk])
    assert err.value.template == e.ERR_COLLABORATOR
    with pytest.raises(DomainError) as err:
        followup_record(actor=actors.sales, follow_id=follow.pk, kind="phone", summary="  ")
    assert err.value.field == "summary"
    with pytest.raises(DomainError) as err:
        followup_record(actor=actors.sales, follow_id=follow.pk, kind="fax", summary="x")
    assert err.value.field == "kind"
    assert not Development.objects.exists() and not FollowUp.objects.exists()


@pytest.mark.parametrize(
    "actor_name, allowed",
    [
        ("director", True),
        ("manager", True),
        ("supervisor", True),
        ("supervisor_b", False),
        ("sales", True),
        ("sales_b", False),
        ("outsider", False),
        ("compliance", False),
        ("admin", False),
    ],
)
def test_who_may_develop_a_customer(actors, follow, actor_name, allowed):  # type: ignore[no-untyped-def]
    actor = actors.by_name(actor_name)
    if allowed:
        followup_record(actor=actor, follow_id=follow.pk, kind="phone", summary="电话沟通")
        assert FollowUp.objects.filter(follow=follow, author=actor).count() == 1
        return
    with pytest.raises((NotFound, DomainError)):
        followup_record(actor=actor, follow_id=follow.pk, kind="phone", summary="电话沟通")
    with pytest.raises((NotFound, DomainError)):
        development_update(actor=actor, follow_id=follow.pk, stage=Stage.WON)
    assert not FollowUp.objects.exists() and not Development.objects.exists()


def test_followup_sets_contact_and_next_action(actors, follow):  # type: ignore[no-untyped-def]
    at = timezone.now() - dt.timedelta(hours=2)
    record = followup_record(
        actor=actors.sales,
        follow_id=follow.pk,
        kind="visit",
        summary="上门拜访",
        outcome="有意向",
        next_step="发送方案",
        next_action_on=dt.date(2026, 2, 1),
        happened_at=at,
    )
    dev = Development.objects.get(follow=follow)
    assert dev.last_followup_at == at == dev.last_contact_at
    assert (dev.next_action, dev.next_action_on) == ("发送方案", dt.date(2026, 2, 1))
    assert AuditEvent.objects.filter(verb="followup.record", target_id=str(record.pk)).exists()
    with pytest.raises(DomainError) as err:
        followup_record(
            actor=actors.sales,
            follow_id=follow.pk,
            kind="visit",
            summary="x",
            happened_at=timezone.now() + dt.timedelta(days=1),
        )
    assert err.value.field == "happened_at"


def test_bulk_stage_is_all_or_nothing(actors, follow):  # type: ignore[no-untyped-def]
    own = FollowFactory(member=actors.sales)
    foreign = FollowFactory(member=actors.sales_b)
    with pytest.raises(NotFound):
        development_bulk_stage(actor=actors.sales, follow_ids=[follow.pk, own.pk, foreign.pk], stage=Stage.PROPOSAL)
    assert not Development.objects.exists()
    assert development_bulk_stage(actor=actors.supervisor, follow_ids=[follow.pk, own.pk], stage=Stage.PROPOSAL) == 2
    assert set(Development.objects.values_list("stage", flat=True)) == {Stage.PROPOSAL}
    assert AuditEvent.objects.filter(verb="development.update", actor=actors.supervisor).count() == 2


def test_chat_event_from_compliance_sets_last_chat(actors, follow, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    older, newer = "2026-01-02T10:00:00+08:00", "2026-01-03T10:00:00+08:00"
    with django_capture_on_commit_callbacks(execute=True):
        publish(
            "compliance.customer_chats",
            chats=[
                [actors.sales.pk, follow.customer.external_userid, older],
                [actors.sales.pk, follow.customer.external_userid, newer],
                [actors.sales_b.pk, follow.customer.external_userid, newer],  # sales_b does not follow them
            ],
        )
    dev = Development.objects.get(follow=follow)
    assert dev.last_chat_at == dt.datetime.fromisoformat(newer) == dev.last_contact_at
    assert Development.objects.count() == 1


def test_customer_deleting_the_member_marks_lost_and_tells_owner_and_supervisor(actors, follow):  # type: ignore[no-untyped-def]
    development_update(actor=actors.sales, follow_id=follow.pk, stage=Stage.PROPOSAL)
    userid = actors.sales.wecom_userid
    assert follow_end(external_userid=follow.customer.external_userid, userid=userid, reason=FollowEnd.BY_CUSTOMER)
    assert Development.objects.get(follow=follow).stage == Stage.LOST
    notes = Notification.objects.filter(title__contains="华润便利")
    assert {n.recipient_id for n in notes} == {actors.sales.pk, actors.supervisor.pk}
    assert AuditEvent.objects.filter(verb="development.lost").count() == 1
    assert ReminderSent.objects.filter(follow=follow, kind="lost").count() == 2
    # a repeated callback changes nothing and tells nobody again
    assert not follow_end(external_userid=follow.customer.external_userid, userid=userid, reason=FollowEnd.BY_CUSTOMER)
    assert Notification.objects.filter(title__contains="华润便利").count() == 2


def test_member_deleting_the_customer_is_not_a_loss(actors, follow):  # type: ignore[no-untyped-def]
    userid = actors.sales.wecom_userid
    follow_end(external_userid=follow.customer.external_userid, userid=userid, reason=FollowEnd.BY_MEMBER)
    assert not Development.objects.filter(stage=Stage.LOST).exists()
    assert not Notification.objects.exists()


def test_demo_puts_customers_in_every_stage_with_followups_and_plans(db):  # type: ignore[no-untyped-def]
    from zhidu.customers.development.demo import demo_development
    from zhidu.customers.models import DevelopmentPlan
    from zhidu.web.demo import build_direct_company

    build_direct_company()
    demo_development()
    assert set(Development.objects.values_list("stage", flat=True)) == set(Stage.values)
    assert FollowUp.objects.count() >= Development.objects.count()
    assert DevelopmentPlan.objects.count() == 16  # every salesperson of the direct company
    counts = Development.objects.count(), FollowUp.objects.count()
    demo_development()  # idempotent
    assert (Development.objects.count(), FollowUp.objects.count()) == counts
