"""Business periods computed in the company's time zone; storage stays in UTC."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def company_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_today() -> dt.date:
    return timezone.now().astimezone(company_tz()).date()


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """UTC-aware [start, end) of a company-local day."""
    start = dt.datetime.combine(day, dt.time.min, tzinfo=company_tz())
    return start, start + dt.timedelta(days=1)


def yuan(value: object) -> Decimal:
    """Money as Decimal yuan with 2 places; refuses floats so rounding errors never sneak in."""
    if isinstance(value, float):
        raise TypeError("money must not be a float; pass str or Decimal")
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# Business periods for targets and rankings: a kind and its first day, in the company's calendar.
PERIOD_KINDS = ("month", "quarter", "year")


def period_start(kind: str, day: dt.date) -> dt.date:
    """The first day of the `kind` period ("month", "quarter" or "year") that contains `day`."""
    if kind == "month":
        return day.replace(day=1)
    if kind == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    if kind == "year":
        return day.replace(month=1, day=1)
    raise ValueError(f"unknown period kind {kind!r}")


def period_end(kind: str, start: dt.date) -> dt.date:
    """The last day (inclusive) of the `kind` period starting on `start`."""
    months = {"month": 1, "quarter": 3, "year": 12}[kind]
    month0 = start.month - 1 + months
    nxt = dt.date(start.year + month0 // 12, month0 % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def period_elapsed_share(kind: str, start: dt.date, today: dt.date) -> float:
    """How much of the period has passed by the end of `today` (0.0 before it starts, 1.0 after it ends)."""
    end = period_end(kind, start)
    if today < start:
        return 0.0
    if today >= end:
        return 1.0
    return ((today - start).days + 1) / ((end - start).days + 1)
