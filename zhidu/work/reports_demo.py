"""Demo data for periodic reports: company-wide daily and weekly templates; the latest past-due daily reports of
one team, all submitted but one (so the completeness view shows a missing member), one of them reviewed with a
comment. Idempotent: nothing is added once any template exists."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count

from zhidu.org.models import Member, MemberStatus, Role

from . import reports_periods as periods
from .models import ReportKind, ReportTemplate
from .reports_services import member_calendar, report_draft, report_review, report_submit, template_save

DAILY = [
    {"label": "今日工作小结", "required": True},
    {"label": "明日计划", "required": True},
    {"label": "遇到的问题", "required": False},
    {"label": "需要的支持", "required": False},
]
WEEKLY = [
    {"label": "本周重点成果", "required": True},
    {"label": "下周计划", "required": True},
    {"label": "客户风险与问题", "required": False},
    {"label": "需要协调的事项", "required": False},
]
TEXTS = [
    ["回访了三位老客户，其中一位确认下周续费。", "跟进两位新加的客户，发送产品资料。", "有客户嫌报价偏高。", ""],
    ["整理了本月意向客户名单，补全跟进记录。", "约两位客户线上演示。", "", "希望主管一起参加周四的演示。"],
    ["新加客户四位，均已打标签并首次沟通。", "继续跟进昨天的报价单。", "", ""],
]


@transaction.atomic
def demo_reports() -> None:
    if ReportTemplate.objects.exists():
        return
    director = Member.objects.filter(role=Role.DIRECTOR, status=MemberStatus.ACTIVE).order_by("id").first()
    if director is None:
        return
    roles = [Role.SALES, Role.SUPERVISOR]
    template_save(actor=director, department=None, kind=ReportKind.DAILY, sections=DAILY, roles=roles)
    template_save(actor=director, department=None, kind=ReportKind.WEEKLY, sections=WEEKLY, roles=[Role.SALES])
    lead = (
        Member.objects.filter(role=Role.SUPERVISOR, status=MemberStatus.ACTIVE)
        .annotate(n=Count("reports"))
        .filter(n__gte=2)
        .order_by("-n", "id")
        .first()
    )
    if lead is None:
        return
    team = list(Member.objects.filter(reports_to=lead, role=Role.SALES, status=MemberStatus.ACTIVE).order_by("id"))
    cal = member_calendar(team[0])
    day = periods.latest_past_due(ReportKind.DAILY, dt.datetime.now(dt.UTC), cal, _daily_hour())
    if day is None:
        return
    due = periods.due_at(ReportKind.DAILY, day, cal, _daily_hour())
    # Everyone but the last member writes in the evening of the day; the last one never does.
    for i, member in enumerate(team[:-1]):
        draft = report_draft(actor=member, kind=ReportKind.DAILY, period_start=day)
        texts = TEXTS[i % len(TEXTS)]
        written = report_submit(actor=member, report=draft, texts=texts, now=due - dt.timedelta(hours=14 - i))
        if i == 0:
            report_review(actor=lead, report=written, text="小结清楚。报价偏高的客户，明天一起看看优惠政策。")


def _daily_hour() -> int:
    return periods.default_due_hour(ReportKind.DAILY)
