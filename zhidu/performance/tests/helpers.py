"""Helpers for the performance tests: KPI sets written through the service, a finished and a current month."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from zhidu.core.periods import local_today, period_start
from zhidu.org.models import Member
from zhidu.performance.models import KpiSet
from zhidu.performance.services import ItemInput, kpi_set_create


def this_month() -> dt.date:
    return period_start("month", local_today())


def last_month() -> dt.date:
    return period_start("month", this_month() - dt.timedelta(days=1))


def followups_set(actor: Member, role: str = "sales", *, start: dt.date | None = None, **kw: object) -> KpiSet:
    """Follow-ups (target 10, linear, 60 %) and confirmed violations (0 at 2, linear, 40 %)."""
    return kpi_set_create(
        actor=actor,
        name=f"{role} KPIs",
        role=role,
        period_kind="month",
        valid_from=start or last_month(),
        items=[
            ItemInput(metric="followups", weight="60", target="10"),
            ItemInput(metric="violations", weight="40", target="2"),
        ],
        **kw,  # type: ignore[arg-type]
    )


def d(value: str) -> Decimal:
    return Decimal(value)
