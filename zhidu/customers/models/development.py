"""Customer development on top of a follow relation: stage, needs analysis, next action, collaborators,
follow-up records, development plans, and the reminders already sent."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhidu.core.models import BaseModel
from zhidu.org.models import Member, Role, work_scope_q

from .contacts import FollowRelation


class Stage(models.TextChoices):
    """Where a salesperson stands with a customer (客户阶段)."""

    NEW = "new", _("To follow up")
    NEEDS = "needs", _("Needs analysis")
    PROPOSAL = "proposal", _("Proposal / quote")
    WON = "won", _("Won")
    NO_INTEREST = "no_interest", _("Not interested")
    LOST = "lost", _("Lost")


# Stages that need no more follow-up: no reminders for them.
CLOSED_STAGES = (Stage.WON, Stage.NO_INTEREST, Stage.LOST)


class DevelopmentQuerySet(models.QuerySet["Development"]):
    def visible_to(self, member: Member | None) -> DevelopmentQuerySet:
        if member is None or not member.is_active:
            return self.none()
        return self.filter(follow__member__in=work_scope_q(member))


class Development(BaseModel):
    """The development state of one follow relation (created on the first change; absent means 待跟进)."""

    follow = models.OneToOneField(
        FollowRelation, on_delete=models.CASCADE, related_name="development", verbose_name=_("follow relation")
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.NEW)
    budget = models.CharField(_("budget"), max_length=200, blank=True)
    need = models.TextField(_("need"), blank=True)
    decision_maker = models.CharField(_("decision maker"), max_length=200, blank=True)
    timing = models.CharField(_("timing"), max_length=200, blank=True)
    next_action = models.CharField(_("next action"), max_length=200, blank=True)
    next_action_on = models.DateField(_("next action date"), null=True, blank=True)
    collaborators = models.ManyToManyField(
        Member, blank=True, related_name="collaborations", verbose_name=_("collaborators")
    )
    last_followup_at = models.DateTimeField(_("last follow-up"), null=True, blank=True)
    last_chat_at = models.DateTimeField(_("last chat"), null=True, blank=True)
    last_contact_at = models.DateTimeField(_("last contact"), null=True, blank=True)

    objects = DevelopmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer development")
        verbose_name_plural = _("customer developments")
        constraints = [models.CheckConstraint(condition=Q(stage__in=Stage.values), name="development_stage_valid")]
        indexes = [
            models.Index(fields=["stage"], name="development_stage_idx"),
            models.Index(fields=["next_action_on"], name="development_next_action_idx"),
            models.Index(fields=["last_contact_at"], name="development_last_contact_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.follow_id}: {self.stage}"


class FollowUpKind(models.TextChoices):
    CHAT = "chat", _("WeCom chat")
    PHONE = "phone", _("Phone")
    MEETING = "meeting", _("Meeting")
    VISIT = "visit", _("Visit")


class FollowUpQuerySet(models.QuerySet["FollowUp"]):
    def visible_to(self, member: Member | None) -> FollowUpQuerySet:
        if member is None or not member.is_active:
            return self.none()
        if member.role in (Role.DIRECTOR, Role.COMPLIANCE):
            return self
        return self.filter(follow__member__in=work_scope_q(member))


class FollowUp(BaseModel):
    """A follow-up record (跟进记录) on a follow relation."""

    follow = models.ForeignKey(
        FollowRelation, on_delete=models.CASCADE, related_name="followups", verbose_name=_("follow relation")
    )
    author = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="followups_written", verbose_name=_("author")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=FollowUpKind.choices)
    happened_at = models.DateTimeField(_("time"))
    summary = models.TextField(_("summary"))
    outcome = models.TextField(_("outcome"), blank=True)
    next_step = models.CharField(_("next step"), max_length=200, blank=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["-happened_at", "-id"]
        verbose_name = _("follow-up record")
        verbose_name_plural = _("follow-up records")
        constraints = [models.CheckConstraint(condition=Q(kind__in=FollowUpKind.values), name="followup_kind_valid")]
        indexes = [
            models.Index(fields=["follow", "happened_at"], name="followup_follow_time_idx"),
            models.Index(fields=["author", "happened_at"], name="followup_author_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.happened_at:%Y-%m-%d}"


class PlanPeriod(models.TextChoices):
    MONTH = "month", _("Month")
    WEEK = "week", _("Week")


class DevelopmentPlanQuerySet(models.QuerySet["DevelopmentPlan"]):
    def visible_to(self, member: Member | None) -> DevelopmentPlanQuerySet:
        if member is None or not member.is_active:
            return self.none()
        return self.filter(member__in=work_scope_q(member))


class DevelopmentPlan(BaseModel):
    """A customer development plan (客户开发计划): what one member should reach in one period."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="dev_plans", verbose_name=_("member"))
    period = models.CharField(_("period"), max_length=10, choices=PlanPeriod.choices)
    starts_on = models.DateField(_("starts on"))
    new_customers = models.PositiveIntegerField(_("new customers"), default=0)
    followups = models.PositiveIntegerField(_("follow-ups"), default=0)
    set_by = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("set by"))

    objects = DevelopmentPlanQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "member_id"]
        verbose_name = _("development plan")
        verbose_name_plural = _("development plans")
        constraints = [
            models.UniqueConstraint(fields=["member", "period", "starts_on"], name="devplan_unique_member_period"),
            models.CheckConstraint(condition=Q(period__in=PlanPeriod.values), name="devplan_period_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.period} {self.starts_on}"


class ReminderKind(models.TextChoices):
    OVERDUE = "overdue", _("Next action overdue")
    STALE = "stale", _("No contact")
    LOST = "lost", _("Customer deleted the member")


class ReminderLevel(models.TextChoices):
    OWNER = "owner", _("Salesperson in charge")
    SUPERVISOR = "supervisor", _("Supervisor")


class ReminderSent(models.Model):
    """One reminder already sent, so the periodic task never sends it twice. `anchor` names the occasion:
    the overdue next-action date, or the last contact the silence is counted from."""

    follow = models.ForeignKey(FollowRelation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=ReminderKind.choices)
    level = models.CharField(max_length=10, choices=ReminderLevel.choices)
    anchor = models.CharField(max_length=40)
    recipient = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField()

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(fields=["follow", "kind", "level", "anchor"], name="remindersent_unique_occasion")
        ]

    def __str__(self) -> str:
        return f"{self.follow_id} {self.kind} {self.level} {self.anchor}"
