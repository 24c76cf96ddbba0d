"""The metric registry: a metric is one function that reads a period's data for many members at once.

    register_metric(MetricDef(
        code="training_score",
        label=gettext_lazy("Training score"),
        unit=Unit.SCORE,
        compute=training_scores,          # (PeriodScope) -> {member_id: Decimal | None}, one grouped query
    ))

`compute` receives the period and, optionally, the members to compute (None: everyone) and returns a value
per member id; members it leaves out get `default`. Values are raw figures in the metric's unit; the KPI
item's target and curve turn them into a score (see `scoring.py`). `records` (optional) lists the records
behind one member's value (orders, violations), as (label, url) pairs, at most `limit`.

Training scores and complaint handling plug in this way once those apps exist: their app registers a
metric from its AppConfig.ready() (a layer-6 app may not be imported from here), and KPI items can use it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Avg, Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from zhidu.compliance.models import Violation, ViolationStatus
from zhidu.compliance.reply_models import ReplyWait
from zhidu.core.periods import day_bounds, local_today, period_end
from zhidu.customers.models import DevelopmentPlan, FollowRelation, FollowUp
from zhidu.sales.models import Order, TargetTree
from zhidu.sales.models.orders import COUNTED_STATUSES
from zhidu.sales.models.targets import Metric as TargetMetric
from zhidu.sales.models.targets import TreeStatus
from zhidu.sales.targets_selectors import tree_view

from .scoring import HUNDRED, q2


class Unit:
    PERCENT = "percent"
    COUNT = "count"
    MINUTES = "minutes"
    SCORE = "score"


@dataclass(frozen=True)
class PeriodScope:
    kind: str
    start: dt.date
    member_ids: frozenset[int] | None = None  # None: every member

    @property
    def end(self) -> dt.date:
        return period_end(self.kind, self.start)

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """UTC-aware [start, end) of the period in the company's calendar."""
        return day_bounds(self.start)[0], day_bounds(self.end)[1]

    def only(self, qs: QuerySet[Any], field_name: str) -> QuerySet[Any]:
        if self.member_ids is None:
            return qs
        return qs.filter(**{f"{field_name}__in": sorted(self.member_ids)})


Values = dict[int, Decimal | None]
Records = list[tuple[str, str]]


@dataclass(frozen=True)
class MetricDef:
    code: str
    label: str | Promise
    unit: str
    compute: Callable[[PeriodScope], Values]
    higher_is_better: bool = True
    default: Decimal | None = None
    records: Callable[[int, PeriodScope, int], Records] | None = field(default=None, compare=False)
    help: str | Promise = ""


_registry: dict[str, MetricDef] = {}


def register_metric(metric: MetricDef) -> MetricDef:
    _registry[metric.code] = metric
    return metric


def unregister_metric(code: str) -> None:
    _registry.pop(code, None)


def get_metric(code: str) -> MetricDef | None:
    return _registry.get(code)


def all_metrics() -> list[MetricDef]:
    return list(_registry.values())


def metric_choices() -> list[tuple[str, str]]:
    return [(m.code, str(m.label)) for m in _registry.values()]


# --- target achievement (sales targets) -----------------------------------------------------------------


def _achievement(target_metric: str) -> Callable[[PeriodScope], Values]:
    def compute(scope: PeriodScope) -> Values:
        tree = TargetTree.objects.filter(
            period=scope.kind, start=scope.start, metric=target_metric, status=TreeStatus.PUBLISHED
        ).first()
        if tree is None:
            return {}
        view = tree_view(tree, today=local_today())
        out: Values = {}
        for v in view.nodes.values():
            if v.node.amount > 0 and (scope.member_ids is None or v.node.owner_id in scope.member_ids):
                out[v.node.owner_id] = v.percent
        return out

    return compute


def _order_records(member_id: int, scope: PeriodScope, limit: int) -> Records:
    orders = (
        Order.objects.filter(
            credits__member_id=member_id,
            status__in=COUNTED_STATUSES,
            booked_on__gte=scope.start,
            booked_on__lte=scope.end,
        )
        .order_by("-booked_on", "-id")
        .only("id", "number", "total")[:limit]
    )
    return [(f"{o.number} · ¥{o.total}", reverse("sales:order_detail", args=[o.pk])) for o in orders]


