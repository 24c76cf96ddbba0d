"""Periodic job of meetings: reminders before the start and for missing minutes (idempotent)."""

from __future__ import annotations

from celery import shared_task

from .meetings_services import meeting_reminders


@shared_task(name="zhidu.work.meetings_tasks.meeting_reminders_task")
def meeting_reminders_task() -> dict[str, int]:
    result = meeting_reminders()
    return {"start": result.start, "minutes": result.minutes}
