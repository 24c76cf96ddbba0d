"""KPI metric "report submission rate": of the reports a member owed whose due time fell in the period (and has
passed), the share submitted by the due time, in percent. The owed reports come from the templates and working
calendars (loaded once, computed per calendar in memory); the submitted ones from one grouped query."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhidu.org.calendars import calendar_resolver
from zhidu.org.models import Member
from zhidu.org.workcal import WorkCalendar
from zhidu.performance.metrics import MetricDef, PeriodScope, Unit, Values, register_metric

from . import reports_periods as periods
from .models import SENT_STATUSES, Report, ReportKind, ReportStatus
from .reports_services import REPORTING_ROLES, template_resolver

CODE = "report_submission_rate"
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def _owed(kind: str, cal: WorkCalendar, hour: int, lo: dt.datetime, hi: dt.datetime) -> int:
    """Periods of `kind` whose report is due in [lo, hi)."""
    n = 0
    start = periods.period_of(kind, hi.astimezone(cal.tz).date())
    for _i in range(400):
        due = periods.due_at(kind, start, cal, hour)
        if due < lo:
            break
        if due < hi and periods.is_required(kind, start, cal):
            n += 1
        start = periods.previous(kind, start)
    return n


def report_submission_rate(scope: PeriodScope) -> Values:
    lo, hi = scope.bounds()
    hi = min(hi, timezone.now())
    if hi <= lo:
        return {}
    resolver = template_resolver()
    calendars = calendar_resolver()
    members = Member.objects.active().filter(role__in=REPORTING_ROLES)
    owed: dict[int, int] = {}
    cache: dict[tuple[int, str, int], int] = {}
    for m in scope.only(members, "pk").only("pk", "role", "department_id", "status"):
        cal = calendars.for_department(m.department_id)
        for kind in ReportKind.values:
            t = resolver.must_report(m, kind)
            if t is None:
                continue
            key = (id(cal), kind, t.due_hour)
            if key not in cache:
                cache[key] = _owed(kind, cal, t.due_hour, lo, hi)
            owed[m.pk] = owed.get(m.pk, 0) + cache[key]
    on_time = dict(
        scope.only(
            Report.objects.filter(status__in=SENT_STATUSES, late=False, due_at__gte=lo, due_at__lt=hi), "member_id"
        )
        .values("member_id")
        .annotate(n=Count("id"))
        .values_list("member_id", "n")
    )
    return {
        pk: min(HUNDRED, (Decimal(on_time.get(pk, 0)) * HUNDRED / Decimal(n)).quantize(CENT))
        for pk, n in owed.items()
        if n
    }


def _records(member_id: int, scope: PeriodScope, limit: int) -> list[tuple[str, str]]:
    """The member's reports due in the period, late ones marked."""
    lo, hi = scope.bounds()
    rows = (
        Report.objects.filter(member_id=member_id, due_at__gte=lo, due_at__lt=hi)
        .exclude(status=ReportStatus.DRAFT)
        .order_by("-due_at", "-id")[:limit]
    )
    return [
        (
            f"{r.get_kind_display()} {r.period_label}" + (f" · {_('Late')}" if r.late else ""),
            reverse("work:report", args=[r.pk]),
        )
        for r in rows
    ]


def register() -> None:
    register_metric(
        MetricDef(
            code=CODE,
            label=_("Report submission rate"),
            unit=Unit.PERCENT,
            compute=report_submission_rate,
            records=_records,
            help=_("Share of the daily, weekly and monthly reports due in the period submitted on time, in percent."),
        )
    )