def _follow_records(member_id: int, scope: PeriodScope, limit: int) -> Records:
    lo, hi = scope.bounds()
    follows = (
        FollowRelation.objects.filter(member_id=member_id, createtime__gte=lo, createtime__lt=hi)
        .select_related("customer")
        .order_by("-createtime", "-id")[:limit]
    )
    return [(f.customer.name, reverse("customers:detail", args=[f.customer_id])) for f in follows]


# --- follow-up activity and development plans (customers) -----------------------------------------------


def _followup_counts(scope: PeriodScope) -> dict[int, int]:
    lo, hi = scope.bounds()
    qs = scope.only(FollowUp.objects.filter(happened_at__gte=lo, happened_at__lt=hi), "author_id")
    return dict(qs.values("author_id").annotate(n=Count("id")).values_list("author_id", "n"))


def followups(scope: PeriodScope) -> Values:
    return {m: Decimal(n) for m, n in _followup_counts(scope).items()}


def _followup_records(member_id: int, scope: PeriodScope, limit: int) -> Records:
    lo, hi = scope.bounds()
    rows = (
        FollowUp.objects.filter(author_id=member_id, happened_at__gte=lo, happened_at__lt=hi)
        .select_related("follow__customer")
        .order_by("-happened_at", "-id")[:limit]
    )
    return [
        (
            f"{r.happened_at.astimezone(timezone.get_current_timezone()):%m-%d} {r.follow.customer.name}",
            reverse("customers:detail", args=[r.follow.customer_id]),
        )
        for r in rows
    ]


def plan_progress(scope: PeriodScope) -> Values:
    """Development plans (monthly and weekly) starting in the period: the share of their planned new customers
    and follow-ups that was done, in percent (each part counts at most its plan)."""
    plans = scope.only(
        DevelopmentPlan.objects.filter(starts_on__gte=scope.start, starts_on__lte=scope.end), "member_id"
    )
    planned: dict[int, list[int]] = {}
    for member_id, new, fol in plans.values_list("member_id", "new_customers", "followups"):
        p = planned.setdefault(member_id, [0, 0])
        p[0] += new
        p[1] += fol
    if not planned:
        return {}
    done_f = _followup_counts(scope)
    lo, hi = scope.bounds()
    follows = scope.only(FollowRelation.objects.filter(createtime__gte=lo, createtime__lt=hi), "member_id")
    done_n = dict(follows.values("member_id").annotate(n=Count("id")).values_list("member_id", "n"))
    out: Values = {}
    for member_id, (new, fol) in planned.items():
        total = new + fol
        if total <= 0:
            continue
        done = min(done_n.get(member_id, 0), new) + min(done_f.get(member_id, 0), fol)
        out[member_id] = q2(Decimal(done) * HUNDRED / Decimal(total))
    return out


def _plan_records(member_id: int, scope: PeriodScope, limit: int) -> Records:
    return [(str(_("Development plans")), reverse("customers:plans"))]


# --- reply timeliness (chat archive) ----------------------------------------------------------------------


def _waits(scope: PeriodScope) -> QuerySet[Any]:
    lo, hi = scope.bounds()
    qs = ReplyWait.objects.customer().filter(member__isnull=False, asked_at__gte=lo, asked_at__lt=hi)
    # A wait counts once it is answered or its deadline has passed unanswered.
    qs = qs.filter(Q(answered_at__isnull=False) | Q(deadline__lt=timezone.now()))
    return scope.only(qs, "member_id")


def reply_within_sla(scope: PeriodScope) -> Values:
    sla = settings.REPLY_SLA_MINUTES
    rows = (
        _waits(scope)
        .values("member_id")
        .annotate(n=Count("id"), ok=Count("id", filter=Q(answered_at__isnull=False, reply_minutes__lte=sla)))
        .values_list("member_id", "n", "ok")
    )
    return {m: q2(Decimal(ok) * HUNDRED / Decimal(n)) for m, n, ok in rows if n}


