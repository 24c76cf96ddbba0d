"""Demo step (`make run`): customers in every stage, with needs analyses, follow-ups and a development plan.

Uses the customers synced from the simulator when there are some; otherwise writes a few per salesperson.
Idempotent: does nothing once any development record exists."""

from __future__ import annotations

import datetime as dt
import itertools

from django.db import transaction
from django.utils import timezone

from zhidu.core.periods import local_today
from zhidu.org.models import Member, MemberStatus, Role

from ..models import Customer, Development, FollowRelation, FollowUpKind, Stage
from .plans import plan_set
from .services import development_update, followup_record

NEEDS = [
    ("5–10 万", "门店收银与会员系统", "采购经理", "下季度"),
    ("20 万以内", "三家分店的库存打通", "老板本人", "本月内"),
    ("待确认", "先试用再决定", "IT 负责人", "年底前"),
]
SUMMARIES = {
    FollowUpKind.CHAT: "企业微信沟通产品报价，客户关心售后响应时间",
    FollowUpKind.PHONE: "电话确认需求范围和预算",
    FollowUpKind.MEETING: "线上会议演示方案，决策人参加",
    FollowUpKind.VISIT: "上门拜访，查看门店现场",
}


@transaction.atomic
def demo_development() -> None:
    if Development.objects.exists():
        return
    everyone = list(
        Member.objects.filter(role=Role.SALES, status=MemberStatus.ACTIVE).select_related("reports_to").order_by("pk")
    )
    sales = everyone[:8]
    if not sales:
        return
    now = timezone.now()
    follows = list(FollowRelation.objects.filter(deleted=False, member__in=sales).select_related("member")[:60])
    if len(follows) < 12:
        follows += _direct_customers(sales, now)
    stages = itertools.cycle(Stage.values)
    kinds = itertools.cycle(FollowUpKind.values)
    today = local_today()
    for i, follow in enumerate(follows):
        owner = follow.member
        stage = next(stages)
        budget, need, who, when = NEEDS[i % len(NEEDS)]
        development_update(
            actor=owner,
            follow_id=follow.pk,
            stage=stage,
            budget=budget if stage != Stage.NEW else "",
            need=need if stage != Stage.NEW else "",
            decision_maker=who,
            timing=when,
            next_action="发送报价单" if stage in (Stage.NEEDS, Stage.PROPOSAL) else "",
            # every third open customer is overdue, so the reminders have something to say
            next_action_on=today + dt.timedelta(days=(-3 if i % 3 == 0 else 2)),
        )
        for back in range(i % 3 + 1):
            kind = next(kinds)
            followup_record(
                actor=owner,
                follow_id=follow.pk,
                kind=kind,
                summary=SUMMARIES[FollowUpKind(kind)],
                outcome="客户有兴趣，等待内部讨论" if back == 0 else "",
                happened_at=now - dt.timedelta(days=back * 4 + 1, hours=i % 5),
            )
    for owner in everyone[:200]:
        lead = owner.reports_to
        if lead is not None and lead.is_active and lead.role in (Role.SUPERVISOR, Role.MANAGER, Role.DIRECTOR):
            plan_set(actor=lead, member_id=owner.pk, period="month", day=today, new_customers=10, followups=30)


def _direct_customers(sales: list[Member], now: dt.datetime) -> list[FollowRelation]:
    names = ["华润便利", "美宜佳", "绿地超市", "好邻居", "永辉生活", "联华快客", "罗森", "全家", "苏果", "物美"]
    out = []
    for n, (member, name) in enumerate(zip(itertools.cycle(sales), names * 2, strict=False)):
        customer, _c = Customer.objects.get_or_create(
            external_userid=f"wmdemo{n:04d}", defaults={"name": f"{name}{n // len(names) + 1}号店", "corp_name": name}
        )
        follow, _f = FollowRelation.objects.get_or_create(
            customer=customer, member=member, defaults={"createtime": now - dt.timedelta(days=n * 2 + 1)}
        )
        out.append(follow)
    return out
