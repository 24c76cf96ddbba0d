"""Reply statistics from the waits table, beside WeCom's own figures (`wecom.BehaviorDay`), per member, team
(a supervisor and their reports) and department, in the viewer's scope; the slowest open conversations; internal
questions nobody answered. A fixed number of queries whatever the range (members, counts, reply times, WeCom figures,
open waits, flagged questions)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Avg, Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from zhidu.org.models import Member, MemberStatus, Role

from .models import ReplyWait, WaitKind

SHANGHAI = ZoneInfo("Asia/Shanghai")
MEMBERS_MAX = 300  # members a dashboard lists at most
SLOWEST_MAX = 20
RANGE_DAYS_MAX = 92


def percentile(values: Sequence[float], p: float) -> float | None:
    """The p-th percentile (0–100) of sorted `values`, interpolating linearly between closest ranks."""
    if not values:
        return None
    k = (len(values) - 1) * p / 100.0
    lo, hi = math.floor(k), math.ceil(k)
    if lo == hi:
        return float(values[lo])
    return float(values[lo] + (values[hi] - values[lo]) * (k - lo))


@dataclass
class Figures:
    label: str
    member_id: int | None = None
    waits: int = 0
    answered: int = 0
    in_time: int = 0
    unanswered: int = 0  # past the deadline and not answered
    open: int = 0  # not answered yet
    minutes: list[float] = field(default_factory=list)
    wecom_chats: int = 0
    wecom_reply_percentage: float | None = None
    wecom_avg_reply_time: float | None = None
    _wecom_pct: list[float] = field(default_factory=list)
    _wecom_avg: list[float] = field(default_factory=list)

    @property
    def p50(self) -> float | None:
        return _round(percentile(self.minutes, 50))

    @property
    def p90(self) -> float | None:
        return _round(percentile(self.minutes, 90))

    @property
    def in_time_share(self) -> float | None:
        """Share of waits answered within the deadline, percent (waits still within their deadline excluded)."""
        decided = self.waits - (self.open - self.unanswered)
        return round(100.0 * self.in_time / decided, 1) if decided else None

    def add(self, other: Figures) -> None:
        for name in ("waits", "answered", "in_time", "unanswered", "open", "wecom_chats"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.minutes.extend(other.minutes)
        if other.wecom_reply_percentage is not None:
            self._wecom_pct.append(other.wecom_reply_percentage)
        if other.wecom_avg_reply_time is not None:
            self._wecom_avg.append(other.wecom_avg_reply_time)

    def finish(self) -> Figures:
        self.minutes.sort()
        if self._wecom_pct:
            self.wecom_reply_percentage = round(sum(self._wecom_pct) / len(self._wecom_pct), 1)
        if self._wecom_avg:
            self.wecom_avg_reply_time = round(sum(self._wecom_avg) / len(self._wecom_avg), 1)
        return self


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


@dataclass
class ReplyDashboard:
    start: dt.date
    end: dt.date
    members: list[Figures]
    teams: list[Figures]
    departments: list[Figures]
    total: Figures
    slowest: list[ReplyWait]
    questions: list[ReplyWait]
    truncated: bool = False


def reply_range(start: str = "", end: str = "", *, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The dashboard's date range from query text (defaults: the last 7 days); bounded to RANGE_DAYS_MAX."""
    today = today or timezone.now().astimezone(SHANGHAI).date()
    try:
        last = dt.date.fromisoformat(end) if end else today
    except ValueError:
        last = today
    try:
        first = dt.date.fromisoformat(start) if start else last - dt.timedelta(days=6)
    except ValueError:
        first = last - dt.timedelta(days=6)
    if first > last:
        first, last = last, first
    return max(first, last - dt.timedelta(days=RANGE_DAYS_MAX - 1)), last


def _scope_members(viewer: Member) -> list[Member]:
    qs = Member.objects.visible_to(viewer).filter(
        status=MemberStatus.ACTIVE, role__in=(Role.SALES, Role.SUPERVISOR, Role.MANAGER)
    )
    return list(qs.select_related("department", "reports_to").order_by("department_id", "pk")[: MEMBERS_MAX + 1])


