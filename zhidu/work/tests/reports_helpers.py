"""Shared setup of the report tests: templates, a fixed clock, writing a report."""

from __future__ import annotations

import datetime as dt
from typing import Any

from zhidu.org.models import Member
from zhidu.work import reports_services as svc
from zhidu.work.models import Report, ReportTemplate

# Wednesday 2026-03-04 09:00 in Shanghai: Tuesday's daily report is due today at 10:00.
NOW = "2026-03-04 09:00:00+08:00"
TUESDAY = dt.date(2026, 3, 3)
DAILY_SECTIONS = [
    {"label": "今日小结", "required": True},
    {"label": "明日计划", "required": True},
    {"label": "需要的支持", "required": False},
]
TEXTS = ["回访三位客户", "跟进报价", ""]


def make_templates(director: Member, **kwargs: Any) -> ReportTemplate:
    svc.template_save(actor=director, department=None, kind="weekly", sections=DAILY_SECTIONS, roles=["sales"])
    return svc.template_save(
        actor=director,
        department=None,
        kind="daily",
        sections=DAILY_SECTIONS,
        roles=kwargs.get("roles", ["sales", "supervisor"]),
    )


def write(member: Member, day: dt.date = TUESDAY, *, kind: str = "daily") -> Report:
    draft = svc.report_draft(actor=member, kind=kind, period_start=day)
    return svc.report_submit(actor=member, report=draft, texts=TEXTS)
