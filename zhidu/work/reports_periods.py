"""Report periods: a daily report covers one working day, a weekly one Monday–Sunday, a monthly one a calendar
month. Each is due at the template's hour on the first working day after its period (in the calendar of the
member's department, `zhidu.org.calendars`)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from zhidu.core.periods import day_bounds, period_end
from zhidu.org.workcal import WorkCalendar

from .models import ReportKind

SEARCH_DAYS = 40  # how far back or ahead a working day is looked for (long holidays included)


def default_due_hour(kind: str) -> int:
    return {
        ReportKind.DAILY: settings.WORK_REPORT_DUE_HOUR_DAILY,
        ReportKind.WEEKLY: settings.WORK_REPORT_DUE_HOUR_WEEKLY,
        ReportKind.MONTHLY: settings.WORK_REPORT_DUE_HOUR_MONTHLY,
    }[ReportKind(kind)]


def period_of(kind: str, day: dt.date) -> dt.date:
    """The first day of the `kind` period holding `day`."""
    if kind == ReportKind.WEEKLY:
        return day - dt.timedelta(days=day.weekday())
    if kind == ReportKind.MONTHLY:
        return day.replace(day=1)
    return day


def is_period_start(kind: str, day: dt.date) -> bool:
    return period_of(kind, day) == day


def last_day(kind: str, start: dt.date) -> dt.date:
    if kind == ReportKind.WEEKLY:
        return start + dt.timedelta(days=6)
    if kind == ReportKind.MONTHLY:
        return period_end("month", start)
    return start


def bounds(kind: str, start: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """UTC-aware [start, end) of the period in the company's calendar."""
    return day_bounds(start)[0], day_bounds(last_day(kind, start))[1]


def is_required(kind: str, start: dt.date, cal: WorkCalendar) -> bool:
    """A daily report is owed for working days only; weekly and monthly reports always."""
    return kind != ReportKind.DAILY or cal.is_working_day(start)


def due_at(kind: str, start: dt.date, cal: WorkCalendar, hour: int) -> dt.datetime:
    """`hour` o'clock (local) on the first working day after the period."""
    day = last_day(kind, start) + dt.timedelta(days=1)
    for _i in range(SEARCH_DAYS):
        if cal.is_working_day(day):
            break
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=cal.tz).astimezone(dt.UTC)


def previous(kind: str, start: dt.date) -> dt.date:
    return period_of(kind, start - dt.timedelta(days=1))


def recent_periods(kind: str, today: dt.date, cal: WorkCalendar, *, count: int) -> list[dt.date]:
    """The `count` latest periods a report is owed for, newest first, the current one included."""
    out: list[dt.date] = []
    start = period_of(kind, today)
    for _i in range(SEARCH_DAYS):
        if len(out) >= count:
            break
        if is_required(kind, start, cal):
            out.append(start)
        start = previous(kind, start)
    return out


def latest_past_due(kind: str, now: dt.datetime, cal: WorkCalendar, hour: int) -> dt.date | None:
    """The latest owed period whose due time has come by `now` (None if none within the search window)."""
    start = period_of(kind, now.astimezone(cal.tz).date())
    for _i in range(SEARCH_DAYS):
        if is_required(kind, start, cal) and due_at(kind, start, cal, hour) <= now:
            return start
        start = previous(kind, start)
    return None
