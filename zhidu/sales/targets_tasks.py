"""Periodic work of targets: the pace check (thin; the service is idempotent)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="zhidu.sales.targets_tasks.target_pace_task", ignore_result=True)
def target_pace_task() -> int:
    """Ask owners of targets behind pace for a corrective plan. Idempotent per node and period."""
    from .services.targets import target_pace_check

    return len(target_pace_check())
