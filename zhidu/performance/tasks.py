"""Periodic work of performance (thin; the service is idempotent)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="zhidu.performance.tasks.performance_tick_task", ignore_result=True)
def performance_tick_task() -> dict[str, int]:
    """Freeze finished periods' rankings once; recompute the current periods' scorecards."""
    from .services import performance_tick

    return performance_tick()