def reply_dashboard(*, viewer: Member, start: dt.date, end: dt.date, now: dt.datetime | None = None) -> ReplyDashboard:
    from zhidu.wecom.models import BehaviorDay

    now = now or timezone.now()
    members = _scope_members(viewer)
    truncated = len(members) > MEMBERS_MAX
    members = members[:MEMBERS_MAX]
    ids = [m.pk for m in members]
    lo = dt.datetime(start.year, start.month, start.day, tzinfo=SHANGHAI)
    hi = dt.datetime(end.year, end.month, end.day, tzinfo=SHANGHAI) + dt.timedelta(days=1)
    waits = ReplyWait.objects.customer().filter(member_id__in=ids, asked_at__gte=lo, asked_at__lt=hi)
    figures = {m.pk: Figures(label=m.name, member_id=m.pk) for m in members}
    for row in waits.values("member_id").annotate(
        waits=Count("pk"),
        answered=Count("pk", filter=Q(answered_at__isnull=False)),
        in_time=Count("pk", filter=Q(answered_at__lte=F("deadline"))),
        unanswered=Count("pk", filter=Q(answered_at=None, deadline__lt=now)),
        open=Count("pk", filter=Q(answered_at=None)),
    ):
        f = figures[row["member_id"]]
        f.waits, f.answered, f.in_time = row["waits"], row["answered"], row["in_time"]
        f.unanswered, f.open = row["unanswered"], row["open"]
    for member_id, minutes in waits.filter(reply_minutes__isnull=False).values_list("member_id", "reply_minutes"):
        if member_id is not None and minutes is not None:
            figures[member_id].minutes.append(minutes)
    for row in (
        BehaviorDay.objects.filter(member_id__in=ids, day__gte=start, day__lte=end)
        .values("member_id")
        .annotate(chats=Sum("chat_cnt"), pct=Avg("reply_percentage"), avg=Avg("avg_reply_time"))
    ):
        f = figures[row["member_id"]]
        f.wecom_chats = row["chats"] or 0
        f.wecom_reply_percentage = _round(row["pct"])
        f.wecom_avg_reply_time = _round(row["avg"])
    for f in figures.values():
        f.minutes.sort()
    teams: dict[int, Figures] = {}
    departments: dict[int, Figures] = {}
    total = Figures(label=_("All in scope"))
    for m in members:
        f = figures[m.pk]
        lead = m if m.role == Role.SUPERVISOR else m.reports_to if m.role == Role.SALES else None
        if lead is not None:
            team = teams.setdefault(lead.pk, Figures(label=_("Team of %(name)s") % {"name": lead.name}))
            team.add(f)
        departments.setdefault(m.department_id, Figures(label=m.department.name)).add(f)
        total.add(f)
    visible = ReplyWait.objects.visible_to(viewer)
    slowest = list(
        visible.customer()
        .filter(answered_at=None)
        .select_related("member", "message")
        .order_by("asked_at", "pk")[:SLOWEST_MAX]
    )
    questions = list(
        visible.filter(kind=WaitKind.INTERNAL, flagged_at__isnull=False, asked_at__gte=lo, asked_at__lt=hi)
        .select_related("member", "message")
        .order_by("-flagged_at", "-pk")[:SLOWEST_MAX]
    )
    return ReplyDashboard(
        start=start,
        end=end,
        members=list(figures.values()),
        teams=[t.finish() for t in teams.values()],
        departments=[d.finish() for d in departments.values()],
        total=total.finish(),
        slowest=slowest,
        questions=questions,
        truncated=truncated,
    )


def waited_minutes(waits: Iterable[ReplyWait], now: dt.datetime | None = None) -> dict[int, float]:
    """Working minutes each open wait has waited so far (one calendar load)."""
    from zhidu.org.calendars import calendar_resolver

    now = now or timezone.now()
    resolver = calendar_resolver()
    out: dict[int, float] = {}
    for w in waits:
        dept = w.member.department_id if w.member else None
        out[w.pk] = round(resolver.for_department(dept).working_minutes(w.asked_at, now), 1)
    return out


def dashboard_dict(d: ReplyDashboard, waited: dict[int, float]) -> dict[str, Any]:
    """The API's view of the dashboard."""

    def fig(f: Figures) -> dict[str, Any]:
        return {
            "label": f.label,
            "waits": f.waits,
            "answered": f.answered,
            "unanswered": f.unanswered,
            "open": f.open,
            "in_time_share": f.in_time_share,
            "p50_minutes": f.p50,
            "p90_minutes": f.p90,
            "wecom_chats": f.wecom_chats,
            "wecom_reply_percentage": f.wecom_reply_percentage,
            "wecom_avg_reply_time": f.wecom_avg_reply_time,
        }

    return {
        "start": d.start,
        "end": d.end,
        "members": [{"id": f.member_id, **fig(f)} for f in d.members],
        "teams": [fig(f) for f in d.teams],
        "departments": [fig(f) for f in d.departments],
        "total": fig(d.total),
        "slowest": [
            {
                "member": str(w.member or ""),
                "kind": w.kind,
                "asked_at": w.asked_at,
                "deadline": w.deadline,
                "waited_minutes": waited.get(w.pk, 0.0),
                "text": (w.message.text[:200] if w.message else ""),
            }
            for w in d.slowest
        ],
        "truncated": d.truncated,
    }


def late_waiting_count(member: Member) -> int | None:
    """Home tile: customers in the member's scope past their reply deadline and still waiting."""
    if member.role not in (Role.DIRECTOR, Role.MANAGER, Role.SUPERVISOR, Role.SALES, Role.COMPLIANCE):
        return None
    return ReplyWait.objects.visible_to(member).customer().filter(answered_at=None, deadline__lt=timezone.now()).count()
