"""Periodic work for regulations."""

from __future__ import annotations

from celery import shared_task

from .services import policies_apply_effective_dates


@shared_task(name="zhidu.policies.tasks.policy_effective_dates_task", ignore_result=True)
def policy_effective_dates_task() -> int:
    """Versions whose effective date has come take force; the ones they replace become superseded. Idempotent."""
    return len(policies_apply_effective_dates())
