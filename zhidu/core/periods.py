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
