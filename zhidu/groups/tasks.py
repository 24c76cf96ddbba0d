"""Periodic work for groups."""

from __future__ import annotations

from celery import shared_task

from .moderation import rules_announcements_due


@shared_task(name="zhidu.groups.tasks.rules_announce_task", ignore_result=True)
def rules_announce_task() -> int:
    """Announce upcoming versions of groups' rules (CELERY_BEAT_SCHEDULE "group-rules-announce"). Idempotent."""
    return rules_announcements_due()
