"""Meetings and training (S6: no WeChat during them; after hours it is allowed): calendar entries per department,
planned by its leads, imported from Excel, and each department's choice whether messages sent during them are
flagged (`MeetingFlag`, inherited by sub-departments). The archive check (compliance, a higher layer) reads
`sessions_between` once per ingestion batch.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from zhidu.core.audit import audit_record, snapshot
from zhidu.core.errors import DomainError
from zhidu.core.xlsx import xlsx_uncell

from .models import (
    MAX_DEPTH,
    CalendarEntry,
    Department,
    MeetingFlag,
    Member,
    MemberStatus,
    Role,
    SessionKind,
    department_subtree_ids,
)

PLANNERS = (Role.DIRECTOR, Role.MANAGER, Role.SUPERVISOR)
FLAG_EDITORS = (Role.DIRECTOR, Role.MANAGER)
TITLE_MAX = 100
SESSION_MAX_HOURS = 24

ERR_NOT_PLANNER = gettext_noop("You may not plan sessions for this department.")
ERR_NOT_FLAG_EDITOR = gettext_noop("Only the sales director and managers change this setting.")
ERR_TITLE = gettext_noop("Give the session a title (at most {max} characters).")
ERR_KIND = gettext_noop("Unknown session kind {kind!r}: use meeting or training.")
ERR_TIMES = gettext_noop("A session must end after it starts and last at most {hours} hours.")
ERR_PARTICIPANT = gettext_noop("{who} is not an active member of the department.")
ERR_NO_PARTICIPANTS = gettext_noop("List the participants, or invite the whole department.")
ERR_CANCELLED = gettext_noop("The session was cancelled.")
ERR_DEPARTMENT = gettext_noop("No department named {name!r} that you may plan for.")
ERR_DEPARTMENT_AMBIGUOUS = gettext_noop("Several departments are named {name!r}.")
ERR_TIME_VALUE = gettext_noop("{value!r} is not a date and time (e.g. 2026-12-03 09:00).")
ERR_COLUMNS = gettext_noop("The first row must name the columns: {columns}.")
ERR_FILE = gettext_noop("The file is not an Excel workbook (.xlsx).")
ERR_ROWS_MAX = gettext_noop("The file has more than {max} rows.")
ERR_EMPTY = gettext_noop("The file has no sessions.")

ENTRY_FIELDS = ["title", "kind", "department", "starts_at", "ends_at", "whole_department", "cancelled_at"]
COLUMNS = (
    ("title", gettext_noop("Title")),
    ("kind", gettext_noop("Kind")),
    ("department", gettext_noop("Department")),
    ("starts_at", gettext_noop("Starts at")),
    ("ends_at", gettext_noop("Ends at")),
    ("participants", gettext_noop("Participants")),
)
REQUIRED = ("title", "department", "starts_at", "ends_at")


# --------------------------------------------------------------------------------------------- access


def can_plan(actor: Member, department: Department) -> bool:
    return (
        actor.is_active
        and actor.role in PLANNERS
        and Department.objects.visible_to(actor).filter(pk=department.pk).exists()
    )


def can_edit_flags(actor: Member) -> bool:
    return actor.is_active and actor.role in FLAG_EDITORS


def plannable_departments(actor: Member) -> list[Department]:
    if not actor.is_active or actor.role not in PLANNERS:
        return []
    return list(Department.objects.visible_to(actor).order_by("order", "id"))


# --------------------------------------------------------------------------------------------- entries


@dataclass(frozen=True)
class SessionInput:
    title: str
    kind: str
    department: Department
    starts_at: dt.datetime
    ends_at: dt.datetime
    participants: tuple[Member, ...] = ()  # empty: the whole department subtree


def _validate(actor: Member, data: SessionInput) -> None:
    if not can_plan(actor, data.department):
        raise DomainError(ERR_NOT_PLANNER, code="forbidden")
    if not data.title.strip() or len(data.title) > TITLE_MAX:
        raise DomainError(ERR_TITLE, field="title", max=TITLE_MAX)
    if data.kind not in SessionKind.values:
        raise DomainError(ERR_KIND, field="kind", kind=data.kind)
    if data.ends_at <= data.starts_at or data.ends_at - data.starts_at > dt.timedelta(hours=SESSION_MAX_HOURS):
        raise DomainError(ERR_TIMES, field="ends_at", hours=SESSION_MAX_HOURS)
    subtree = department_subtree_ids(data.department.pk)
    for m in data.participants:
        if m.department_id not in subtree or m.status != MemberStatus.ACTIVE:
            raise DomainError(ERR_PARTICIPANT, field="participants", who=m.name)


def _write(entry: CalendarEntry, data: SessionInput) -> None:
    entry.title = data.title.strip()
    entry.kind = data.kind
    entry.department = data.department
    entry.starts_at, entry.ends_at = data.starts_at, data.ends_at
    entry.whole_department = not data.participants
    entry.save()
    entry.participants.set(data.participants)


def _entry_state(entry: CalendarEntry) -> dict[str, Any]:
    return snapshot(entry, ENTRY_FIELDS) | {"participants": sorted(entry.participants.values_list("pk", flat=True))}


@transaction.atomic
def session_create(*, actor: Member, data: SessionInput) -> CalendarEntry:
    _validate(actor, data)
    entry = CalendarEntry(created_by=actor)
    _write(entry, data)
    audit_record(actor=actor, verb="calendar.create", target=entry, after=_entry_state(entry))
    return entry


@transaction.atomic
def session_update(*, actor: Member, entry: CalendarEntry, data: SessionInput) -> CalendarEntry:
    if entry.cancelled_at is not None:
        raise DomainError(ERR_CANCELLED)
    if not can_plan(actor, entry.department):
        raise DomainError(ERR_NOT_PLANNER, code="forbidden")
    _validate(actor, data)
    before = _entry_state(entry)
    _write(entry, data)
    audit_record(actor=actor, verb="calendar.update", target=entry, before=before, after=_entry_state(entry))
    return entry


@transaction.atomic
def session_cancel(*, actor: Member, entry: CalendarEntry, reason: str = "") -> CalendarEntry:
    if not can_plan(actor, entry.department):
        raise DomainError(ERR_NOT_PLANNER, code="forbidden")
    if entry.cancelled_at is not None:
        raise DomainError(ERR_CANCELLED)
    before = snapshot(entry, ["cancelled_at"])
    entry.cancelled_at = timezone.now()
    entry.save(update_fields=["cancelled_at", "updated_at"])
    audit_record(
        actor=actor,
        verb="calendar.cancel",
        target=entry,
        before=before,
        after=snapshot(entry, ["cancelled_at"]),
        reason=reason,
    )
    return entry


# --------------------------------------------------------------------------------------------- department setting


def flags_effective(departments: Iterable[int] | None = None) -> dict[int, bool]:
    """Whether each department flags messages during its sessions: its own setting, else the nearest one above,
    else off. Two queries for the whole tree."""
    parents = dict(Department.objects.values_list("id", "parent_id"))
    own = dict(MeetingFlag.objects.values_list("department_id", "flag_messages"))
    out: dict[int, bool] = {}
    for dept in parents if departments is None else departments:
        current: int | None = dept
        value = False
        for _depth in range(MAX_DEPTH):
            if current is None:
                break
            if current in own:
                value = own[current]
                break
            current = parents.get(current)
        out[dept] = value
    return out


@transaction.atomic
def meeting_flag_set(*, actor: Member, department: Department, flag: bool) -> MeetingFlag:
    """Turn flagging of messages during sessions on or off for a department (and the sub-departments without
    their own setting)."""
    if not can_edit_flags(actor) or not Department.objects.visible_to(actor).filter(pk=department.pk).exists():
        raise DomainError(ERR_NOT_FLAG_EDITOR, code="forbidden")
    row, _created = MeetingFlag.objects.select_for_update().get_or_create(department=department)
    before = {"flag_messages": None if _created else row.flag_messages}
    row.flag_messages = flag
    row.save()
    audit_record(
        actor=actor, verb="calendar.meeting_flag", target=department, before=before, after={"flag_messages": flag}
    )
    return row


# --------------------------------------------------------------------------------------------- for the archive check


@dataclass(frozen=True, slots=True)
class SessionWindow:
    """A session whose department flags messages, with its participants' member ids."""

    pk: int
    title: str
    kind: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    member_ids: frozenset[int]


