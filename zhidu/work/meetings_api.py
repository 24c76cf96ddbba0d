"""REST: meetings (prefix "work/meetings"), scoped like the pages: list, detail, create, reschedule, cancel,
attendance, minutes, action items, and the calendar feed and a meeting's .ics (bearer token)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema

from zhidu.core.schemas import Id, PageIn, Text
from zhidu.org.models import Member

from . import meetings_ics as ics
from . import meetings_selectors as sel
from . import meetings_services as svc
from .meetings_views import ics_response
from .models import ActionItem, Attendance, Meeting, MeetingKind, MeetingParticipant

router = Router(tags=["work: meetings"])


def _me(request: HttpRequest) -> Member:
    return request.auth  # type: ignore[attr-defined,no-any-return]


class MeetingParticipantOut(Schema):
    member_id: int
    name: str
    attendance: str


class MeetingActionItemOut(Schema):
    id: int
    title: str
    assignee_id: int
    assignee_name: str
    due_at: dt.datetime
    task_id: int | None
    task_status: str | None


class MeetingOut(Schema):
    id: int
    title: str
    kind: str
    status: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str
    online_url: str
    organizer_id: int
    organizer_name: str
    customer_id: int | None


class MeetingDetailOut(MeetingOut):
    agenda: str
    minutes: str
    minutes_by_id: int | None
    minutes_at: dt.datetime | None
    followup_id: int | None
    participants: list[MeetingParticipantOut]
    action_items: list[MeetingActionItemOut]
    can_manage: bool


class MeetingIn(Schema):
    title: Annotated[str, Text(100, min_length=1)]
    kind: MeetingKind = MeetingKind.TEAM
    starts_at: dt.datetime
    ends_at: dt.datetime
    participant_ids: list[Id] = []
    agenda: Annotated[str, Text(svc.AGENDA_MAX)] = ""
    place: Annotated[str, Text(200)] = ""
    online_url: Annotated[str, Text(500)] = ""
    customer_id: Id | None = None


class MeetingRescheduleIn(Schema):
    title: Annotated[str, Text(100, min_length=1)]
    starts_at: dt.datetime
    ends_at: dt.datetime
    participant_ids: list[Id] = []
    agenda: Annotated[str, Text(svc.AGENDA_MAX)] = ""
    place: Annotated[str, Text(200)] = ""
    online_url: Annotated[str, Text(500)] = ""


class MeetingCancelIn(Schema):
    reason: Annotated[str, Text(500)] = ""


class MeetingActionItemIn(Schema):
    title: Annotated[str, Text(100, min_length=1)]
    assignee_id: Id
    due_at: dt.datetime


class MeetingMinutesIn(Schema):
    minutes: Annotated[str, Text(svc.MINUTES_MAX, min_length=1)]
    action_items: list[MeetingActionItemIn] = []


class MeetingAttendanceMark(Schema):
    member_id: Id
    attendance: Attendance


class MeetingAttendanceIn(Schema):
    marks: list[MeetingAttendanceMark]


class MeetingFilter(Schema):
    when: Literal["upcoming", "past"] = "upcoming"


def _out(m: Meeting) -> dict[str, object]:
    return {
        "id": m.pk,
        "title": m.title,
        "kind": m.kind,
        "status": m.status,
        "starts_at": m.starts_at,
        "ends_at": m.ends_at,
        "place": m.place,
        "online_url": m.online_url,
        "organizer_id": m.organizer_id,
        "organizer_name": m.organizer.name,
        "customer_id": m.customer_id,
    }


def _participant(p: MeetingParticipant) -> MeetingParticipantOut:
    return MeetingParticipantOut(member_id=p.member_id, name=p.member.name, attendance=p.attendance)


def _item(i: ActionItem) -> MeetingActionItemOut:
    return MeetingActionItemOut(
        id=i.pk,
        title=i.title,
        assignee_id=i.assignee_id,
        assignee_name=i.assignee.name,
        due_at=i.due_at,
        task_id=i.task_id,
        task_status=i.task.status if i.task else None,
    )


def _detail(me: Member, meeting_id: int) -> MeetingDetailOut:
    m = sel.meeting_get_for(me, meeting_id)
    return MeetingDetailOut(
        **_out(m),  # type: ignore[arg-type]
        agenda=m.agenda,
        minutes=m.minutes,
        minutes_by_id=m.minutes_by_id,
        minutes_at=m.minutes_at,
        followup_id=m.followup_id,
        participants=[_participant(p) for p in sel.participants_of(m)],
        action_items=[_item(i) for i in sel.action_items_of(m)],
        can_manage=svc.can_manage(me, m),
    )


@router.get("", response=list[MeetingOut])
def meeting_list(request: HttpRequest, page: Query[PageIn], f: Query[MeetingFilter]) -> list[MeetingOut]:
    """Upcoming (soonest first) or past (latest first); page with `after` = the last id of the previous page."""
    rows = sel.meeting_page(_me(request), when=f.when, cursor=page.after, limit=page.limit)
    return [MeetingOut(**_out(m)) for m in rows]  # type: ignore[arg-type]


@router.post("", response={201: MeetingDetailOut})
def meeting_create(request: HttpRequest, payload: MeetingIn) -> tuple[int, MeetingDetailOut]:
    me = _me(request)
    data = svc.MeetingInput(**payload.dict())
    m = svc.meeting_create(actor=me, data=data)
    return 201, _detail(me, m.pk)


@router.get("/calendar.ics", response={200: None})
def meeting_feed_ics(request: HttpRequest) -> HttpResponse:
    """The member's meetings and the org sessions they take part in, as iCalendar."""
    me = _me(request)
    return ics_response(ics.calendar(sel.calendar_feed(me), name="zhidu", now=timezone.now()), "meetings.ics")


