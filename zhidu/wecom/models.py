"""WeCom plumbing: the callback inbox, the outbound message outbox, sync runs, and role-mapping rules."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhidu.core.models import BaseModel
from zhidu.org.models import Role


class CallbackInbox(models.Model):
    """One verified, decrypted callback event. `event_key` makes a replay land on the same row."""

    event_key = models.CharField(max_length=64, help_text="sha256 of the decrypted event XML")
    event = models.CharField(max_length=64, blank=True)
    change_type = models.CharField(max_length=64, blank=True)
    create_time = models.BigIntegerField(default=0, help_text="CreateTime of the event (unix seconds)")
    payload = models.JSONField(default=dict, help_text="the parsed event fields")
    raw_xml = models.TextField(help_text="the decrypted event XML")
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    replays = models.PositiveIntegerField(default=0, help_text="how often the same event arrived again")
    processed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("callback event")
        verbose_name_plural = _("callback inbox")
        constraints = [models.UniqueConstraint(fields=["event_key"], name="callbackinbox_unique_event_key")]
        indexes = [models.Index(fields=["processed_at"], name="callbackinbox_processed_idx")]

    def __str__(self) -> str:
        return f"{self.event}/{self.change_type} @{self.create_time}"


class OutboxChannel(models.TextChoices):
    APP = "app", _("Application message")
    ROBOT = "robot", _("Group robot")


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed, will retry")
    DEAD = "dead", _("Dead")


class OutboxMsgType(models.TextChoices):
    TEXT = "text", _("Text")
    TEXTCARD = "textcard", _("Text card")
    MARKDOWN = "markdown", _("Markdown")


class OutboxMessage(BaseModel):
    """A message to deliver through WeCom, written in the caller's transaction, sent after commit."""

    channel = models.CharField(max_length=10, choices=OutboxChannel.choices)
    to_userids = models.JSONField(default=list, blank=True)
    robot_key = models.CharField(max_length=200, blank=True, help_text="webhook key (or full webhook URL)")
    msgtype = models.CharField(max_length=20, choices=OutboxMsgType.choices, default=OutboxMsgType.TEXT)
    content = models.JSONField(default=dict)
    dedupe_key = models.CharField(max_length=200, null=True, blank=True)
    status = models.CharField(max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    last_errcode = models.IntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    wecom_msgid = models.CharField(max_length=128, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbox")
        constraints = [
            models.UniqueConstraint(fields=["dedupe_key"], name="outbox_unique_dedupe_key"),
            models.CheckConstraint(condition=Q(channel__in=OutboxChannel.values), name="outbox_channel_valid"),
            models.CheckConstraint(condition=Q(status__in=OutboxStatus.values), name="outbox_status_valid"),
            models.CheckConstraint(condition=Q(msgtype__in=OutboxMsgType.values), name="outbox_msgtype_valid"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx")]

    def __str__(self) -> str:
        target = ",".join(self.to_userids) if self.channel == OutboxChannel.APP else "robot"
        return f"#{self.pk} {self.msgtype} → {target} ({self.status})"


class SyncRun(models.Model):
    """One run of the WeCom sync: what it covered, what it changed, how it ended."""

    kind = models.CharField(max_length=100, help_text="comma-separated parts: contacts, tags, customers, groups")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("sync run")
        verbose_name_plural = _("sync runs")

    def __str__(self) -> str:
        return f"{self.kind} @{self.started_at:%Y-%m-%d %H:%M}"

    @property
    def seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class RoleRule(BaseModel):
    """Map a WeCom position title to a role: the first active rule (lowest order) whose keyword occurs wins.

    When no rule is active, the built-in defaults in `zhidu.wecom.sync.DEFAULT_ROLE_RULES` apply
    (or settings.WECOM_ROLE_RULES when set).
    """

    keyword = models.CharField(_("keyword in position"), max_length=50)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    order = models.PositiveIntegerField(default=100)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("role mapping rule")
        verbose_name_plural = _("role mapping rules")
        constraints = [models.CheckConstraint(condition=Q(role__in=Role.values), name="rolerule_role_valid")]

    def __str__(self) -> str:
        return f"{self.keyword} → {self.role}"


class ProfileCheck(models.Model):
    """When a member's WeCom profile was last read (user/get) and whether a callback asked for an early look."""

    member = models.OneToOneField("org.Member", on_delete=models.CASCADE, related_name="profile_check")
    checked_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True, help_text="set by an update_user callback; cleared by a check")
    error = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("profile check")
        verbose_name_plural = _("profile checks")
        indexes = [
            models.Index(fields=["due_at"], name="profilecheck_due_idx"),
            models.Index(fields=["checked_at"], name="profilecheck_checked_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} @{self.checked_at}"


class BehaviorDay(models.Model):
    """WeCom's own 联系客户统计 for one member and day (`externalcontact/get_user_behavior_data`), stored by a
    periodic task so pages never call WeCom live. Shown beside our reply statistics."""

    member = models.ForeignKey("org.Member", on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("date"))
    chat_cnt = models.PositiveIntegerField(default=0)
    message_cnt = models.PositiveIntegerField(default=0)
    reply_percentage = models.FloatField(null=True, blank=True)
    avg_reply_time = models.FloatField(null=True, blank=True, help_text="minutes, as WeCom reports it")
    negative_feedback_cnt = models.PositiveIntegerField(default=0)
    new_apply_cnt = models.PositiveIntegerField(default=0)
    new_contact_cnt = models.PositiveIntegerField(default=0)
    fetched_at = models.DateTimeField()

    class Meta:
        ordering = ["member_id", "day"]
        verbose_name = _("WeCom behaviour data")
        verbose_name_plural = _("WeCom behaviour data")
        constraints = [models.UniqueConstraint(fields=["member", "day"], name="behaviorday_unique_member_day")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.day}"
