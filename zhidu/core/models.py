"""Shared model base, the append-only audit trail, event deliveries and notifications."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


# Role names as org stores them (`org.Role` values; core sits below org and cannot import it).
ROLE_ADMIN = "admin"
ROLE_COMPLIANCE = "compliance"
AUDIT_READER_ROLES = (ROLE_ADMIN, ROLE_COMPLIANCE)


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("audit events are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit events are append-only")

    def visible_to(self, member: Any) -> AuditEventQuerySet:
        if member is not None and member.is_active and member.role in AUDIT_READER_ROLES:
            return self
        return self.none()


class AuditEvent(models.Model):
    """Who did what to which record, with the state before and after. Never edited, never deleted."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        "org.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("actor")
    )
    actor_label = models.CharField(max_length=150, blank=True, help_text="system actor name when actor is null")
    verb = models.CharField(max_length=80, db_index=True)
    target_type = models.CharField(max_length=80, db_index=True)
    target_id = models.CharField(max_length=64, db_index=True)
    target_label = models.CharField(max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]

    def __str__(self) -> str:
        who = self.actor_label or (str(self.actor) if self.actor_id else "system")
        return f"{self.at:%Y-%m-%d %H:%M} {who} {self.verb} {self.target_type}#{self.target_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit events are append-only")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed, will retry")


class EventDelivery(BaseModel):
    """One domain event for one handler: written in the publisher's transaction, run after it commits.

    See `zhidu.core.events`. A failed run is kept with its error and retried with back-off; nothing is dropped.
    """

    name = models.CharField(max_length=100, db_index=True)
    payload = models.JSONField(default=dict, blank=True)
    handler = models.CharField(max_length=255, help_text="module.qualname of the subscribed handler")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("event delivery")
        verbose_name_plural = _("event deliveries")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=DeliveryStatus.values), name="event_delivery_status_valid"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="event_delivery_due_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.name} → {self.handler} ({self.status})"


class NotificationQuerySet(models.QuerySet["Notification"]):
    def visible_to(self, member: Any) -> NotificationQuerySet:
        if member is None or not member.is_active:
            return self.none()
        return self.filter(recipient=member)


class Notification(BaseModel):
    """A message for one member, queued by `zhidu.core.notifications.notify`; channels (WeCom) deliver it."""

    recipient = models.ForeignKey("org.Member", on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True, help_text="path inside zhidu, e.g. /compliance/violations/1/")
    action = models.CharField(max_length=20, blank=True, help_text="label of the link, e.g. 签收")
    dedupe_key = models.CharField(max_length=200, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], condition=~Q(dedupe_key=""), name="notification_unique_dedupe"
            ),
        ]
        indexes = [
            # the inbox pages by key (recipient, id < before, newest first); the badge counts unread rows only
            models.Index(fields=["recipient", "id"], name="notification_inbox_idx"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title} → {self.recipient_id}"
