"""Customer development plans (客户开发计划): targets per member and period; progress read from the data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils.translation import gettext_noop

from zhidu.core.audit import audit_record, snapshot
from zhidu.core.errors import DomainError
from zhidu.core.periods import day_bounds
from zhidu.org.models import Member, MemberStatus, Role, work_scope_q

from ..models import DevelopmentPlan, FollowRelation, FollowUp, PlanPeriod
from . import errors as e

PLANNERS = (Role.DIRECTOR, Role.MANAGER, Role.SUPERVISOR)
TARGET_MAX = 100_000
LABELS = {"new_customers": gettext_noop("New customers"), "followups": gettext_noop("Follow-ups")}


def period_start(period: str, day: dt.date) -> dt.date:
    """The first day of the month or (Monday-based) week holding `day`."""
    if period == PlanPeriod.MONTH:
        return day.replace(day=1)
    if period == PlanPeriod.WEEK:
        return day - dt.timedelta(days=day.weekday())
    raise DomainError(e.ERR_PLAN_PERIOD, field="period", value=period)


def period_end(period: str, start: dt.date) -> dt.date:
    """The first day after the period starting on `start`."""
    if period == PlanPeriod.WEEK:
        return start + dt.timedelta(days=7)
    return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _target(field: str, value: int) -> int:
    from django.utils.translation import gettext

    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= TARGET_MAX:
        raise DomainError(e.ERR_PLAN_TARGET, field=field, label=gettext(LABELS[field]), max=TARGET_MAX)
    return value


@transaction.atomic
def plan_set(
    *, actor: Member, member_id: int, period: str, day: dt.date, new_customers: int, followups: int
) -> DevelopmentPlan:
    """Set (or change) what `member` should reach in the month or week holding `day`."""
    if actor.role not in PLANNERS or not actor.is_active:
        raise DomainError(e.ERR_PLAN_ROLE, code="forbidden")
    start = period_start(period, day)
    new_customers = _target("new_customers", new_customers)
    followups = _target("followups", followups)
    if int(member_id) == actor.pk:
        raise DomainError(e.ERR_PLAN_SELF, field="member")
    member = (
        Member.objects.filter(pk=member_id, status=MemberStatus.ACTIVE, pk__in=work_scope_q(actor))
        .exclude(role__in=(Role.ADMIN, Role.COMPLIANCE))
        .first()
    )
    if member is None:
        raise DomainError(e.ERR_PLAN_MEMBER, field="member", value=member_id)
    plan = DevelopmentPlan.objects.select_for_update().filter(member=member, period=period, starts_on=start).first()
    fields = ["new_customers", "followups", "set_by"]
    if plan is None:
        plan = DevelopmentPlan.objects.create(
            member=member,
            period=period,
            starts_on=start,
            new_customers=new_customers,
            followups=followups,
            set_by=actor,
        )
        audit_record(actor=actor, verb="devplan.create", target=plan, after=snapshot(plan, [*fields, "starts_on"]))
        return plan
    before = snapshot(plan, fields)
    plan.new_customers, plan.followups, plan.set_by = new_customers, followups, actor
    plan.save()
    audit_record(actor=actor, verb="devplan.update", target=plan, before=before, after=snapshot(plan, fields))
    return plan


@dataclass(frozen=True)
class PlanProgress:
    plan: DevelopmentPlan
    new_customers: int
    followups: int

    @property
    def new_customers_pct(self) -> int:
        return _pct(self.new_customers, self.plan.new_customers)

    @property
    def followups_pct(self) -> int:
        return _pct(self.followups, self.plan.followups)


def _pct(done: int, target: int) -> int:
    return 100 if target == 0 else min(100, done * 100 // target)


def plans_for(*, viewer: Member, period: str, day: dt.date) -> QuerySet[DevelopmentPlan]:
    start = period_start(period, day)
    return (
        DevelopmentPlan.objects.visible_to(viewer)
        .filter(period=period, starts_on=start)
        .select_related("member", "set_by")
        .order_by("member__name", "member_id")
    )


def plan_progress(plans: list[DevelopmentPlan]) -> list[PlanProgress]:
    """Progress of plans of one period: two grouped queries whatever the number of plans."""
    if not plans:
        return []
    period, start = plans[0].period, plans[0].starts_on
    begin, _e = day_bounds(start)
    end, _e2 = day_bounds(period_end(period, start))
    members = [p.member_id for p in plans]
    new = dict(
        FollowRelation.objects.filter(member_id__in=members, createtime__gte=begin, createtime__lt=end)
        .values_list("member_id")
        .annotate(n=Count("id"))
        .values_list("member_id", "n")
    )
    done = dict(
        FollowUp.objects.filter(author_id__in=members, happened_at__gte=begin, happened_at__lt=end)
        .values_list("author_id")
        .annotate(n=Count("id"))
        .values_list("author_id", "n")
    )
    return [PlanProgress(p, new.get(p.member_id, 0), done.get(p.member_id, 0)) for p in plans]
