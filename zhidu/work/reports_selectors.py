"""Reads of periodic reports, always through the asking member's scope (`Report.objects.visible_to` /
`reviewable_by`): my reports, the lead's inbox, the reports due now, and the completeness of a team's period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from zhidu.core.errors import NotFound
from zhidu.core.periods import company_tz
from zhidu.org.calendars import calendar_resolver
from zhidu.org.models import Member, Role, department_subtree_ids

from . import reports_periods as periods
from .models import SENT_STATUSES, Report, ReportComment, ReportKind, ReportStatus, ReportTemplate
from .reports_services import REPORTING_ROLES, template_can_edit, template_resolver

BOXES = ("mine", "inbox")
LEAD_VIEW_ROLES = (Role.DIRECTOR, Role.MANAGER, Role.SUPERVISOR)


def page_size() -> int:
    return int(settings.WORK_REPORT_PAGE_SIZE)


def report_page(
    member: Member, *, box: str = "mine", status: str = "", before: int | None = None, limit: int | None = None
) -> list[Report]:
    """One page, newest first: "mine" the member's own, "inbox" the submitted reports they lead."""
    qs = Report.objects.filter(member=member) if box == "mine" else Report.objects.reviewable_by(member)
    if status in ReportStatus.values:
        qs = qs.filter(status=status)
    if before is not None:
        qs = qs.filter(pk__lt=before)
    return list(qs.select_related("member", "reviewed_by").order_by("-pk")[: limit or page_size()])


def inbox_unread_count(member: Member) -> int:
    return Report.objects.reviewable_by(member).filter(status=ReportStatus.SUBMITTED).count()


def report_get_for(member: Member, report_id: int) -> Report:
    r = (
        Report.objects.visible_to(member)
        .select_related("member", "member__reports_to", "department", "reviewed_by")
        .filter(pk=report_id)
        .first()
    )
    if r is None:
        raise NotFound
    return r


def report_comments(report: Report) -> list[ReportComment]:
    return list(report.comments.select_related("author").order_by("pk")[:200])


# --- due now --------------------------------------------------------------------------------------------


@dataclass
class DueReport:
    kind: str
    period_start: dt.date
    due_at: dt.datetime
    report: Report | None

    @property
    def overdue(self) -> bool:
        return self.due_at <= timezone.now()

    def get_kind_display(self) -> str:
        return str(ReportKind(self.kind).label)


def reports_due_for(member: Member, *, limit: int = 5, now: dt.datetime | None = None) -> list[DueReport]:
    """The reports `member` must write now, soonest due first: for each kind they report, the current period and
    the previous one, unless already submitted. A handful of queries whatever the member."""
    now = now or timezone.now()
    resolver = template_resolver()
    wanted = [(k, t) for k in ReportKind.values if (t := resolver.must_report(member, k)) is not None]
    if not wanted:
        return []
    cal = calendar_resolver().for_department(member.department_id)
    today = now.astimezone(company_tz()).date()
    slots = [(k, t, start) for k, t in wanted for start in periods.recent_periods(k, today, cal, count=2)]
    existing = {
        (r.kind, r.period_start): r
        for r in Report.objects.filter(
            member=member, kind__in=[k for k, _t in wanted], period_start__in={s for _k, _t, s in slots}
        )
    }
    out = []
    for kind, template, start in slots:
        r = existing.get((kind, start))
        if r is not None and not r.is_draft:
            continue
        out.append(DueReport(kind, start, periods.due_at(kind, start, cal, template.due_hour), r))
    out.sort(key=lambda d: (d.due_at, d.kind))
    return out[:limit]


# --- completeness ---------------------------------------------------------------------------------------


class Standing:
    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"
    PENDING = "pending"  # not submitted, not yet due


@dataclass
class CompletenessRow:
    member: Member
    standing: str
    due_at: dt.datetime
    report: Report | None


