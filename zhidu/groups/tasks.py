"""Thin, idempotent Celery tasks of groups."""

from __future__ import annotations

from celery import shared_task


@shared_task
def conventions_check_task() -> dict[str, int]:
    """Periodic (CELERY_BEAT_SCHEDULE "group-conventions"): every group against its department's conventions."""
    from .conventions import conventions_check_all

    return conventions_check_all()