@router.get("/{meeting_id}", response=MeetingDetailOut)
def meeting_get(request: HttpRequest, meeting_id: int) -> MeetingDetailOut:
    return _detail(_me(request), meeting_id)


@router.post("/{meeting_id}/reschedule", response=MeetingDetailOut)
def meeting_reschedule(request: HttpRequest, meeting_id: int, payload: MeetingRescheduleIn) -> MeetingDetailOut:
    me = _me(request)
    m = sel.meeting_get_for(me, meeting_id)
    data = svc.MeetingInput(kind=m.kind, customer_id=m.customer_id, **payload.dict())
    svc.meeting_reschedule(actor=me, meeting=m, data=data)
    return _detail(me, meeting_id)


@router.post("/{meeting_id}/cancel", response=MeetingDetailOut)
def meeting_cancel(request: HttpRequest, meeting_id: int, payload: MeetingCancelIn) -> MeetingDetailOut:
    me = _me(request)
    svc.meeting_cancel(actor=me, meeting=sel.meeting_get_for(me, meeting_id), reason=payload.reason)
    return _detail(me, meeting_id)


@router.post("/{meeting_id}/attendance", response=MeetingDetailOut)
def meeting_attendance(request: HttpRequest, meeting_id: int, payload: MeetingAttendanceIn) -> MeetingDetailOut:
    me = _me(request)
    marks = {mark.member_id: str(mark.attendance) for mark in payload.marks}
    svc.attendance_record(actor=me, meeting=sel.meeting_get_for(me, meeting_id), marks=marks)
    return _detail(me, meeting_id)


def _items(rows: list[MeetingActionItemIn]) -> list[svc.ActionItemInput]:
    return [svc.ActionItemInput(title=r.title, assignee_id=r.assignee_id, due_at=r.due_at) for r in rows]


@router.post("/{meeting_id}/minutes", response=MeetingDetailOut)
def meeting_minutes(request: HttpRequest, meeting_id: int, payload: MeetingMinutesIn) -> MeetingDetailOut:
    me = _me(request)
    m = sel.meeting_get_for(me, meeting_id)
    svc.minutes_record(actor=me, meeting=m, minutes=payload.minutes, items=_items(payload.action_items))
    return _detail(me, meeting_id)


@router.get("/{meeting_id}/action-items", response=list[MeetingActionItemOut])
def meeting_action_items(request: HttpRequest, meeting_id: int) -> list[MeetingActionItemOut]:
    return [_item(i) for i in sel.action_items_of(sel.meeting_get_for(_me(request), meeting_id))]


@router.post("/{meeting_id}/action-items", response={201: list[MeetingActionItemOut]})
def meeting_action_items_add(
    request: HttpRequest, meeting_id: int, payload: list[MeetingActionItemIn]
) -> tuple[int, list[MeetingActionItemOut]]:
    me = _me(request)
    m = sel.meeting_get_for(me, meeting_id)
    svc.action_items_add(actor=me, meeting=m, items=_items(payload))
    return 201, [_item(i) for i in sel.action_items_of(m)]


@router.get("/{meeting_id}/meeting.ics", response={200: None})
def meeting_ics(request: HttpRequest, meeting_id: int) -> HttpResponse:
    m = sel.meeting_get_for(_me(request), meeting_id)
    return ics_response(
        ics.calendar([sel.meeting_feed_item(m)], name=m.title, now=timezone.now()), f"meeting-{m.pk}.ics"
    )