@dataclass
class TeamCompleteness:
    lead: Member | None
    rows: list[CompletenessRow] = field(default_factory=list)

    def count(self, standing: str) -> int:
        return sum(1 for r in self.rows if r.standing == standing)

    @property
    def missing_count(self) -> int:
        return self.count(Standing.MISSING)

    @property
    def late_count(self) -> int:
        return self.count(Standing.LATE)


def can_see_completeness(member: Member) -> bool:
    return member.is_active and member.role in LEAD_VIEW_ROLES


def _led_members(viewer: Member) -> Q:
    if viewer.role == Role.DIRECTOR:
        return ~Q(pk=viewer.pk)
    if viewer.role == Role.MANAGER:
        return Q(department_id__in=department_subtree_ids(viewer.department_id)) & ~Q(pk=viewer.pk)
    if viewer.role == Role.SUPERVISOR:
        return Q(reports_to=viewer)
    return Q(pk__in=[])


def completeness(
    viewer: Member,
    *,
    kind: str,
    period_start: dt.date,
    after: int | None = None,
    limit: int | None = None,
    now: dt.datetime | None = None,
) -> tuple[list[TeamCompleteness], int | None]:
    """Who of the members `viewer` leads must report for the period, and whether they did (on time, late), have
    not yet (pending) or are missing, grouped by their direct lead. Paged by member id: `after` is the second
    value returned by the previous page (None: no more)."""
    if not can_see_completeness(viewer):
        raise NotFound
    now = now or timezone.now()
    resolver = template_resolver()
    calendars = calendar_resolver()
    qs = Member.objects.active().filter(_led_members(viewer), role__in=REPORTING_ROLES)
    if after is not None:
        qs = qs.filter(pk__gt=after)
    size = limit or page_size()
    members = list(qs.select_related("reports_to").order_by("pk")[:size])
    reports = {
        r.member_id: r
        for r in Report.objects.filter(
            member__in=[m.pk for m in members], kind=kind, period_start=period_start, status__in=SENT_STATUSES
        )
    }
    teams: dict[int | None, TeamCompleteness] = {}
    for m in members:
        template = resolver.must_report(m, kind)
        cal = calendars.for_department(m.department_id)
        if template is None or not periods.is_required(kind, period_start, cal):
            continue
        due = periods.due_at(kind, period_start, cal, template.due_hour)
        r = reports.get(m.pk)
        if r is not None:
            standing = Standing.LATE if r.late else Standing.ON_TIME
        else:
            standing = Standing.MISSING if due <= now else Standing.PENDING
        team = teams.setdefault(m.reports_to_id, TeamCompleteness(lead=m.reports_to))
        team.rows.append(CompletenessRow(m, standing, due, r))
    ordered = sorted(teams.values(), key=lambda t: (t.lead is None, t.lead.pk if t.lead else 0))
    return ordered, (members[-1].pk if len(members) >= size else None)


# --- templates ------------------------------------------------------------------------------------------


def templates_for(member: Member) -> list[ReportTemplate]:
    return list(
        ReportTemplate.objects.visible_to(member).select_related("department").order_by("kind", "department_id")[:500]
    )


def editable_departments(member: Member) -> list[tuple[int | None, str]]:
    """Departments whose templates `member` may edit (None: the company-wide templates), for the form."""
    from zhidu.org.models import Department

    if member.role in (Role.DIRECTOR, Role.ADMIN) and member.is_active:
        return [(None, ""), *Department.objects.order_by("id").values_list("id", "name")[:500]]
    if member.role == Role.MANAGER and member.is_active:
        ids = department_subtree_ids(member.department_id)
        return list(Department.objects.filter(pk__in=ids).order_by("id").values_list("id", "name")[:500])
    return []


def can_edit_any_template(member: Member) -> bool:
    return template_can_edit(member, None) or (member.role == Role.MANAGER and member.is_active)


def template_exact(department_id: int | None, kind: str) -> ReportTemplate | None:
    """The template of exactly this department (None: the company-wide one), not inherited."""
    qs = ReportTemplate.objects.filter(kind=kind)
    if department_id is None:
        return qs.filter(department__isnull=True).first()
    return qs.filter(department_id=department_id).first()
