"""KPI metric "tasks done on time" (registered from WorkConfig.ready): of a member's tasks due in the period
(cancelled ones left out), the share done by their due time, in percent. A task counts once its due time has
passed or it is done; a member with no such task has no value."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhidu.performance.metrics import MetricDef, PeriodScope, Records, Unit, Values, register_metric
from zhidu.performance.scoring import HUNDRED, q2

from .models import Task, TaskStatus

TASKS_ON_TIME = "tasks_on_time"


def _counted(scope: PeriodScope) -> Q:
    lo, hi = scope.bounds()
    return (
        Q(task__due_at__gte=lo, task__due_at__lt=hi)
        & ~Q(task__status=TaskStatus.CANCELLED)
        & (Q(task__due_at__lte=timezone.now()) | Q(task__status=TaskStatus.DONE))
    )


def tasks_on_time(scope: PeriodScope) -> Values:
    through = Task.assignees.through.objects.filter(_counted(scope))
    rows = (
        scope.only(through, "member_id")
        .values("member_id")
        .annotate(total=Count("id"), on_time=Count("id", filter=Q(task__done_on_time=True)))
    )
    return {r["member_id"]: q2(Decimal(r["on_time"]) * HUNDRED / r["total"]) for r in rows if r["total"]}


def _task_records(member_id: int, scope: PeriodScope, limit: int) -> Records:
    ids = Task.assignees.through.objects.filter(_counted(scope), member_id=member_id).values("task_id")
    tasks = Task.objects.filter(pk__in=ids).order_by("-due_at", "-id").only("id", "title", "due_at")[:limit]
    return [
        (f"{t.title} · {timezone.localtime(t.due_at):%m-%d %H:%M}", reverse("work:task", args=[t.pk])) for t in tasks
    ]


register_metric(
    MetricDef(
        code=TASKS_ON_TIME,
        label=_("Tasks done on time"),
        unit=Unit.PERCENT,
        compute=tasks_on_time,
        records=_task_records,
        help=_("Share of the member's tasks due in the period that were done by their due time, in percent."),
    )
)
