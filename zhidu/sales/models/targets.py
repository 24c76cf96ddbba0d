"""Targets broken down the hierarchy: one tree per (period, metric), nodes owned by members.

The director owns the root (the company target); each node's owner splits it among members in their scope
(a manager among supervisors and salespeople directly, a supervisor among their salespeople). Achievement is
never stored: it is computed from orders and follow relations when read (see `selectors/targets.py`).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhidu.core.models import BaseModel
from zhidu.org.models import Member, Role, work_scope_q


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class Metric(models.TextChoices):
    REVENUE = "revenue", _("Revenue")
    ORDERS = "orders", _("Orders")
    NEW_CUSTOMERS = "new_customers", _("New customers")


class TreeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class TargetTree(BaseModel):
    period = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices)
    start = models.DateField(_("period start"))
    metric = models.CharField(_("metric"), max_length=20, choices=Metric.choices)
    status = models.CharField(_("status"), max_length=10, choices=TreeStatus.choices, default=TreeStatus.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("published by")
    )
    # Publishing with unallocated or over-allocated splits needs a confirmation; the reason is kept here too.
    gap_confirmed_reason = models.TextField(_("reason for publishing with gaps"), blank=True)

    class Meta:
        ordering = ["-start", "period", "metric"]
        verbose_name = _("target tree")
        verbose_name_plural = _("target trees")
        constraints = [
            models.UniqueConstraint(fields=["period", "start", "metric"], name="target_tree_unique_period_metric"),
            models.CheckConstraint(condition=Q(period__in=PeriodKind.values), name="target_tree_period_valid"),
            models.CheckConstraint(condition=Q(metric__in=Metric.values), name="target_tree_metric_valid"),
            models.CheckConstraint(condition=Q(status__in=TreeStatus.values), name="target_tree_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} {self.start:%Y-%m-%d} ({self.get_period_display()})"


class TargetNodeQuerySet(models.QuerySet["TargetNode"]):
    def visible_to(self, member: Member | None) -> TargetNodeQuerySet:
        """Nodes owned by members whose work `member` may read (directors: all; sales: their own)."""
        if member is None or not member.is_active or member.role not in TARGET_READERS:
            return self.none()
        if member.role == Role.DIRECTOR:
            return self
        return self.filter(owner__in=work_scope_q(member))


# Who uses targets at all (compliance officers and administrators do not).
TARGET_READERS = (Role.DIRECTOR, Role.MANAGER, Role.SUPERVISOR, Role.SALES)


class TargetNode(BaseModel):
    """One member's target in a tree. `amount` is yuan for revenue, a count for orders and new customers."""

    tree = models.ForeignKey(TargetTree, on_delete=models.CASCADE, related_name="nodes", verbose_name=_("target tree"))
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    owner = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="target_nodes", verbose_name=_("owner"))
    amount = models.DecimalField(_("target"), max_digits=16, decimal_places=2)
    set_by = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("set by")
    )

    objects = TargetNodeQuerySet.as_manager()

    class Meta:
        ordering = ["tree_id", "id"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(fields=["tree", "owner"], name="target_node_unique_owner"),
            models.UniqueConstraint(fields=["tree"], condition=Q(parent__isnull=True), name="target_node_one_root"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="target_node_amount_not_negative"),
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="target_node_not_own_parent"),
        ]
        indexes = [models.Index(fields=["owner", "tree"], name="target_node_owner_idx")]

    def __str__(self) -> str:
        return f"{self.owner} · {self.tree}"


class PlanStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CorrectivePlan(BaseModel):
    """A node behind pace asks its owner for a corrective plan (纠偏计划); the level above reads it.

    At most one open (requested or submitted) plan per node: the pace check asks again only after a withdrawal.
    """

    node = models.ForeignKey(TargetNode, on_delete=models.CASCADE, related_name="plans", verbose_name=_("target"))
    status = models.CharField(_("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.REQUESTED)
    # What the pace check saw: the share of the period elapsed and the share achieved (percent).
    expected_percent = models.DecimalField(_("expected (%)"), max_digits=7, decimal_places=2)
    actual_percent = models.DecimalField(_("achieved (%)"), max_digits=7, decimal_places=2)
    text = models.TextField(_("corrective plan"), blank=True)
    submitted_at = models.DateTimeField(_("plan written at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("corrective plan")
        verbose_name_plural = _("corrective plans")
        constraints = [
            models.UniqueConstraint(
                fields=["node"], condition=~Q(status="withdrawn"), name="corrective_plan_one_open_per_node"
            ),
            models.CheckConstraint(condition=Q(status__in=PlanStatus.values), name="corrective_plan_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.node} · {self.get_status_display()}"
