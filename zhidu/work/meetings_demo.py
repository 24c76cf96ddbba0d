"""Demo data for meetings: last week's team meeting with minutes, attendance and action items that became tasks,
next week's team meeting, and a salesperson's follow-up meeting with a customer (idempotent: nothing is added once
any meeting exists)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from zhidu.core.periods import company_tz, local_today
from zhidu.customers.models import FollowRelation
from zhidu.org.models import Member, MemberStatus, Role

from .meetings_services import ActionItemInput, MeetingInput, attendance_record, meeting_create, minutes_record
from .models import Meeting, MeetingKind


def _at(days: int, hour: int, minute: int = 0) -> dt.datetime:
    day = local_today() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=company_tz())


@transaction.atomic
def demo_meetings() -> None:
    if Meeting.objects.exists():
        return
    active = Member.objects.filter(status=MemberStatus.ACTIVE)
    leads = active.filter(role=Role.SUPERVISOR, reports__status=MemberStatus.ACTIVE).distinct().order_by("pk")
    lead = leads.first()
    if lead is None:
        return
    team = list(active.filter(reports_to=lead).order_by("pk")[:5])
    start = _at(-7, 9)
    past = meeting_create(
        actor=lead,
        data=MeetingInput(
            title="周例会：上周复盘与本周重点",
            kind=MeetingKind.TEAM,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=1),
            participant_ids=[m.pk for m in team],
            agenda="1. 上周业绩与跟进情况\n2. 重点客户推进\n3. 本周分工",
            place="三楼小会议室",
        ),
        now=start - dt.timedelta(days=1),
    )
    attendance_record(
        actor=lead,
        meeting=past,
        marks={lead.pk: "present", **{m.pk: ("late" if i == 1 else "present") for i, m in enumerate(team)}},
    )
    now = timezone.now()
    minutes_record(
        actor=lead,
        meeting=past,
        minutes="上周新增客户 12 个，成交 3 单；两位重点客户本周需要上门拜访。\n本周起每日下班前更新跟进记录。",
        items=[
            ActionItemInput(
                title=f"整理重点客户跟进计划（{m.name}）", assignee_id=m.pk, due_at=now + dt.timedelta(days=3)
            )
            for m in team[:2]
        ],
    )
    nxt = _at(7 - local_today().weekday(), 9)  # next Monday
    meeting_create(
        actor=lead,
        data=MeetingInput(
            title="周例会：月度目标拆解",
            kind=MeetingKind.TEAM,
            starts_at=nxt,
            ends_at=nxt + dt.timedelta(hours=1),
            participant_ids=[m.pk for m in team],
            agenda="月度目标拆到每个人、每周",
            online_url="https://meeting.example.com/j/123456",
        ),
    )
    follow = (
        FollowRelation.objects.filter(member__in=team, deleted=False).select_related("member").order_by("pk").first()
    )
    if follow is not None:
        when = _at(2, 15)
        meeting_create(
            actor=follow.member,
            data=MeetingInput(
                title=f"客户回访：{follow.customer.name or '重点客户'}",
                kind=MeetingKind.FOLLOWUP,
                starts_at=when,
                ends_at=when + dt.timedelta(hours=1),
                customer_id=follow.customer_id,
                agenda="了解试用情况，确认采购时间",
                place="客户公司",
            ),
        )
