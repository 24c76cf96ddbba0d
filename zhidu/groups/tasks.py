"""Thin, idempotent Celery tasks of groups (periodic work)."""

from __future__ import annotations

from celery import shared_task

from .moderation import rules_announcements_due


@shared_task(name="zhidu.groups.tasks.conventions_check_task")
def conventions_check_task() -> dict[str, int]:
    """Periodic (CELERY_BEAT_SCHEDULE "group-conventions"): every group against its department's conventions."""
    from .conventions import conventions_check_all

    return conventions_check_all()


@shared_task(name="zhidu.groups.tasks.rules_announce_task", ignore_result=True)
def rules_announce_task() -> int:
    """Announce upcoming versions of groups' rules (CELERY_BEAT_SCHEDULE "group-rules-announce"). Idempotent."""
    return rules_announcements_due()
