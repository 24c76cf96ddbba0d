"""Writes of core records: a member reading their notifications."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from .audit import audit_record
from .errors import NotFound
from .models import Notification


@transaction.atomic
def notification_open(*, actor: Any, notification_id: int) -> Notification:
    """The actor's notification, marked read if it was unread (audited as `notification.read`).
    NotFound for a missing notification and for another member's alike."""
    notification = Notification.objects.visible_to(actor).filter(pk=notification_id).first()
    if notification is None:
        raise NotFound
    if notification.read_at is None:
        now = timezone.now()
        # claim the change atomically: two tabs opening it at once write one audit record
        if Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now):
            notification.read_at = now
            audit_record(
                actor=actor,
                verb="notification.read",
                target=notification,
                before={"read_at": None},
                after={"read_at": now},
            )
    return notification


@transaction.atomic
def notification_read_all(*, actor: Any) -> int:
    """Mark all the actor's unread notifications read in one UPDATE; one audit record with the count.
    Returns how many were marked (0 writes nothing)."""
    now = timezone.now()
    count = Notification.objects.visible_to(actor).filter(read_at__isnull=True).update(read_at=now)
    if count:
        audit_record(
            actor=actor,
            verb="notification.read_all",
            target=actor,  # the member whose inbox it is
            after={"count": count, "read_at": now},
        )
    return count
