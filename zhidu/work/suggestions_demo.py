"""Demo data for the suggestion box: open suggestions (one anonymous), one accepted and planned, one not adopted
(idempotent: nothing is added once the box has any suggestion)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from zhidu.core.periods import local_today
from zhidu.org.models import Member, MemberStatus, Role

from .models import Suggestion
from .suggestions_services import suggestion_decide, suggestion_submit


def _first(role: str) -> Member | None:
    return Member.objects.filter(role=role, status=MemberStatus.ACTIVE).order_by("id").first()


def _answerer(author: Member, director: Member) -> Member:
    """The author's own lead where they have an active one, else the director (who answers every suggestion)."""
    lead = author.reports_to
    return lead if lead is not None and lead.is_active and lead.role in (Role.SUPERVISOR, Role.MANAGER) else director


@transaction.atomic
def demo_suggestions() -> None:
    if Suggestion.objects.exists():
        return
    sales = list(Member.objects.filter(role=Role.SALES, status=MemberStatus.ACTIVE).order_by("id")[:3])
    director = _first(Role.DIRECTOR)
    if not sales or director is None:
        return
    author = sales[0]
    other = sales[-1]
    suggestion_submit(
        actor=author,
        title="跟进提醒能否按客户分级设置",
        body="A 类客户希望两天一跟，C 类一周一跟就够了，统一提醒会打扰客户。",
        topic="sales",
    )
    suggestion_submit(
        actor=other,
        title="希望公开每月的排名口径",
        body="排名里各项指标的权重和算法能否在月初就公布？",
        topic="process",
        anonymous=True,
    )
    accepted = suggestion_submit(
        actor=author,
        title="常用话术做成快捷回复",
        body="把审核过的话术放进企业微信快捷回复，新人上手更快。",
        topic="tools",
    )
    lead = _answerer(author, director)
    suggestion_decide(actor=lead, suggestion=accepted, decision="accept", text="很好的建议，交给培训组整理。")
    suggestion_decide(
        actor=lead, suggestion=accepted, decision="plan", planned_on=local_today() + dt.timedelta(days=14)
    )
    rejected = suggestion_submit(
        actor=other, title="周末取消值班", body="周末咨询很少，建议不再安排值班。", topic="process"
    )
    rejecter = _answerer(other, director)
    suggestion_decide(
        actor=rejecter, suggestion=rejected, decision="reject", text="周末仍有订单咨询，改为轮流线上值守。"
    )
