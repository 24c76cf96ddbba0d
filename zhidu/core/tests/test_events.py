"""Domain events: after commit only, nothing on rollback, failures kept and retried, idempotent dispatch."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator

import pytest
import time_machine
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from zhidu.celery import app
from zhidu.core import events
from zhidu.core.audit import audit_record
from zhidu.core.models import AuditEvent, DeliveryStatus, EventDelivery
from zhidu.core.tasks import events_retry_task

pytestmark = pytest.mark.django_db

CALLS: list[dict] = []  # type: ignore[type-arg]
FAILURES_LEFT = {"n": 0}


def record(**payload):  # type: ignore[no-untyped-def]
    CALLS.append(payload)


def flaky(**payload):  # type: ignore[no-untyped-def]
    """Writes an audit row, then fails while FAILURES_LEFT > 0 (its write must roll back with it)."""
    audit_record(actor=None, actor_label="flaky", verb="test.flaky", target_type="t", target_id=payload["id"])
    if FAILURES_LEFT["n"] > 0:
        FAILURES_LEFT["n"] -= 1
        raise RuntimeError("downstream is down")
    CALLS.append(payload)


@pytest.fixture(autouse=True)
def handlers() -> Iterator[None]:
    CALLS.clear()
    FAILURES_LEFT["n"] = 0
    events.subscribe("test.recorded", record)
    events.subscribe("test.flaky", flaky)
    yield
    events.unsubscribe("test.recorded", record)
    events.unsubscribe("test.flaky", flaky)


def test_handler_runs_after_commit_only(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            (row,) = events.publish("test.recorded", id=7, kind="x")
            assert row.handler == "zhidu.core.tests.test_events.record" and row.status == DeliveryStatus.PENDING
        assert CALLS == []  # the transaction has not committed yet
    assert len(callbacks) == 1
    assert CALLS == [{"id": 7, "kind": "x"}]
    row.refresh_from_db()
    assert (row.status, row.attempts) == (DeliveryStatus.DONE, 1) and row.done_at is not None


def test_rollback_publishes_nothing(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValueError),
        transaction.atomic(),
    ):
        events.publish("test.recorded", id=1)
        raise ValueError("the service failed")
    assert callbacks == [] and CALLS == []
    assert not EventDelivery.objects.exists()


def test_event_without_subscribers_writes_nothing(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert events.publish("test.nobody") == []
    assert callbacks == [] and not EventDelivery.objects.exists()


def test_failing_handler_is_logged_kept_retried_and_finally_succeeds(django_capture_on_commit_callbacks, caplog):  # type: ignore[no-untyped-def]
    FAILURES_LEFT["n"] = 2
    with time_machine.travel(dt.datetime(2030, 1, 1, 9, 0, tzinfo=dt.UTC), tick=False) as traveller:
        with (
            django_capture_on_commit_callbacks(execute=True),
            caplog.at_level(logging.ERROR, "zhidu.core.events"),
            transaction.atomic(),
        ):
            audit_record(actor=None, actor_label="publisher", verb="test.publish", target_type="t", target_id=1)
            (row,) = events.publish("test.flaky", id="42")
        # the publisher's work stands; the handler's failure is logged and kept with its error
        assert AuditEvent.objects.filter(verb="test.publish").count() == 1
        assert "handler zhidu.core.tests.test_events.flaky failed" in caplog.text
        row.refresh_from_db()
        assert (row.status, row.attempts, row.last_error) == (
            DeliveryStatus.FAILED,
            1,
            "RuntimeError: downstream is down",
        )
        assert row.next_attempt_at == timezone.now() + dt.timedelta(seconds=settings.EVENTS_BACKOFF_SECONDS)
        assert not AuditEvent.objects.filter(verb="test.flaky").exists()  # the handler's own write rolled back

        assert events_retry_task.apply().get() == {}  # not due yet
        traveller.shift(settings.EVENTS_BACKOFF_SECONDS)
        assert events_retry_task.apply().get() == {DeliveryStatus.FAILED: 1}
        row.refresh_from_db()
        assert row.next_attempt_at == timezone.now() + dt.timedelta(seconds=2 * settings.EVENTS_BACKOFF_SECONDS)
        traveller.shift(2 * settings.EVENTS_BACKOFF_SECONDS)
        assert events_retry_task.apply().get() == {DeliveryStatus.DONE: 1}
    row.refresh_from_db()
    assert (row.status, row.attempts) == (DeliveryStatus.DONE, 3)
    assert CALLS == [{"id": "42"}]
    assert AuditEvent.objects.filter(verb="test.flaky").count() == 1  # only the successful run's write


def test_dispatch_is_idempotent(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        (row,) = events.publish("test.recorded", id=3)
    # the same delivery dispatched twice (a duplicated task, the periodic retry racing the first run): runs once
    assert events.event_deliver(row.pk) == DeliveryStatus.DONE
    assert events.event_deliver(row.pk) == "skipped"
    for callback in callbacks:
        callback()
    assert events_retry_task.apply().get() == {}
    assert CALLS == [{"id": 3}]


def test_lost_dispatch_is_picked_up_by_the_periodic_retry(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=False):  # e.g. the broker was down when it committed
        events.publish("test.recorded", id=5)
    assert CALLS == []
    assert events_retry_task.apply().get() == {DeliveryStatus.DONE: 1}
    assert CALLS == [{"id": 5}]


def test_a_delivery_whose_handler_is_gone_is_kept(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=False):
        (row,) = events.publish("test.recorded", id=9)
    events.unsubscribe("test.recorded", record)
    assert events.event_deliver(row.pk) == DeliveryStatus.FAILED
    row.refresh_from_db()
    assert row.status == DeliveryStatus.FAILED and "no handler" in row.last_error


def test_the_retry_runs_periodically():  # type: ignore[no-untyped-def]
    entry = settings.CELERY_BEAT_SCHEDULE["events-retry"]
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks and float(entry["schedule"]) > 0


def test_compliance_pulls_the_archive_on_msgaudit_notify():  # type: ignore[no-untyped-def]
    assert events.subscribers("wecom.msgaudit_notify") == ["zhidu.compliance.services.ingest.on_msgaudit_notify"]
