"""Shared helpers of the meeting tests."""

from __future__ import annotations

import datetime as dt

from zhidu.core.models import AuditEvent, Notification
from zhidu.org import services as org_services
from zhidu.org.models import CalendarEntry
from zhidu.work import meetings_services as svc
from zhidu.work.models import ActionItem, Meeting, MeetingParticipant, Task

DAY = "2026-03-02"  # a Monday
T0 = dt.datetime.fromisoformat(f"{DAY} 09:00:00+08:00")
START = dt.datetime.fromisoformat(f"{DAY} 14:00:00+08:00")
END = START + dt.timedelta(hours=1)


def bearer(member):  # type: ignore[no-untyped-def]
    _token, key = org_services.api_token_create(actor=member, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def schedule(actor, participants=(), *, title="周例会", kind="team", start=START, end=None, **kw):  # type: ignore[no-untyped-def]
    data = svc.MeetingInput(
        title=title,
        kind=kind,
        starts_at=start,
        ends_at=end or start + dt.timedelta(hours=1),
        participant_ids=[m.pk for m in participants],
        **kw,
    )
    return svc.meeting_create(actor=actor, data=data)


def state():  # type: ignore[no-untyped-def]
    return (
        AuditEvent.objects.count(),
        Notification.objects.count(),
        list(Meeting.objects.order_by("pk").values_list("pk", "title", "status", "starts_at", "minutes")),
        list(MeetingParticipant.objects.order_by("pk").values_list("pk", "member_id", "attendance")),
        list(CalendarEntry.objects.order_by("pk").values_list("pk", "title", "starts_at", "cancelled_at")),
        ActionItem.objects.count(),
        Task.objects.count(),
    )
