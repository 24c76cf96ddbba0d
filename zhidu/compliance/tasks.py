"""Celery tasks of the compliance app: thin, idempotent (the archive cursor makes a pull safe to repeat)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from celery import shared_task
from django.core.cache import cache

log = logging.getLogger(__name__)

PULL_LOCK_KEY = "compliance:archive-pull-lock"
PULL_LOCK_SECONDS = 600


@contextmanager
def archive_pull_lock() -> Iterator[bool]:
    """One archive pull at a time, whoever starts it (the Celery task, `zhidu archive pull`): yields whether this
    caller holds the lock (an atomic `cache.add` on the shared cache; released on exit, or after
    PULL_LOCK_SECONDS should the holder die)."""
    acquired = bool(cache.add(PULL_LOCK_KEY, 1, PULL_LOCK_SECONDS))
    try:
        yield acquired
    finally:
        if acquired:
            cache.delete(PULL_LOCK_KEY)


@shared_task(name="zhidu.compliance.tasks.archive_pull_task", ignore_result=True)
def archive_pull_task(kind: str = "", limit: int = 1000, max_batches: int | None = None) -> str:
    """Pull the live archive source until it has nothing new. One pull at a time (cache lock)."""
    from django.conf import settings

    from zhidu.wecom.archive import ArchiveError

    from .services import archive_pull

    if not (settings.WECOM_CORP_ID and settings.WECOM_ARCHIVE_SECRET):
        return "not configured"
    with archive_pull_lock() as acquired:
        if not acquired:
            return "busy"
        try:
            report = archive_pull(kind=kind, limit=limit, max_batches=max_batches)
        except ArchiveError as exc:  # no SDK library, bad key configuration…: say so, retry next period
            log.error("archive pull unavailable: %s", exc)
            return f"unavailable: {exc}"
    if report.error:
        log.error("archive pull stopped: %s", report.error)
    return report.summary()


@shared_task(name="zhidu.compliance.tasks.reply_deadlines_task", ignore_result=True)
def reply_deadlines_task() -> str:
    """Reply deadlines that passed with no new message. Skipped while an archive pull runs (its batches check
    deadlines themselves, and a reply may be in a page not yet stored)."""
    from .services.reply import reply_deadlines_run

    with archive_pull_lock() as acquired:
        if not acquired:
            return "busy"
        report = reply_deadlines_run()
    return f"late={report.late} escalated={report.escalated} flagged={report.flagged}"
