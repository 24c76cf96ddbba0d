"""Periodic job of the reports area: reminders for reports past due (the service does the work)."""

from __future__ import annotations

from celery import shared_task

from .reports_services import report_reminders


@shared_task(name="zhidu.work.reports_tasks.report_reminders_task")
def report_reminders_task() -> int:
    return report_reminders()