def sessions_between(start: dt.datetime, end: dt.datetime) -> list[SessionWindow]:
    """Active sessions overlapping [start, end] in departments that flag messages (a few queries in all)."""
    entries = list(
        CalendarEntry.objects.active()
        .filter(starts_at__lte=end, ends_at__gte=start)
        .order_by("starts_at", "pk")
        .prefetch_related("participants")
    )
    if not entries:
        return []
    flags = flags_effective({e.department_id for e in entries})
    entries = [e for e in entries if flags.get(e.department_id)]
    if not entries:
        return []
    whole: dict[int, frozenset[int]] = {}
    for e in entries:
        if e.whole_department and e.department_id not in whole:
            whole[e.department_id] = frozenset(
                Member.objects.filter(department_id__in=department_subtree_ids(e.department_id)).values_list(
                    "pk", flat=True
                )
            )
    return [
        SessionWindow(
            pk=e.pk,
            title=e.title,
            kind=e.kind,
            starts_at=e.starts_at,
            ends_at=e.ends_at,
            member_ids=whole[e.department_id] if e.whole_department else frozenset(m.pk for m in e.participants.all()),
        )
        for e in entries
    ]


# --------------------------------------------------------------------------------------------- Excel import


@dataclass
class ImportResult:
    created: list[CalendarEntry] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (row number in the sheet, why)


