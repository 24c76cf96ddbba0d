"""The outbox: rows in the caller's transaction, delivery after commit, back-off, dead letters, robot limit.

Delivery runs against the simulator over HTTP (fixtures from conftest.py).
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import time_machine
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from zhidu.core.errors import DomainError
from zhidu.core.models import AuditEvent
from zhidu.wecom import send
from zhidu.wecom.models import OutboxMessage, OutboxStatus
from zhidu.wecom.send import outbox_enqueue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():  # type: ignore[no-untyped-def]
    cache.clear()  # robot rate-limit windows live in the cache
    yield
    cache.clear()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"channel": "fax", "to_userids": ["u1"], "content": {"content": "x"}},
        {"channel": "app", "to_userids": [], "content": {"content": "x"}},
        {"channel": "app", "to_userids": [" "], "content": {"content": "x"}},
        {"channel": "app", "to_userids": ["u1"], "content": {}},
        {"channel": "app", "to_userids": ["u1"], "msgtype": "textcard", "content": {"title": "t", "url": "https://x"}},
        {"channel": "app", "to_userids": ["u1"], "msgtype": "video", "content": {"media_id": "m"}},
        {"channel": "robot", "robot_key": "", "content": {"content": "x"}},
        {
            "channel": "robot",
            "robot_key": "k",
            "msgtype": "textcard",
            "content": {"title": "t", "description": "d", "url": "https://x"},
        },
    ],
)
def test_enqueue_validates(kwargs):  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError):
        outbox_enqueue(**kwargs)
    assert OutboxMessage.objects.count() == 0


def test_enqueue_writes_in_the_callers_transaction(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with (
        pytest.raises(RuntimeError),
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        transaction.atomic(),
    ):
        outbox_enqueue(channel="app", to_userids=["u1"], content={"content": "hello"})
        assert OutboxMessage.objects.count() == 1
        raise RuntimeError("the caller fails")
    assert OutboxMessage.objects.count() == 0
    assert callbacks == []  # nothing is delivered for a rolled-back transaction


def test_enqueue_dedupes(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = outbox_enqueue(channel="app", to_userids=["u1"], content={"content": "a"}, dedupe_key="v:1:notify")
        second = outbox_enqueue(channel="app", to_userids=["u1"], content={"content": "b"}, dedupe_key="v:1:notify")
        outbox_enqueue(channel="app", to_userids=["u1"], content={"content": "c"})
        outbox_enqueue(channel="app", to_userids=["u1"], content={"content": "d"})
    assert first.pk == second.pk
    assert OutboxMessage.objects.count() == 3
    assert len(callbacks) == 3
    row = OutboxMessage.objects.get(pk=first.pk)
    assert row.status == OutboxStatus.PENDING and row.content == {"content": "a"} and row.attempts == 0


def test_backoff_is_exponential_and_bounded():
    delays = [send.backoff_seconds(n) for n in range(1, 12)]
    assert delays[:4] == [30, 60, 120, 240]
    assert all(b >= a for a, b in itertools.pairwise(delays))
    assert max(delays) == send.BACKOFF_MAX_SECONDS


def test_robot_slots_slide_per_key():
    start = 1_700_000_000.0
    waits = [send.robot_slot_wait("key-a", now=start + i) for i in range(send.ROBOT_PER_MINUTE + 1)]
    assert waits[:-1] == [0.0] * send.ROBOT_PER_MINUTE
    assert waits[-1] == pytest.approx(40.0)  # the first slot frees 60 s after it was taken
    assert send.robot_slot_wait("key-b", now=start + 20) == 0.0  # another robot has its own budget
    assert send.robot_slot_wait("key-a", now=start + 60.5) == 0.0  # the first send left the window
    assert send.robot_slot_wait("key-a", now=start + 60.6) > 0  # but the second one has not yet


# --- delivery against the simulator --------------------------------------------------------------


@pytest.fixture
def sim(wecom_sim, wecom_settings):  # type: ignore[no-untyped-def]
    wecom_sim.control({"clear_sent": True, "reset_robot_limits": True, "reset_faults": True})
    yield wecom_sim
    wecom_sim.reset_faults()


def enqueue_committed(django_capture_on_commit_callbacks, **kwargs):  # type: ignore[no-untyped-def]
    """Enqueue in a transaction, commit, then deliver as the scheduler's outbox-flush does (no broker)."""
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox_enqueue(**kwargs)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 0)  # never sent by the enqueuing process
    send.outbox_flush()
    return message


def sent_app(sim) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    return [s for s in sim.sent if s["channel"] == "app"]


