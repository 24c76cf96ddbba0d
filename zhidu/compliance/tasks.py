"""Celery tasks of the compliance app: thin, idempotent (the archive cursor makes a pull safe to repeat)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.cache import cache

log = logging.getLogger(__name__)

PULL_LOCK_KEY = "compliance:archive-pull-lock"
PULL_LOCK_SECONDS = 600

# For the lead: add to settings as CELERY_BEAT_SCHEDULE (or merge into it) to pull the archive periodically.
ARCHIVE_PULL_SCHEDULE = {
    "compliance-archive-pull": {
        "task": "zhidu.compliance.tasks.archive_pull_task",
        "schedule": 60.0,  # seconds; WeCom announces new archive data with msgaudit_notify at most every 15 s
    },
}


@shared_task(name="zhidu.compliance.tasks.archive_pull_task", ignore_result=True)
def archive_pull_task(kind: str = "", limit: int = 1000, max_batches: int | None = None) -> str:
    """Pull the live archive source until it has nothing new. One pull at a time (cache lock)."""
    from django.conf import settings

    from zhidu.wecom.archive import ArchiveError

    from .services import archive_pull

    if not (settings.WECOM_CORP_ID and settings.WECOM_ARCHIVE_SECRET):
        return "not configured"
    if not cache.add(PULL_LOCK_KEY, 1, PULL_LOCK_SECONDS):
        return "busy"
    try:
        report = archive_pull(kind=kind, limit=limit, max_batches=max_batches)
    except ArchiveError as exc:  # no SDK library, bad key configuration…: say so, retry next period
        log.error("archive pull unavailable: %s", exc)
        return f"unavailable: {exc}"
    finally:
        cache.delete(PULL_LOCK_KEY)
    if report.error:
        log.error("archive pull stopped: %s", report.error)
    return report.summary()
