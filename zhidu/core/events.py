"""Domain events: a low layer makes a higher one act without importing it.

    # the publisher (any layer), inside its service's transaction
    publish("wecom.msgaudit_notify")
    publish("violation.confirmed", id=violation.pk)

    # the subscriber (a higher layer), in its AppConfig.ready()
    subscribe("wecom.msgaudit_notify", on_msgaudit_notify)

`publish` writes one `EventDelivery` row per subscribed handler in the publisher's transaction (a rollback
publishes nothing) and dispatches them after it commits: through a Celery task when a broker is configured,
inline otherwise (eager mode). A handler runs in its own transaction; when it raises, the error is logged and
kept on the row, and the row is retried with exponential back-off (EVENTS_BACKOFF_SECONDS doubling, capped at
EVENTS_BACKOFF_MAX_SECONDS) by the periodic `events_retry_task` until it succeeds. The publisher never sees a
handler's failure. Rows are claimed atomically, so a delivery dispatched twice runs once.

Payload values must be JSON (ids, strings, numbers): handlers are called as `handler(**payload)`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import DeliveryStatus, EventDelivery

log = logging.getLogger(__name__)

Handler = Callable[..., Any]
_handlers: dict[str, dict[str, Handler]] = {}


def handler_path(handler: Handler) -> str:
    return f"{handler.__module__}.{handler.__qualname__}"


def subscribe(name: str, handler: Handler) -> Handler:
    """Run `handler(**payload)` after every committed `publish(name, ...)`. Call from `AppConfig.ready()`."""
    _handlers.setdefault(name, {})[handler_path(handler)] = handler
    return handler


def unsubscribe(name: str, handler: Handler) -> None:
    _handlers.get(name, {}).pop(handler_path(handler), None)


def subscribers(name: str) -> list[str]:
    return list(_handlers.get(name, {}))


def publish(name: str, **payload: Any) -> list[EventDelivery]:
    """Queue `name` for every subscribed handler, in the current transaction; dispatch after it commits."""
    now = timezone.now()
    rows = [
        EventDelivery.objects.create(name=name, payload=payload, handler=path, next_attempt_at=now)
        for path in subscribers(name)
    ]
    if not rows:
        log.debug("event %s has no subscribers", name)
        return rows
    ids = [row.pk for row in rows]
    transaction.on_commit(lambda: _dispatch(ids), robust=True)
    return rows


def _dispatch(ids: list[int]) -> None:
    from .tasks import event_deliver_task

    for delivery_id in ids:
        event_deliver_task.delay(delivery_id)  # eager mode (no broker): runs here, after the commit


def backoff_seconds(attempts: int) -> int:
    """Delay before the next try after `attempts` failed tries: base, 2×base, 4×base, … capped."""
    base, cap = settings.EVENTS_BACKOFF_SECONDS, settings.EVENTS_BACKOFF_MAX_SECONDS
    return int(min(base * 2 ** max(attempts - 1, 0), cap))


def event_deliver(delivery_id: int) -> str:
    """Run one due delivery if it can be claimed. Returns the resulting status, or "skipped"."""
    now = timezone.now()
    lease = now + dt.timedelta(seconds=settings.EVENTS_LEASE_SECONDS)
    claimed = EventDelivery.objects.filter(
        pk=delivery_id, status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED], next_attempt_at__lte=now
    ).update(next_attempt_at=lease, attempts=F("attempts") + 1, updated_at=now)
    if not claimed:
        return "skipped"
    delivery = EventDelivery.objects.get(pk=delivery_id)
    handler = _handlers.get(delivery.name, {}).get(delivery.handler)
    try:
        if handler is None:
            raise LookupError(f"no handler {delivery.handler} is subscribed to {delivery.name}")
        with transaction.atomic():
            handler(**delivery.payload)
    except Exception as exc:
        delay = backoff_seconds(delivery.attempts)
        log.exception(
            "event %s #%s: handler %s failed (attempt %s), retry in %ss",
            delivery.name,
            delivery.pk,
            delivery.handler,
            delivery.attempts,
            delay,
        )
        EventDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            next_attempt_at=timezone.now() + dt.timedelta(seconds=delay),
            updated_at=timezone.now(),
        )
        return DeliveryStatus.FAILED
    EventDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.DONE, done_at=timezone.now(), updated_at=timezone.now()
    )
    return DeliveryStatus.DONE


def events_dispatch_due(*, limit: int = 1000) -> dict[str, int]:
    """Run every due delivery (first tries whose dispatch was lost, and retries). Counts by resulting status."""
    ids = list(
        EventDelivery.objects.filter(
            status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED], next_attempt_at__lte=timezone.now()
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    counts: dict[str, int] = {}
    for delivery_id in ids:
        status = str(event_deliver(delivery_id))
        counts[status] = counts.get(status, 0) + 1
    return counts


@transaction.atomic
def deliveries_retry_now(*, actor: Any, ids: list[int], actor_label: str = "") -> int:
    """An operator's "retry now": the given pending or failed deliveries are due at once (the scheduler or the
    next `events_retry_task` runs them). Returns how many were rescheduled; audited."""
    from .audit import audit_record

    now = timezone.now()
    count = EventDelivery.objects.filter(pk__in=ids, status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED]).update(
        next_attempt_at=now, updated_at=now
    )
    audit_record(
        actor=actor,
        verb="event_delivery.retry_now",
        target_type="core.EventDelivery",
        target_id=",".join(str(i) for i in sorted(ids))[:64],
        after={"rescheduled": count},
        actor_label=actor_label,
    )
    return count