_KINDS = {"meeting": SessionKind.MEETING, "training": SessionKind.TRAINING}
_KIND_LABELS = {"meeting": gettext_noop("Meeting"), "training": gettext_noop("Training")}
_SPLIT = re.compile(r"[,，、;；\s]+")


def _forms(label: str) -> set[str]:
    """A label as a sheet may spell it: in English, in the reader's language and in the site's language."""
    out = {label.lower(), gettext(label).lower()}
    with translation.override(settings.LANGUAGE_CODE):
        out.add(gettext(label).lower())
    return out


def _kind(value: str) -> str:
    value = value.strip().lower()
    if value in _KINDS:
        return _KINDS[value]
    for kind, label in _KIND_LABELS.items():
        if value in _forms(label):
            return kind
    raise DomainError(ERR_KIND, kind=value)


def _when(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        moment = value
    else:
        text = str(value or "").strip()
        try:
            moment = dt.datetime.fromisoformat(text.replace("/", "-"))
        except ValueError:
            raise DomainError(ERR_TIME_VALUE, value=text) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _header(row: tuple[Any, ...]) -> dict[str, int]:
    names: dict[str, str] = {}
    for key, label in COLUMNS:
        names[key] = key
        names.update(dict.fromkeys(_forms(label), key))
    out: dict[str, int] = {}
    for i, cell in enumerate(row):
        found = names.get(str(cell or "").strip().lower())
        if found and found not in out:
            out[found] = i
    return out


def _cell(row: tuple[Any, ...], cols: dict[str, int], key: str) -> Any:
    i = cols.get(key)
    if i is None or i >= len(row):
        return ""
    value = row[i]
    return xlsx_uncell(value.strip()) if isinstance(value, str) else value


def calendar_import(*, actor: Member, content: bytes) -> ImportResult:
    """Sessions from an Excel sheet (title, kind, department by name, start, end, participants by WeCom userid or
    name — empty: the whole department). Every row is checked first; with any error nothing is written."""
    from openpyxl import load_workbook

    try:
        ws = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
        rows = list(ws.iter_rows(values_only=True, max_row=settings.CALENDAR_IMPORT_MAX_ROWS + 2))
    except Exception:  # openpyxl raises many kinds on a broken file
        raise DomainError(ERR_FILE, field="file") from None
    if len(rows) > settings.CALENDAR_IMPORT_MAX_ROWS + 1:
        raise DomainError(ERR_ROWS_MAX, field="file", max=settings.CALENDAR_IMPORT_MAX_ROWS)
    cols = _header(rows[0]) if rows else {}
    if any(key not in cols for key in REQUIRED):
        columns = "、".join(gettext(label) for _key, label in COLUMNS)
        raise DomainError(ERR_COLUMNS, field="file", columns=columns)
    departments = plannable_departments(actor)
    by_name: dict[str, list[Department]] = {}
    for d in departments:
        by_name.setdefault(d.name, []).append(d)
    members = list(Member.objects.filter(status=MemberStatus.ACTIVE, department__in=departments))
    result = ImportResult()
    inputs: list[SessionInput] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(v not in (None, "") for v in row):
            continue
        try:
            inputs.append(_row_input(actor, row, cols, by_name, members))
        except DomainError as exc:
            result.errors.append((number, str(exc)))
    if not inputs and not result.errors:
        raise DomainError(ERR_EMPTY, field="file")
    if result.errors:
        return result
    with transaction.atomic():
        result.created = [session_create(actor=actor, data=data) for data in inputs]
    return result


def _row_input(
    actor: Member,
    row: tuple[Any, ...],
    cols: dict[str, int],
    by_name: dict[str, list[Department]],
    members: list[Member],
) -> SessionInput:
    name = str(_cell(row, cols, "department") or "").strip()
    found = by_name.get(name, [])
    if not found:
        raise DomainError(ERR_DEPARTMENT, name=name)
    if len(found) > 1:
        raise DomainError(ERR_DEPARTMENT_AMBIGUOUS, name=name)
    department = found[0]
    subtree = department_subtree_ids(department.pk)
    people: list[Member] = []
    for who in _SPLIT.split(str(_cell(row, cols, "participants") or "")):
        if not who:
            continue
        match = [m for m in members if m.department_id in subtree and who in (m.wecom_userid, m.name)]
        if len(match) != 1:
            raise DomainError(ERR_PARTICIPANT, who=who)
        people.append(match[0])
    data = SessionInput(
        title=str(_cell(row, cols, "title") or "").strip(),
        kind=_kind(str(_cell(row, cols, "kind") or "meeting")),
        department=department,
        starts_at=_when(_cell(row, cols, "starts_at")),
        ends_at=_when(_cell(row, cols, "ends_at")),
        participants=tuple(dict.fromkeys(people)),
    )
    _validate(actor, data)
    return data


# --------------------------------------------------------------------------------------------- selectors

PAGE_SIZE = 50


def calendar_get_for(viewer: Member, entry_id: int) -> CalendarEntry:
    from zhidu.core.errors import NotFound

    try:
        return CalendarEntry.objects.visible_to(viewer).select_related("department").get(pk=entry_id)
    except (CalendarEntry.DoesNotExist, ValueError, TypeError):
        raise NotFound from None


def _cursor(raw: str) -> tuple[dt.datetime, int] | None:
    stamp, _sep, pk = raw.partition("_")
    if not (stamp.isdigit() and pk.isdigit()):
        return None
    return dt.datetime.fromtimestamp(int(stamp) / 1_000_000, tz=dt.UTC), int(pk)


def cursor_of(entry: CalendarEntry) -> str:
    return f"{int(entry.starts_at.timestamp() * 1_000_000)}_{entry.pk}"


def calendar_page(viewer: Member, *, cursor: str = "") -> tuple[list[CalendarEntry], str]:
    """Newest sessions first, PAGE_SIZE at a time, paged by (start, id); the next page's cursor or ""."""
    from django.db.models import Q

    qs = CalendarEntry.objects.visible_to(viewer).select_related("department").order_by("-starts_at", "-pk")
    after = _cursor(cursor)
    if after is not None:
        qs = qs.filter(Q(starts_at__lt=after[0]) | Q(starts_at=after[0], pk__lt=after[1]))
    rows = list(qs[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return rows, cursor_of(rows[-1]) if more else ""


@dataclass(frozen=True)
class FlagRow:
    department: Department
    own: bool | None  # None: inherited
    effective: bool


def flag_rows(viewer: Member) -> list[FlagRow]:
    departments = list(Department.objects.visible_to(viewer).order_by("order", "id")[:200])
    own = dict(MeetingFlag.objects.filter(department__in=departments).values_list("department_id", "flag_messages"))
    effective = flags_effective([d.pk for d in departments])
    return [FlagRow(d, own.get(d.pk), effective[d.pk]) for d in departments]


# --------------------------------------------------------------------------------------------- demo

DEMO_TITLE = "销售晨会（演示）"


def demo_calendar() -> None:
    """The demo: a team's morning meeting under way for the next hour, and messages during meetings flagged
    company-wide, both through the services (audited) as their director would do it. Idempotent."""
    director = Member.objects.filter(role=Role.DIRECTOR, status=MemberStatus.ACTIVE).order_by("pk").first()
    team = (
        Department.objects.filter(members__role=Role.SALES, members__status=MemberStatus.ACTIVE).order_by("pk").first()
    )
    if director is None or team is None or CalendarEntry.objects.filter(title=DEMO_TITLE).exists():
        return
    root = Department.objects.filter(parent__isnull=True).order_by("pk").first() or team
    now = timezone.now().replace(second=0, microsecond=0)
    session_create(
        actor=director,
        data=SessionInput(
            title=DEMO_TITLE,
            kind=SessionKind.MEETING,
            department=team,
            starts_at=now - dt.timedelta(minutes=10),
            ends_at=now + dt.timedelta(hours=1),
        ),
    )
    meeting_flag_set(actor=director, department=root, flag=True)
