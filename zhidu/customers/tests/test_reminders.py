"""Follow-up reminders across days (time-machine): silence and overdue next actions remind the owner, then
the supervisor FOLLOWUP_ESCALATE_DAYS later; each reminder is sent once; a chat or follow-up starts over."""

from __future__ import annotations

import datetime as dt

import pytest

from zhidu.core.events import publish
from zhidu.core.models import Notification
from zhidu.customers.development.services import development_update, followup_record
from zhidu.customers.models import ReminderSent, Stage
from zhidu.customers.tasks import followup_reminders_task
from zhidu.customers.tests.factories import FollowFactory

TZ = dt.timezone(dt.timedelta(hours=8))
DAY0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _thresholds(settings):  # type: ignore[no-untyped-def]
    settings.FOLLOWUP_STALE_DAYS = 7
    settings.FOLLOWUP_ESCALATE_DAYS = 3


def run_on(time_machine, day: int, hour: int = 9) -> dict[str, int]:  # type: ignore[no-untyped-def]
    time_machine.move_to(DAY0 + dt.timedelta(days=day, hours=hour - 9), tick=False)
    return followup_reminders_task.apply().get()


def notes(member):  # type: ignore[no-untyped-def]
    return list(Notification.objects.filter(recipient=member).order_by("id").values_list("title", flat=True))


def test_silent_customer_reminds_owner_then_supervisor_once_each(actors, time_machine):  # type: ignore[no-untyped-def]
    time_machine.move_to(DAY0, tick=False)
    FollowFactory(member=actors.sales, customer__name="好邻居", createtime=DAY0)
    assert run_on(time_machine, 6) == {}
    assert run_on(time_machine, 7) == {"stale.owner": 1}
    assert len(notes(actors.sales)) == 1 and "7" in notes(actors.sales)[0]
    assert Notification.objects.get(recipient=actors.sales).body == "好邻居"
    assert run_on(time_machine, 7, hour=15) == {}  # the hourly task again: nothing new
    assert run_on(time_machine, 9) == {}
    assert notes(actors.supervisor) == []
    assert run_on(time_machine, 10) == {"stale.supervisor": 1}
    assert len(notes(actors.supervisor)) == 1
    assert "周销售" in Notification.objects.get(recipient=actors.supervisor).body  # names the owner
    assert run_on(time_machine, 11) == {}
    assert len(notes(actors.sales)) == 1 and len(notes(actors.manager)) == 0


def test_a_chat_restarts_the_count(actors, time_machine, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    time_machine.move_to(DAY0, tick=False)
    follow = FollowFactory(member=actors.sales, createtime=DAY0)
    assert run_on(time_machine, 7) == {"stale.owner": 1}
    chat_at = DAY0 + dt.timedelta(days=8)
    with django_capture_on_commit_callbacks(execute=True):
        publish(
            "compliance.customer_chats",
            chats=[[actors.sales.pk, follow.customer.external_userid, chat_at.isoformat()]],
        )
    assert run_on(time_machine, 10) == {}  # counted from the chat now: no escalation
    assert run_on(time_machine, 14) == {}
    assert run_on(time_machine, 15) == {"stale.owner": 1}
    assert run_on(time_machine, 18) == {"stale.supervisor": 1}


def test_a_followup_restarts_the_count(actors, time_machine):  # type: ignore[no-untyped-def]
    time_machine.move_to(DAY0, tick=False)
    follow = FollowFactory(member=actors.sales, createtime=DAY0)
    time_machine.move_to(DAY0 + dt.timedelta(days=5), tick=False)
    followup_record(actor=actors.sales, follow_id=follow.pk, kind="phone", summary="电话回访")
    assert run_on(time_machine, 7) == {}
    assert run_on(time_machine, 12) == {"stale.owner": 1}


def test_overdue_next_action(actors, time_machine):  # type: ignore[no-untyped-def]
    time_machine.move_to(DAY0, tick=False)
    follow = FollowFactory(member=actors.sales, createtime=DAY0)
    followup_record(
        actor=actors.sales,
        follow_id=follow.pk,
        kind="meeting",
        summary="方案会",
        next_step="发报价",
        next_action_on=dt.date(2026, 1, 7),
    )
    assert run_on(time_machine, 2) == {}  # due today, not yet overdue
    assert run_on(time_machine, 3) == {"overdue.owner": 1}
    assert run_on(time_machine, 4) == {}
    assert run_on(time_machine, 5) == {"overdue.supervisor": 1}
    # a new date is a new occasion
    development_update(actor=actors.sales, follow_id=follow.pk, next_action_on=dt.date(2026, 1, 11))
    assert run_on(time_machine, 6) == {}
    assert run_on(time_machine, 7) == {"overdue.owner": 1, "stale.owner": 1}  # and a week without contact
    assert ReminderSent.objects.filter(follow=follow, kind="overdue").count() == 3


@pytest.mark.parametrize("stage", [Stage.WON, Stage.NO_INTEREST, Stage.LOST])
def test_closed_customers_and_ended_relations_are_left_alone(actors, time_machine, stage):  # type: ignore[no-untyped-def]
    time_machine.move_to(DAY0, tick=False)
    closed = FollowFactory(member=actors.sales, createtime=DAY0)
    development_update(actor=actors.sales, follow_id=closed.pk, stage=stage, next_action_on=dt.date(2026, 1, 6))
    FollowFactory(member=actors.sales, createtime=DAY0, deleted=True)
    assert run_on(time_machine, 20) == {}
    assert not Notification.objects.exists()


def test_many_customers_make_one_notification_per_recipient(actors, time_machine):  # type: ignore[no-untyped-def]
    time_machine.move_to(DAY0, tick=False)
    for _ in range(12):
        FollowFactory(member=actors.sales, createtime=DAY0)
    FollowFactory(member=actors.sales_b, createtime=DAY0)
    assert run_on(time_machine, 7) == {"stale.owner": 13}
    assert len(notes(actors.sales)) == 1 and len(notes(actors.sales_b)) == 1
    note = Notification.objects.get(recipient=actors.sales)
    assert len(note.body.splitlines()) == 11  # ten named, then "and 2 more"
    assert note.url == "/customers/?contact_before=2026-01-06&sort=contact"


def test_the_scheduler_knows_the_reminder_task(settings):  # type: ignore[no-untyped-def]
    from zhidu.celery import app

    app.loader.import_default_modules()
    entry = settings.CELERY_BEAT_SCHEDULE["followup-reminders"]
    assert entry["task"] in app.tasks and float(entry["schedule"]) > 0
