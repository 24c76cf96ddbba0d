"""Thin, idempotent Celery tasks of the WeCom integration (names are the default module paths)."""

from __future__ import annotations

from typing import Any

from celery import shared_task


@shared_task
def callback_process_task(inbox_id: int) -> str:
    """Apply one stored callback event (a second run of the same event does nothing)."""
    from .callbacks import callback_process

    return callback_process(inbox_id)


@shared_task
def send_outbox_task(message_id: int) -> str:
    """Deliver one outbox message if it is due (claimed atomically, so duplicates are harmless)."""
    from .send import outbox_deliver

    return str(outbox_deliver(message_id))


@shared_task
def outbox_flush_task() -> dict[str, Any]:
    """Periodic (CELERY_BEAT_SCHEDULE "outbox-flush"): deliver due outbox retries, reprocess failed callbacks."""
    from .callbacks import callback_retry_unprocessed
    from .send import outbox_flush

    return {"outbox": outbox_flush(), "callbacks": callback_retry_unprocessed()}


@shared_task
def sync_task(parts: list[str] | None = None, full: bool = False) -> dict[str, Any]:
    """A full WeCom sync (e.g. a nightly beat entry: it repairs lost callbacks)."""
    from .sync import PARTS, sync_all

    return sync_all(what=parts or PARTS, full=full)


@shared_task
def transfer_poll_task() -> dict[str, Any]:
    """Periodic (CELERY_BEAT_SCHEDULE "transfer-poll"): send queued customer transfers, poll open ones."""
    from .transfers import transfers_poll_open

    return transfers_poll_open()


@shared_task
def profile_check_task() -> dict[str, Any]:
    """Periodic (CELERY_BEAT_SCHEDULE "profile-check"): a batch of WeCom profiles compared with the approved ones."""
    from .profiles import profiles_check

    return profiles_check()


@shared_task(name="zhidu.wecom.tasks.behavior_sync_task", ignore_result=True)
def behavior_sync_task() -> dict[str, Any]:
    """Periodic (CELERY_BEAT_SCHEDULE "wecom-behavior"): store WeCom's reply statistics per member and day."""
    from django.conf import settings

    from .behavior import behavior_sync

    if not settings.WECOM_CORP_ID:
        return {"skipped": "not configured"}
    return behavior_sync()
