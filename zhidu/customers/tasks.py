"""Thin, idempotent Celery tasks of customers."""

from __future__ import annotations

from celery import shared_task


@shared_task
def followup_reminders_task() -> dict[str, int]:
    """Periodic (CELERY_BEAT_SCHEDULE "followup-reminders"): overdue next actions and silent customers."""
    from .development.reminders import followup_reminders

    return followup_reminders()
