"""Plans and tasks (S1 第十一–十二条): a lead plans the team's period and assigns tasks to be done on time.

A task belongs to the lead who created it and to its assignees (one or more members within the creator's work
scope). Who reads a task: its creator, its assignees, and anyone whose work scope holds an assignee or the
creator (a supervisor reads their team's tasks, a manager their department subtree's, the director all).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhidu.core.models import BaseModel
from zhidu.org.models import Department, Member, work_scope_q


class PlanPeriod(models.TextChoices):
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")


class TaskPriority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class TaskStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("task status", "Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    OVERDUE = "overdue", _("Overdue")
    CANCELLED = "cancelled", _("Cancelled")


# Statuses of a task still to be worked on (an overdue task can still be finished, late).
ACTIVE_STATUSES = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS, TaskStatus.OVERDUE)


class Recurrence(models.TextChoices):
    NONE = "", _("Does not repeat")
    DAILY = "daily", _("Every working day")
    WEEKLY = "weekly", _("Every week")


def _work_q(member: Member, *, creator: str, assignees: str) -> Q:
    scope = work_scope_q(member)
    return Q(**{creator: member}) | Q(**{f"{assignees}__in": scope}) | Q(**{f"{creator}__in": scope})


class PlanQuerySet(models.QuerySet["Plan"]):
    def visible_to(self, member: Member | None) -> PlanQuerySet:
        """A team's plan: its author, the team (members reporting to the author), anyone whose scope holds the
        author, and the assignees of its tasks."""
        if member is None or not member.is_active:
            return self.none()
        assigned = Task.assignees.through.objects.filter(member=member, task__plan__isnull=False).values("task__plan")
        return self.filter(
            Q(author=member) | Q(author=member.reports_to_id) | Q(author__in=work_scope_q(member)) | Q(pk__in=assigned)
        )


class Plan(BaseModel):
    """A lead's plan for their team's week or month: goals in prose, linked to the targets and development plans
    it pursues."""

    author = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="work_plans")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    period_kind = models.CharField(_("period"), max_length=10, choices=PlanPeriod.choices, default=PlanPeriod.MONTH)
    period_start = models.DateField(_("period start"))
    title = models.CharField(_("title"), max_length=100)
    goals = models.TextField(_("goals"), blank=True)
    # Links are by id into `sales` (target trees) and `customers` (development plans): both are lower layers.
    target_tree = models.ForeignKey(
        "sales.TargetTree", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    development_plans = models.ManyToManyField("customers.DevelopmentPlan", blank=True, related_name="+")

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["author", "period_kind", "period_start"], name="plan_one_per_period"),
            models.CheckConstraint(condition=Q(period_kind__in=PlanPeriod.values), name="plan_period_valid"),
        ]

    def __str__(self) -> str:
        return self.title


class TaskQuerySet(models.QuerySet["Task"]):
    def visible_to(self, member: Member | None) -> TaskQuerySet:
        if member is None or not member.is_active:
            return self.none()
        ids = Task.assignees.through.objects.filter(Q(member=member) | Q(member__in=work_scope_q(member))).values(
            "task_id"
        )
        return self.filter(Q(created_by=member) | Q(created_by__in=work_scope_q(member)) | Q(pk__in=ids))

    def active(self) -> TaskQuerySet:
        return self.filter(status__in=ACTIVE_STATUSES)


class Task(BaseModel):
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="created_tasks")
    # The creator's department when they created it.
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    assignees = models.ManyToManyField(Member, related_name="tasks", verbose_name=_("assignees"))
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks")
    due_at = models.DateTimeField(_("due"))
    priority = models.CharField(_("priority"), max_length=10, choices=TaskPriority.choices, default=TaskPriority.NORMAL)
    status = models.CharField(_("status"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    # Set when the task is done: whether it was done by its due time (the KPI "tasks done on time" counts these).
    done_on_time = models.BooleanField(null=True, blank=True)
    recurrence = models.CharField(
        _("repeats"), max_length=10, choices=Recurrence.choices, default=Recurrence.NONE, blank=True
    )
    # A recurring task's occurrences point at the first one (the series).
    series = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="occurrences")
    # Set by the periodic check: when the assignees were told the task is overdue, when the creator was told it is
    # still not done (escalation), and whether a recurring task's next occurrence exists.
    overdue_notified_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    repeated = models.BooleanField(default=False)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=TaskStatus.values), name="task_status_valid"),
            models.CheckConstraint(condition=Q(priority__in=TaskPriority.values), name="task_priority_valid"),
            models.CheckConstraint(condition=Q(recurrence__in=Recurrence.values), name="task_recurrence_valid"),
            # A series never has two occurrences due at the same time (the periodic check may run twice).
            models.UniqueConstraint(
                fields=["series", "due_at"], condition=Q(series__isnull=False), name="task_one_occurrence_per_due"
            ),
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="task_status_due")]

    def __str__(self) -> str:
        return self.title

    @property
    def series_root_id(self) -> int:
        return self.series_id or self.pk

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class TaskChecklistItem(BaseModel):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="checklist")
    text = models.CharField(_("item"), max_length=200)
    done = models.BooleanField(default=False)
    done_by = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text


class TaskAttachment(BaseModel):
    """A file attached to a task, kept in the default storage under a generated name (the original name is kept
    for the download)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(max_length=200)
    name = models.CharField(_("file name"), max_length=150)
    kind = models.CharField(max_length=10)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class TaskComment(BaseModel):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"))

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.task_id}: {self.text[:20]}"
