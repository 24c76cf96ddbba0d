"""Celery entry points of plans and tasks (thin: the work is in `tasks_periodic`)."""

from __future__ import annotations

from celery import shared_task

from .tasks_periodic import task_check


@shared_task(name="zhidu.work.tasks_tasks.task_check_task")
def task_check_task() -> dict[str, int]:
    r = task_check()
    return {"overdue": r.overdue, "escalated": r.escalated, "repeated": r.repeated}
