"""Periodic reports (日报 / 周报 / 月报, S1 第十三条, S9 §5): members report their day, week or month to their lead.

A `ReportTemplate` belongs to a department (or to the whole company when `department` is empty) and a kind; a
department without its own uses the nearest one up the tree. It lists the sections a member writes, the hour the
report is due on the first working day after the period, and the roles that must report.

A `Report` is one member's report for one period: a draft whose figures (customers added, follow-ups, chats,
orders, tasks, violations) are computed from the period's records until it is submitted, then frozen. The
member's lead (supervisor for their team, manager for their subtree, director) reads it, comments and marks it
reviewed.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from zhidu.core.models import BaseModel
from zhidu.org.models import Department, Member, Role, department_subtree_ids


class ReportKind(models.TextChoices):
    DAILY = "daily", _("Daily report")
    WEEKLY = "weekly", _("Weekly report")
    MONTHLY = "monthly", _("Monthly report")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", pgettext_lazy("report status", "Submitted")
    REVIEWED = "reviewed", _("Reviewed")


SENT_STATUSES = (ReportStatus.SUBMITTED, ReportStatus.REVIEWED)


class ReportTemplateQuerySet(models.QuerySet["ReportTemplate"]):
    def visible_to(self, member: Member | None) -> ReportTemplateQuerySet:
        """Every active member reads the templates (they say what to write); editing is checked apart."""
        if member is None or not member.is_active:
            return self.none()
        return self


class ReportTemplate(BaseModel):
    # Empty: the company-wide template, used where no department up the tree has its own.
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("department")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ReportKind.choices)
    # [{"label": str, "required": bool}, ...]
    sections = models.JSONField(_("sections"), default=list)
    due_hour = models.PositiveSmallIntegerField(_("due hour"))
    # Roles that must report, e.g. ["sales", "supervisor"].
    roles = models.JSONField(_("who reports"), default=list)
    updated_by = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = ReportTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "department_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "kind"],
                condition=Q(department__isnull=False),
                name="report_template_one_per_dept",
            ),
            models.UniqueConstraint(
                fields=["kind"], condition=Q(department__isnull=True), name="report_template_one_company"
            ),
            models.CheckConstraint(condition=Q(kind__in=ReportKind.values), name="report_template_kind_valid"),
            models.CheckConstraint(condition=Q(due_hour__lte=23), name="report_template_due_hour_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.department or '-'}"


class ReportQuerySet(models.QuerySet["Report"]):
    def visible_to(self, member: Member | None) -> ReportQuerySet:
        """The member's own reports (drafts included), plus the submitted reports they lead (`reviewable_by`)."""
        if member is None or not member.is_active:
            return self.none()
        return self.filter(Q(member=member) | (self._lead_q(member) & Q(status__in=SENT_STATUSES)))

    def reviewable_by(self, member: Member | None) -> ReportQuerySet:
        """Submitted reports `member` leads: a supervisor their direct reports', a manager their department
        subtree's, the director everyone's. Never their own."""
        if member is None or not member.is_active:
            return self.none()
        return self.filter(self._lead_q(member), status__in=SENT_STATUSES).exclude(member=member)

    @staticmethod
    def _lead_q(member: Member) -> Q:
        if member.role == Role.DIRECTOR:
            return ~Q(member=member)
        if member.role == Role.MANAGER:
            return Q(member__department_id__in=department_subtree_ids(member.department_id)) & ~Q(member=member)
        if member.role == Role.SUPERVISOR:
            return Q(member__reports_to=member)
        return Q(pk__in=[])


class Report(BaseModel):
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="work_reports")
    # The member's department when the draft was made.
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=ReportKind.choices)
    period_start = models.DateField(_("period start"))
    template = models.ForeignKey(ReportTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The template's sections with the member's text: [{"label": str, "required": bool, "text": str}, ...]
    sections = models.JSONField(_("sections"), default=list)
    # The period's figures (see reports_figures.FIGURES); refreshed while a draft, frozen at submit.
    figures = models.JSONField(_("figures"), default=dict)
    figures_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    due_at = models.DateTimeField(_("due"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    late = models.BooleanField(_("late"), default=False)
    reviewed_by = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "kind", "period_start"], name="report_one_per_period"),
            models.CheckConstraint(condition=Q(kind__in=ReportKind.values), name="report_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=ReportStatus.values), name="report_status_valid"),
        ]
        indexes = [models.Index(fields=["kind", "period_start", "status"], name="report_kind_period_status")]

    def __str__(self) -> str:
        return f"{self.member} · {self.get_kind_display()} {self.period_start}"

    @property
    def is_draft(self) -> bool:
        return self.status == ReportStatus.DRAFT

    @property
    def period_label(self) -> str:
        return period_label(self.kind, self.period_start)


def period_label(kind: str, start: dt.date) -> str:
    """The period as people say it: "2026-03-02", "week of 2026-03-02", "2026-03"."""
    if kind == ReportKind.WEEKLY:
        return gettext("week of %(day)s") % {"day": start.isoformat()}
    if kind == ReportKind.MONTHLY:
        return f"{start:%Y-%m}"
    return start.isoformat()


class ReportComment(BaseModel):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"))

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.author_id}"
