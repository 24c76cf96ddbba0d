"""Reply timeliness state (imported by `models.py`): the waits the reply tracker opened, answered or flagged, and
designated responders of customer groups."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhidu.core.models import BaseModel
from zhidu.org.models import Member


class WaitKind(models.TextChoices):
    SINGLE = "single", _("Single chat")
    GROUP = "group", _("Customer group")
    INTERNAL = "internal", _("Internal group question")


class ReplyWaitQuerySet(models.QuerySet["ReplyWait"]):
    def visible_to(self, member: Member | None) -> ReplyWaitQuerySet:
        """Waits of members whose work `member` may read (the responsible member; the asker for internal questions)."""
        from .models import _work_filter

        return _work_filter(self, member, "member")  # type: ignore[no-any-return]

    def customer(self) -> ReplyWaitQuerySet:
        return self.filter(kind__in=(WaitKind.SINGLE, WaitKind.GROUP))


class ReplyWait(models.Model):
    """One message waiting for a reply: a customer's (single chat or customer group) or a question in an internal
    group. Open while `answered_at` is empty; deadlines are working time under the member's calendar."""

    slot = models.CharField(max_length=300, help_text="chat (customer waits) or room#asker (internal questions)")
    kind = models.CharField(_("kind"), max_length=10, choices=WaitKind.choices)
    chat_key = models.CharField(_("chat"), max_length=260)
    roomid = models.CharField(_("room id"), max_length=128, blank=True)
    msgid = models.CharField(_("message id"), max_length=128)
    message = models.ForeignKey(
        "compliance.ArchiveMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    asker = models.CharField(_("asked by"), max_length=128, help_text="customer external userid or member userid")
    responsible = models.CharField(_("responsible userid"), max_length=128, blank=True)
    member = models.ForeignKey(
        Member,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("member"),
        help_text="responsible member (customer waits) or the asking member (internal questions)",
    )
    asked_at = models.DateTimeField(_("asked at"))
    deadline = models.DateTimeField(_("deadline"))
    escalate_at = models.DateTimeField(_("escalate at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    reply_msgid = models.CharField(max_length=128, blank=True)
    reply_minutes = models.FloatField(_("first reply (working minutes)"), null=True, blank=True)
    violation = models.ForeignKey(
        "compliance.Violation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    flagged_at = models.DateTimeField(_("flagged at"), null=True, blank=True)

    objects = ReplyWaitQuerySet.as_manager()

    class Meta:
        ordering = ["asked_at", "id"]
        verbose_name = _("reply wait")
        verbose_name_plural = _("reply waits")
        constraints = [
            models.UniqueConstraint(fields=["msgid"], name="replywait_unique_msgid"),
            models.UniqueConstraint(fields=["slot"], condition=Q(answered_at=None), name="replywait_one_open_per_slot"),
            models.CheckConstraint(condition=Q(kind__in=WaitKind.values), name="replywait_kind_valid"),
        ]
        indexes = [
            models.Index(fields=["chat_key"], condition=Q(answered_at=None), name="replywait_open_chat_idx"),
            models.Index(fields=["deadline"], condition=Q(answered_at=None), name="replywait_open_deadline_idx"),
            models.Index(fields=["member", "asked_at"], name="replywait_member_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.msgid}"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None


class ReplyResponder(BaseModel):
    """The member who answers customers in a customer group instead of its owner."""

    group = models.OneToOneField(
        "groups.GroupChat", on_delete=models.CASCADE, related_name="reply_responder", verbose_name=_("group")
    )
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+", verbose_name=_("responder"))

    class Meta:
        verbose_name = _("group responder")
        verbose_name_plural = _("group responders")

    def __str__(self) -> str:
        return f"{self.group_id} → {self.member_id}"


def late_reply_explanation(detail: object) -> str:
    """A late reply's explanation: how long the customer waited, against the deadline, and whether answered."""
    if not isinstance(detail, dict) or detail.get("check") != "late_reply":
        return ""
    params = {"waited": detail.get("waited_minutes"), "sla": detail.get("sla_minutes")}
    if detail.get("answered"):
        text = _("The customer waited %(waited)s working minutes for the first reply (deadline: %(sla)s minutes)")
    else:
        text = _("The customer has waited %(waited)s working minutes without a reply (deadline: %(sla)s minutes)")
    return str(text) % params
