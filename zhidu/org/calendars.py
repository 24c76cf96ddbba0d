"""Working calendars per department: resolving the calendar that applies (nearest ancestor's, else the company
default, else Mon–Fri 09:00–12:00 and 13:00–18:00 Asia/Shanghai) and editing one (audited)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction
from django.utils.translation import gettext_noop

from zhidu.core.audit import audit_record
from zhidu.core.errors import DomainError, NotFound

from .models import MAX_DEPTH, CalendarException, Department, Member, Role, WorkingCalendar, department_subtree_ids
from .workcal import WorkCalendar, format_spans

ERR_CALENDAR_FORBIDDEN = gettext_noop("You may not edit this working calendar.")
ERR_CALENDAR_WORKDAYS = gettext_noop("Choose the working weekdays (1 = Monday … 7 = Sunday).")
ERR_CALENDAR_TIMEZONE = gettext_noop("Unknown time zone.")
ERR_CALENDAR_SPANS = gettext_noop("Give the working hours as spans like 09:00-12:00, 13:00-18:00.")

DEFAULT_CALENDAR = WorkCalendar()
EXCEPTIONS_MAX = 400  # dated exceptions per calendar (a few years of holidays and make-up days)


def _to_pure(cal: WorkingCalendar, exceptions: dict[dt.date, bool]) -> WorkCalendar:
    try:
        tz: dt.tzinfo = ZoneInfo(cal.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        tz = DEFAULT_CALENDAR.tz
    return WorkCalendar(
        workdays=frozenset(int(c) for c in cal.workdays if c.isdigit()),
        spans=tuple((int(a), int(b)) for a, b in cal.spans),
        tz=tz,
        exceptions=exceptions,
    )


@dataclass
class CalendarResolver:
    """All calendars loaded once (three queries); `for_department` walks up the tree in memory."""

    by_department: dict[int | None, WorkCalendar]
    parents: dict[int, int | None]

    def for_department(self, department_id: int | None) -> WorkCalendar:
        current = department_id
        for _depth in range(MAX_DEPTH):
            if current is None:
                break
            cal = self.by_department.get(current)
            if cal is not None:
                return cal
            current = self.parents.get(current)
        return self.by_department.get(None, DEFAULT_CALENDAR)


def calendar_resolver() -> CalendarResolver:
    rows = list(WorkingCalendar.objects.all())
    exceptions: dict[int, dict[dt.date, bool]] = {}
    for cal_id, day, working in CalendarException.objects.values_list("calendar_id", "day", "working"):
        exceptions.setdefault(cal_id, {})[day] = working
    return CalendarResolver(
        by_department={c.department_id: _to_pure(c, exceptions.get(c.pk, {})) for c in rows},
        parents=dict(Department.objects.values_list("id", "parent_id")),
    )


def department_config_can_edit(actor: Member, department: Department | None) -> bool:
    """Who edits a per-department setting (a working calendar, a report template; None: the company-wide one): the
    director and the admin any; a manager those of their own department subtree."""
    if not actor.is_active:
        return False
    if actor.role in (Role.DIRECTOR, Role.ADMIN):
        return True
    return (
        actor.role == Role.MANAGER
        and department is not None
        and department.pk in department_subtree_ids(actor.department_id)
    )


calendar_can_edit = department_config_can_edit


def calendar_department_for(actor: Member, department_id: int | None) -> Department | None:
    """The department whose calendar `actor` may edit (None: the company default); foreign ones are missing."""
    if department_id is None:
        if not calendar_can_edit(actor, None):
            raise NotFound()
        return None
    department = Department.objects.visible_to(actor).filter(pk=department_id).first()
    if department is None or not calendar_can_edit(actor, department):
        raise NotFound()
    return department


def calendar_snapshot(cal: WorkingCalendar | None) -> dict[str, object]:
    if cal is None:
        return {}
    return {
        "workdays": cal.workdays,
        "spans": format_spans(tuple((int(a), int(b)) for a, b in cal.spans)),
        "timezone": cal.timezone,
        "exceptions": [
            [d.isoformat(), w, n] for d, w, n in cal.exceptions.order_by("day").values_list("day", "working", "note")
        ],
    }


@transaction.atomic
def calendar_save(
    *,
    actor: Member,
    department: Department | None,
    workdays: str,
    spans: Sequence[tuple[int, int]],
    timezone: str = "Asia/Shanghai",
    exceptions: Sequence[tuple[dt.date, bool, str]] = (),
) -> WorkingCalendar:
    """Create or replace the calendar of `department` (None: the company default), exceptions included."""
    if not calendar_can_edit(actor, department):
        raise DomainError(ERR_CALENDAR_FORBIDDEN, code="forbidden")
    days = "".join(sorted({c for c in workdays if c in "1234567"}))
    if not days and not any(w for _d, w, _n in exceptions):
        raise DomainError(ERR_CALENDAR_WORKDAYS, field="workdays")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise DomainError(ERR_CALENDAR_TIMEZONE, field="timezone") from None
    clean = sorted((int(a), int(b)) for a, b in spans)
    if (
        not clean
        or any(not (0 <= a < b <= 1440) for a, b in clean)
        or any(clean[i][1] > clean[i + 1][0] for i in range(len(clean) - 1))
    ):
        raise DomainError(ERR_CALENDAR_SPANS, field="spans")
    if len(exceptions) > EXCEPTIONS_MAX:
        raise DomainError(ERR_CALENDAR_SPANS, field="exceptions")
    cal = WorkingCalendar.objects.select_for_update().filter(department=department).first()
    before = calendar_snapshot(cal)
    if cal is None:
        cal = WorkingCalendar(department=department)
    cal.workdays, cal.spans, cal.timezone = days, [list(s) for s in clean], timezone
    cal.save()
    cal.exceptions.all().delete()
    unique = {d: (w, n) for d, w, n in exceptions}
    CalendarException.objects.bulk_create(
        [CalendarException(calendar=cal, day=d, working=w, note=n[:100]) for d, (w, n) in sorted(unique.items())]
    )
    audit_record(
        actor=actor,
        verb="org.calendar_save",
        target=cal,
        before=before,
        after=calendar_snapshot(cal),
    )
    return cal


def calendar_for_edit(department: Department | None) -> WorkingCalendar | None:
    """The calendar row of exactly this department (None when it inherits)."""
    return WorkingCalendar.objects.filter(department=department).first()


ERR_CALENDAR_EXCEPTION_LINE = gettext_noop('Line {line}: write a date (2026-10-01), then "holiday" or "workday".')
HOLIDAY_WORDS = frozenset({"holiday", "off", "休", "假", "休息", "节假日"})
WORKDAY_WORDS = frozenset({"workday", "work", "班", "上班", "调休", "补班"})


def calendar_rows(*, viewer: Member) -> list[dict[str, object]]:
    """The departments whose calendar `viewer` may edit, each with its own calendar or the one it inherits
    (three queries for the calendars, one for the departments; at most MAX rows of the visible tree)."""
    resolver = calendar_resolver()
    own = set(resolver.by_department)
    departments = [d for d in Department.objects.visible_to(viewer)[:500] if calendar_can_edit(viewer, d)]
    rows: list[dict[str, object]] = []
    for d in departments:
        cal = resolver.for_department(d.pk)
        rows.append({"department": d, "own": d.pk in own, "summary": calendar_summary(cal)})
    return rows


def calendar_summary(cal: WorkCalendar) -> str:
    from .forms import WEEKDAYS

    names = dict(WEEKDAYS)
    days = "、".join(str(names[str(d)]) for d in sorted(cal.workdays) if str(d) in names)
    tz = str(cal.tz)
    return f"{days} · {format_spans(cal.spans)}" + ("" if tz == "Asia/Shanghai" else f" · {tz}")


def calendar_initial(department: Department | None) -> dict[str, object]:
    """The edit form's initial values: this department's calendar, else the one it inherits."""
    row = calendar_for_edit(department)
    if row is None:
        cal = calendar_resolver().for_department(department.pk if department else None)
        return {
            "workdays": [str(d) for d in sorted(cal.workdays)],
            "spans": format_spans(cal.spans),
            "timezone": str(cal.tz),
            "exceptions": "",
        }
    lines = [
        f"{d.isoformat()} {'workday' if w else 'holiday'} {n}".strip()
        for d, w, n in row.exceptions.order_by("day").values_list("day", "working", "note")
    ]
    return {
        "workdays": list(row.workdays),
        "spans": format_spans(tuple((int(a), int(b)) for a, b in row.spans)),
        "timezone": row.timezone,
        "exceptions": "\n".join(lines),
    }


def parse_exceptions(text: str) -> list[tuple[dt.date, bool, str]]:
    out: list[tuple[dt.date, bool, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.split(maxsplit=2)
        if not parts:
            continue
        try:
            day = dt.date.fromisoformat(parts[0])
        except ValueError:
            raise DomainError(ERR_CALENDAR_EXCEPTION_LINE, field="exceptions", line=number) from None
        word = parts[1].lower() if len(parts) > 1 else ""
        if word in HOLIDAY_WORDS:
            working = False
        elif word in WORKDAY_WORDS:
            working = True
        else:
            raise DomainError(ERR_CALENDAR_EXCEPTION_LINE, field="exceptions", line=number)
        out.append((day, working, parts[2] if len(parts) > 2 else ""))
    return out


def calendar_save_form(*, actor: Member, department: Department | None, data: dict[str, object]) -> WorkingCalendar:
    """`calendar_save` from the edit form's cleaned data (spans and exception lines parsed here)."""
    from .workcal import parse_spans

    try:
        spans = parse_spans(str(data["spans"]))
    except ValueError:
        raise DomainError(ERR_CALENDAR_SPANS, field="spans") from None
    workdays = data.get("workdays") or []
    assert isinstance(workdays, list)
    return calendar_save(
        actor=actor,
        department=department,
        workdays="".join(str(d) for d in workdays),
        spans=spans,
        timezone=str(data["timezone"]),
        exceptions=parse_exceptions(str(data.get("exceptions") or "")),
    )
