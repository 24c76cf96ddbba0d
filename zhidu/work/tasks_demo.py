"""Demo data for plans and tasks: a supervisor's month plan for their team and a board with a task in every state
(open, in progress, done on time, done late, overdue, cancelled), a daily task, checklists and comments.
Idempotent: nothing is added once the supervisor has a plan for this month."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from zhidu.core.periods import company_tz, local_today
from zhidu.org.models import Member, MemberStatus, Role

from . import tasks_services as svc
from .models import Plan, Task
from .tasks_periodic import task_check


def _lead_with_team() -> tuple[Member, list[Member]] | None:
    for lead in Member.objects.filter(role=Role.SUPERVISOR, status=MemberStatus.ACTIVE).order_by("id"):
        team = list(Member.objects.filter(reports_to=lead, status=MemberStatus.ACTIVE).order_by("id")[:3])
        if team:
            return lead, team
    return None


def _at(days: int, hour: int) -> dt.datetime:
    day = local_today() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=company_tz())


@transaction.atomic
def demo_tasks() -> None:
    found = _lead_with_team()
    if found is None:
        return
    lead, team = found
    start = svc.plan_period_start("month", local_today())
    if Plan.objects.filter(author=lead, period_kind="month", period_start=start).exists():
        return
    trees = svc.plan_target_choices(lead)
    devplans = svc.plan_devplan_choices(lead, start, svc.plan_period_end("month", start))
    plan = svc.plan_create(
        actor=lead,
        period_kind="month",
        day=start,
        title=f"{start.month}月团队计划：老客户复购与新客开发",
        goals="1. 老客户复购率提升到 30%。\n2. 每人每周新增有效客户 5 个。\n3. 所有客户咨询 30 分钟内回复。",
        target_tree_id=trees[0].pk if trees and trees[0].start <= start else None,
        development_plan_ids=[p.pk for p in devplans if p.starts_on == start][:5],
    )
    a, b = team[0], team[-1]
    past = timezone.now() - dt.timedelta(days=5)

    def give(title: str, who: Member, due: dt.datetime, **kw: object) -> Task:
        return svc.task_create(
            actor=lead,
            title=title,
            assignee_ids=[who.pk],
            due_at=due,
            plan=plan,
            now=past,
            **kw,  # type: ignore[arg-type]
        )

    give("整理本月意向客户清单", a, _at(3, 18), checklist=["导出客户列表", "标注意向等级", "发给主管确认"])
    doing = give("跟进华东区三家经销商报价", b, _at(2, 17), priority="high", checklist=["发送报价单", "电话确认"])
    svc.task_transition(actor=b, task=doing, action="start")
    svc.comment_add(actor=b, task=doing, text="已发两家，第三家约了明天上午电话。")
    on_time = give("提交上周客户回访记录", a, _at(-2, 18))
    svc.task_transition(actor=a, task=on_time, action="done", now=_at(-3, 16))
    late = give("更新客户资料中的联系方式", b, _at(-4, 18))
    svc.task_transition(actor=b, task=late, action="done", now=_at(-3, 10))
    svc.comment_add(actor=lead, task=late, text="下次请按时完成，有困难提前说。")
    give("回访投诉客户并记录处理结果", a, _at(-1, 17), priority="urgent", checklist=["电话回访", "填写处理记录"])
    cancelled = give("准备展会物料", b, _at(4, 12))
    svc.task_transition(actor=lead, task=cancelled, action="cancel")
    daily_due = _at(0, 18) if _at(0, 18) > timezone.now() else _at(1, 18)
    svc.task_create(
        actor=lead,
        title="每日客户咨询回复检查",
        assignee_ids=[m.pk for m in team],
        due_at=daily_due,
        recurrence="daily",
        plan=plan,
        checklist=["查看未回复会话", "标记需要主管介入的客户"],
    )
    task_check()
