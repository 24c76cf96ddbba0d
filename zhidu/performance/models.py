"""Models of the performance app: KPI definitions (a set per role and period kind, with weighted items),
scorecards with one line per metric, leads' written evaluations, and frozen ranking snapshots.

Scores are Decimal with 2 places. A scorecard is recomputed freely (live); a `RankingSnapshot` and its entries
are written once when a period is frozen and never change afterwards.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhidu.core.models import BaseModel
from zhidu.org.models import Member, Role, work_scope_q


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class SetStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("In force")


class Curve(models.TextChoices):
    LINEAR = "linear", _("Linear (up to 100)")
    LINEAR_CAP = "linear_cap", _("Linear up to a cap")
    THRESHOLDS = "thresholds", _("Thresholds")


# Roles that are assessed (and may have a KPI set).
ASSESSED_ROLES = (Role.DIRECTOR, Role.MANAGER, Role.SUPERVISOR, Role.SALES)


class KpiSet(BaseModel):
    """The KPIs of one role for periods of one kind, from `valid_from` (a period start) to `valid_until`
    (the last period start it applies to; empty: open-ended). Sets of a role and kind never overlap."""

    name = models.CharField(_("name"), max_length=100)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    period_kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=SetStatus.choices, default=SetStatus.DRAFT)

    class Meta:
        ordering = ["role", "period_kind", "-valid_from", "id"]
        verbose_name = _("KPI set")
        verbose_name_plural = _("KPI sets")
        constraints = [
            models.UniqueConstraint(fields=["role", "period_kind", "valid_from"], name="kpi_set_unique_role_start"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="kpi_set_role_valid"),
            models.CheckConstraint(condition=Q(period_kind__in=PeriodKind.values), name="kpi_set_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=SetStatus.values), name="kpi_set_status_valid"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="kpi_set_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class KpiItem(BaseModel):
    """One weighted metric of a set. `target` is in the metric's unit; `cap` (percent) bounds linear_cap scores;
    `thresholds` is a list of [value, score] pairs."""

    kpi_set = models.ForeignKey(KpiSet, on_delete=models.CASCADE, related_name="items")
    metric = models.CharField(_("metric"), max_length=40)
    weight = models.DecimalField(_("weight (%)"), max_digits=5, decimal_places=2)
    target = models.DecimalField(_("target"), max_digits=16, decimal_places=2)
    curve = models.CharField(_("scoring curve"), max_length=12, choices=Curve.choices, default=Curve.LINEAR)
    cap = models.DecimalField(_("cap (%)"), max_digits=6, decimal_places=2, null=True, blank=True)
    thresholds = models.JSONField(_("thresholds"), default=list, blank=True)

    class Meta:
        ordering = ["kpi_set_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kpi_set", "metric"], name="kpi_item_unique_metric"),
            models.CheckConstraint(condition=Q(weight__gt=0) & Q(weight__lte=100), name="kpi_item_weight_range"),
            models.CheckConstraint(condition=Q(curve__in=Curve.values), name="kpi_item_curve_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.weight}%"


class ScorecardQuerySet(models.QuerySet["Scorecard"]):
    def visible_to(self, member: Member | None) -> ScorecardQuerySet:
        """Scorecards of members whose work `member` may read (sales: own; supervisor: team; manager: subtree;
        director and compliance: all; admin: none)."""
        if member is None or not member.is_active:
            return self.none()
        if member.role in (Role.DIRECTOR, Role.COMPLIANCE):
            return self
        return self.filter(member__in=work_scope_q(member))


class Scorecard(BaseModel):
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="scorecards", verbose_name=_("member"))
    period_kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices)
    start = models.DateField(_("period start"))
    kpi_set = models.ForeignKey(KpiSet, on_delete=models.PROTECT, related_name="scorecards")
    total = models.DecimalField(_("score"), max_digits=7, decimal_places=2, default=0)
    # Revenue target achievement in percent (None: the member has no revenue target in the period).
    achievement = models.DecimalField(_("revenue achievement (%)"), max_digits=9, decimal_places=2, null=True)
    computed_at = models.DateTimeField(_("computed at"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    objects = ScorecardQuerySet.as_manager()

    class Meta:
        ordering = ["-start", "member_id"]
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        constraints = [
            models.UniqueConstraint(fields=["member", "period_kind", "start"], name="scorecard_unique_member_period"),
            models.CheckConstraint(condition=Q(period_kind__in=PeriodKind.values), name="scorecard_kind_valid"),
        ]
        indexes = [models.Index(fields=["period_kind", "start", "total"], name="scorecard_period_idx")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.period_kind} {self.start}"


class ScoreLine(models.Model):
    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="lines")
    metric = models.CharField(_("metric"), max_length=40)
    raw = models.DecimalField(_("value"), max_digits=16, decimal_places=2, null=True)
    target = models.DecimalField(_("target"), max_digits=16, decimal_places=2)
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=2)
    weight = models.DecimalField(_("weight (%)"), max_digits=5, decimal_places=2)
    contribution = models.DecimalField(_("contribution"), max_digits=7, decimal_places=2)

    class Meta:
        ordering = ["scorecard_id", "id"]
        constraints = [models.UniqueConstraint(fields=["scorecard", "metric"], name="score_line_unique_metric")]

    def __str__(self) -> str:
        return f"{self.metric} {self.score}"


class Evaluation(BaseModel):
    """A lead's written evaluation (评语) beside a scorecard; it never changes the score or the rank."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="evaluations")
    author = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("author"))
    text = models.TextField(_("evaluation"))

    class Meta:
        ordering = ["created_at", "id"]


class RankingSnapshot(BaseModel):
    """The frozen rankings of one finished period (written once, never changed)."""

    period_kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices)
    start = models.DateField(_("period start"))
    frozen_at = models.DateTimeField(_("frozen at"))
    frozen_by = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-start", "period_kind"]
        constraints = [
            models.UniqueConstraint(fields=["period_kind", "start"], name="ranking_snapshot_unique_period"),
        ]

    def __str__(self) -> str:
        return f"{self.period_kind} {self.start}"


class Scope(models.TextChoices):
    TEAM = "team", pgettext_lazy("ranking scope", "Team")
    DEPARTMENT = "department", pgettext_lazy("ranking scope", "Department")
    COMPANY = "company", pgettext_lazy("ranking scope", "Company")


class RankingEntry(models.Model):
    snapshot = models.ForeignKey(RankingSnapshot, on_delete=models.CASCADE, related_name="entries")
    scope = models.CharField(max_length=12, choices=Scope.choices)
    scope_id = models.BigIntegerField(null=True)
    scope_name = models.CharField(max_length=100)
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    member_name = models.CharField(max_length=100)
    rank = models.PositiveIntegerField()
    score = models.DecimalField(max_digits=7, decimal_places=2)
    achievement = models.DecimalField(max_digits=9, decimal_places=2, null=True)

    class Meta:
        ordering = ["snapshot_id", "id"]
        indexes = [models.Index(fields=["snapshot", "scope", "scope_id", "rank"], name="ranking_entry_scope_idx")]

    def __str__(self) -> str:
        return f"{self.scope} {self.scope_id} #{self.rank} {self.member_name}"