def first_reply_minutes(scope: PeriodScope) -> Values:
    rows = (
        _waits(scope)
        .filter(answered_at__isnull=False, reply_minutes__isnull=False)
        .values("member_id")
        .annotate(avg=Avg("reply_minutes"))
        .values_list("member_id", "avg")
    )
    return {m: q2(Decimal(str(avg))) for m, avg in rows if avg is not None}


# --- confirmed violations (compliance) --------------------------------------------------------------------


def confirmed_violations(scope: PeriodScope) -> Values:
    lo, hi = scope.bounds()
    qs = Violation.objects.filter(status=ViolationStatus.CONFIRMED, occurred_at__gte=lo, occurred_at__lt=hi)
    rows = scope.only(qs, "member_id").values("member_id").annotate(n=Count("id")).values_list("member_id", "n")
    return {m: Decimal(n) for m, n in rows if m is not None}


def _violation_records(member_id: int, scope: PeriodScope, limit: int) -> Records:
    lo, hi = scope.bounds()
    rows = (
        Violation.objects.filter(
            member_id=member_id, status=ViolationStatus.CONFIRMED, occurred_at__gte=lo, occurred_at__lt=hi
        )
        .select_related("rule")
        .order_by("-occurred_at", "-id")[:limit]
    )
    return [
        (
            f"{v.occurred_at.astimezone(timezone.get_current_timezone()):%m-%d} {v.rule.name}",
            reverse("compliance:violation_detail", args=[v.pk]),
        )
        for v in rows
    ]


REVENUE = "revenue_achievement"

register_metric(
    MetricDef(
        code=REVENUE,
        label=_("Revenue target achievement"),
        unit=Unit.PERCENT,
        compute=_achievement(TargetMetric.REVENUE),
        records=_order_records,
        help=_("Revenue against the member's published revenue target, in percent."),
    )
)
register_metric(
    MetricDef(
        code="orders_achievement",
        label=_("Order target achievement"),
        unit=Unit.PERCENT,
        compute=_achievement(TargetMetric.ORDERS),
        records=_order_records,
        help=_("Orders against the member's published order target, in percent."),
    )
)
register_metric(
    MetricDef(
        code="new_customers_achievement",
        label=_("New customer target achievement"),
        unit=Unit.PERCENT,
        compute=_achievement(TargetMetric.NEW_CUSTOMERS),
        records=_follow_records,
        help=_("New customers against the member's published target, in percent."),
    )
)
register_metric(
    MetricDef(
        code="followups",
        label=_("Follow-up records"),
        unit=Unit.COUNT,
        compute=followups,
        default=Decimal(0),
        records=_followup_records,
        help=_("Follow-up records written in the period."),
    )
)
register_metric(
    MetricDef(
        code="plan_progress",
        label=_("Development plan progress"),
        unit=Unit.PERCENT,
        compute=plan_progress,
        records=_plan_records,
        help=_("Share of the period's development plans done, in percent."),
    )
)
register_metric(
    MetricDef(
        code="reply_within_sla",
        label=_("Customer messages answered in time"),
        unit=Unit.PERCENT,
        compute=reply_within_sla,
        default=Decimal(100),
        help=_("Share of customer messages answered within the reply time limit, in percent."),
    )
)
register_metric(
    MetricDef(
        code="first_reply_minutes",
        label=_("Average first reply time"),
        unit=Unit.MINUTES,
        compute=first_reply_minutes,
        higher_is_better=False,
        default=Decimal(0),
        help=_("Average working minutes before the first reply; lower is better."),
    )
)
register_metric(
    MetricDef(
        code="violations",
        label=_("Confirmed violations"),
        unit=Unit.COUNT,
        compute=confirmed_violations,
        higher_is_better=False,
        default=Decimal(0),
        records=_violation_records,
        help=_("Violations confirmed in the period; fewer is better."),
    )
)
