"""One-click reminders: the responsible member gets a WeCom message (outbox), at most once per issue per
GROUP_CONVENTION_REMIND_HOURS; only leads and compliance send them, only for groups in their scope."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection  # noqa: F401  (the skipif condition reads it)
from django.utils import timezone

from zhidu.core.errors import DomainError, NotFound
from zhidu.core.models import AuditEvent, Notification
from zhidu.groups import conventions
from zhidu.groups.models import ConventionIssue
from zhidu.groups.tests.conventions_world import build_world
from zhidu.wecom.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(actors):  # type: ignore[no-untyped-def]
    w = build_world(actors)
    conventions.conventions_check_all()
    return w


def test_remind_queues_a_wecom_message_and_throttles(actors, world, settings):  # type: ignore[no-untyped-def]
    settings.GROUP_CONVENTION_REMIND_HOURS = 6
    issue = ConventionIssue.objects.get(group=world.customer, kind="nickname")
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        conventions.issue_remind(actor=actors.manager, issue_id=issue.pk)
    note = Notification.objects.get(recipient=actors.supervisor)
    assert "销售一部孙主管" in note.body and "孙主管🌟" in note.body
    assert note.url == f"/groups/{world.customer.pk}/"
    outbox = OutboxMessage.objects.get()
    assert outbox.to_userids == [actors.supervisor.wecom_userid]
    assert AuditEvent.objects.filter(verb="convention_issue.remind", actor=actors.manager).count() == 1
    issue.refresh_from_db()
    assert (issue.reminders, issue.reminded_at) == (1, now)

    with time_machine.travel(now + dt.timedelta(hours=5), tick=False), pytest.raises(DomainError) as exc:
        conventions.issue_remind(actor=actors.supervisor, issue_id=issue.pk)
    assert exc.value.code == "conflict" and "6" in exc.value.message
    assert OutboxMessage.objects.count() == 1 and Notification.objects.count() == 1

    with time_machine.travel(now + dt.timedelta(hours=6, seconds=1), tick=False):
        conventions.issue_remind(actor=actors.supervisor, issue_id=issue.pk)
    assert OutboxMessage.objects.count() == 2
    issue.refresh_from_db()
    assert issue.reminders == 2


def test_remind_all_skips_recently_reminded(actors, world):  # type: ignore[no-untyped-def]
    nick = ConventionIssue.objects.get(group=world.customer, kind="nickname")
    conventions.issue_remind(actor=actors.director, issue_id=nick.pk)
    assert conventions.group_remind_all(actor=actors.director, group_id=world.customer.pk) == 2
    recipients = set(Notification.objects.values_list("recipient__name", flat=True))
    assert recipients == {actors.supervisor.name, actors.manager.name}  # the nickname's owner, the department head
    assert conventions.group_remind_all(actor=actors.director, group_id=world.customer.pk) == 0


def test_resolved_issues_are_not_reminded(actors, world):  # type: ignore[no-untyped-def]
    issue = ConventionIssue.objects.get(group=world.customer, kind="nickname")
    ConventionIssue.objects.filter(pk=issue.pk).update(resolved_at=timezone.now())
    with pytest.raises(DomainError):
        conventions.issue_remind(actor=actors.manager, issue_id=issue.pk)
    assert not Notification.objects.exists()


REMIND = {
    "director": "ok",
    "manager": "ok",
    "supervisor": "ok",
    "supervisor_b": "not_found",
    "sales": "forbidden",
    "sales_b": "not_found",
    "compliance": "ok",
    "admin": "not_found",
    "outsider": "not_found",
}


@pytest.mark.parametrize("actor_name", list(REMIND))
def test_who_reminds(actors, world, actor_name):  # type: ignore[no-untyped-def]
    issue = ConventionIssue.objects.get(group=world.customer, kind="nickname")
    expected = REMIND[actor_name]
    if expected == "ok":
        conventions.issue_remind(actor=actors.by_name(actor_name), issue_id=issue.pk)
        assert OutboxMessage.objects.count() == 1
        return
    with pytest.raises(NotFound if expected == "not_found" else DomainError):
        conventions.issue_remind(actor=actors.by_name(actor_name), issue_id=issue.pk)
    with pytest.raises(NotFound if expected == "not_found" else DomainError):
        conventions.group_remind_all(actor=actors.by_name(actor_name), group_id=world.customer.pk)
    assert not OutboxMessage.objects.exists() and not Notification.objects.exists()
    assert ConventionIssue.objects.get(pk=issue.pk).reminders == 0


@pytest.mark.postgres
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_reminders_at_once_send_one_message(actors):  # type: ignore[no-untyped-def]
    import threading

    from django.db import connections

    world = build_world(actors)
    conventions.conventions_check_all()
    issue = ConventionIssue.objects.get(group=world.customer, kind="nickname")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(actor):  # type: ignore[no-untyped-def]
        try:
            barrier.wait()
            conventions.issue_remind(actor=actor, issue_id=issue.pk)
            outcomes.append("ok")
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=act, args=(a,)) for a in (actors.manager, actors.supervisor)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "ok"]
    assert OutboxMessage.objects.count() == 1
    assert AuditEvent.objects.filter(verb="convention_issue.remind").count() == 1


@pytest.mark.postgres
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_checks_at_once_open_each_issue_once(actors):  # type: ignore[no-untyped-def]
    import threading

    from django.db import connections

    build_world(actors)
    barrier = threading.Barrier(2)
    failures: list[str] = []

    def act() -> None:
        try:
            barrier.wait()
            conventions.conventions_check_all()
        except Exception as exc:
            failures.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=act) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert ConventionIssue.objects.open().count() == 6
