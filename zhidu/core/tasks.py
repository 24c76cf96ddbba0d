"""Thin, idempotent Celery tasks of core: domain event deliveries."""

from __future__ import annotations

from typing import Any

from celery import shared_task


@shared_task
def event_deliver_task(delivery_id: int) -> str:
    """Run one event delivery if it is due (claimed atomically, so a duplicate task does nothing)."""
    from .events import event_deliver

    return str(event_deliver(delivery_id))


@shared_task
def events_retry_task() -> dict[str, Any]:
    """Periodic (CELERY_BEAT_SCHEDULE "events-retry"): run deliveries that failed or whose dispatch was lost."""
    from .events import events_dispatch_due

    return events_dispatch_due()