def test_app_message_delivered_after_commit(sim, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    users = [u.userid for u in sim.company.active_users()[:2]]
    message = enqueue_committed(
        django_capture_on_commit_callbacks,
        channel="app",
        to_userids=users,
        msgtype="textcard",
        content={"title": "违规提醒", "description": "请查看", "url": "https://zhidu.example/v/1"},
    )
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and message.attempts == 1 and message.sent_at is not None
    assert message.wecom_msgid
    (record,) = sent_app(sim)
    assert record["touser"] == sorted(users)
    assert record["payload"]["agentid"] == sim.state.agent_id
    assert record["payload"]["textcard"]["title"] == "违规提醒"
    assert send.outbox_flush() == {}  # nothing due: it is not sent twice


def test_partly_invalid_recipients_are_sent_and_noted(sim, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    valid = sim.company.active_users()[0].userid
    message = enqueue_committed(
        django_capture_on_commit_callbacks, channel="app", to_userids=[valid, "ghost1"], content={"content": "hi"}
    )
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert message.last_error == "invaliduser: ghost1"


def test_all_recipients_invalid_is_dead_at_once(sim, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    message = enqueue_committed(
        django_capture_on_commit_callbacks, channel="app", to_userids=["ghost1", "ghost2"], content={"content": "hi"}
    )
    message.refresh_from_db()
    assert (message.status, message.last_errcode, message.attempts) == (OutboxStatus.DEAD, 81013, 1)
    assert sent_app(sim) == []


def test_invalid_robot_key_is_dead(sim, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    message = enqueue_committed(
        django_capture_on_commit_callbacks,
        channel="robot",
        robot_key="not-a-robot",
        msgtype="markdown",
        content={"content": "**hi**"},
    )
    message.refresh_from_db()
    assert (message.status, message.last_errcode) == (OutboxStatus.DEAD, 93000)


def test_busy_is_retried_with_backoff_then_sent(sim, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    userid = sim.company.active_users()[0].userid
    with time_machine.travel(dt.datetime(2030, 1, 1, 9, 0, 10, tzinfo=dt.UTC), tick=True) as traveller:
        sim.inject(-1, count=4, api="message/send")  # the client's own 4 tries all fail
        message = enqueue_committed(
            django_capture_on_commit_callbacks, channel="app", to_userids=[userid], content={"content": "hi"}
        )
        message.refresh_from_db()
        assert (message.status, message.attempts, message.last_errcode) == (OutboxStatus.FAILED, 1, -1)
        wait = (message.next_attempt_at - timezone.now()).total_seconds()
        assert 25 < wait <= 30
        assert send.outbox_flush() == {}  # not due yet
        traveller.shift(31)
        assert send.outbox_flush() == {OutboxStatus.SENT: 1}
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.SENT, 2)
    assert len(sent_app(sim)) == 1


def test_transient_failures_end_dead_after_max_attempts(sim, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    userid = sim.company.active_users()[0].userid
    waits = []
    with time_machine.travel(dt.datetime(2030, 1, 1, 9, 0, 10, tzinfo=dt.UTC), tick=True) as traveller:
        sim.inject(-1, count=1000, api="message/send")
        message = enqueue_committed(
            django_capture_on_commit_callbacks, channel="app", to_userids=[userid], content={"content": "hi"}
        )
        for _ in range(send.MAX_ATTEMPTS - 1):
            message.refresh_from_db()
            assert message.status == OutboxStatus.FAILED
            waits.append(round((message.next_attempt_at - timezone.now()).total_seconds()))
            traveller.shift(send.BACKOFF_MAX_SECONDS + 1)
            send.outbox_flush()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.DEAD, send.MAX_ATTEMPTS)
    assert waits == [send.backoff_seconds(n) for n in range(1, send.MAX_ATTEMPTS)]  # 30, 60, 120, … capped
    assert sent_app(sim) == []


def test_robot_limit_is_respected(sim, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    key = sim.robot_keys[0]
    with time_machine.travel(dt.datetime(2030, 1, 1, 9, 0, 10, tzinfo=dt.UTC), tick=True) as traveller:
        with django_capture_on_commit_callbacks(execute=True):
            for i in range(send.ROBOT_PER_MINUTE + 5):
                outbox_enqueue(channel="robot", robot_key=key, content={"content": f"第{i}条"})
        assert send.outbox_flush() == {OutboxStatus.SENT: send.ROBOT_PER_MINUTE, OutboxStatus.PENDING: 5}
        statuses = list(OutboxMessage.objects.order_by("id").values_list("status", flat=True))
        assert statuses == [OutboxStatus.SENT] * send.ROBOT_PER_MINUTE + [OutboxStatus.PENDING] * 5
        waiting = OutboxMessage.objects.filter(status=OutboxStatus.PENDING)
        assert all(m.attempts == 0 and m.next_attempt_at > timezone.now() for m in waiting)
        assert send.outbox_flush() == {}
        traveller.shift(61)
        assert send.outbox_flush() == {OutboxStatus.SENT: 5}
    robot_sent = [s for s in sim.sent if s["channel"] == "robot"]
    assert len(robot_sent) == send.ROBOT_PER_MINUTE + 5
    assert [s["payload"]["text"]["content"] for s in robot_sent] == [f"第{i}条" for i in range(25)]


def test_admin_lists_dead_messages_and_retries_them(sim, admin_client, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    message = enqueue_committed(
        django_capture_on_commit_callbacks, channel="app", to_userids=["ghost"], content={"content": "hi"}
    )
    page = admin_client.get("/admin/wecom/outboxmessage/", {"status__exact": "dead"})
    assert page.status_code == 200
    assert f"#{message.pk}" in page.content.decode() or f">{message.pk}<" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/wecom/outboxmessage/", {"action": "retry", "_selected_action": [message.pk]}
        )
    assert response.status_code == 302
    send.outbox_flush()
    message.refresh_from_db()
    assert message.status == OutboxStatus.DEAD and message.attempts == 1  # retried once more, still invalid
    retry = AuditEvent.objects.get(verb="outbox.retry", target_id=str(message.pk))
    assert retry.before == {"status": "dead", "attempts": 1}


def test_enqueue_errors_are_translated_when_read():  # type: ignore[no-untyped-def]
    """outbox_enqueue has no page or endpoint of its own: its callers show the error in their language."""
    from django.utils import translation

    with pytest.raises(DomainError) as err:
        outbox_enqueue(channel="fax", to_userids=["u1"], content={"content": "x"})
    assert err.value.field == "channel"
    assert str(err.value) == "Unknown channel 'fax'; use 'app' or 'robot'."
    with translation.override("zh-hans"):
        assert str(err.value) == "未知渠道 'fax'；请使用 'app' 或 'robot'。"
    assert OutboxMessage.objects.count() == 0
