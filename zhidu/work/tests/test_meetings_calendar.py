"""Meetings in time: reminders before the start and for missing minutes (once each, across days), and the
iCalendar output (RFC 5545) parsed back and compared with the records."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from zhidu.core.models import Notification
from zhidu.org import calendar as cal
from zhidu.work import meetings_ics as ics
from zhidu.work import meetings_services as svc
from zhidu.work.meetings_tasks import meeting_reminders_task

from .meetings_helpers import START, T0, bearer, schedule

pytestmark = pytest.mark.django_db


def _notes(title: str) -> list[int]:
    return sorted(Notification.objects.filter(title=title).values_list("recipient_id", flat=True))


def test_reminders_before_the_start_and_for_missing_minutes_once(actors, time_machine, settings):  # type: ignore[no-untyped-def]
    settings.WORK_MEETING_REMIND_MINUTES = 30
    settings.WORK_MINUTES_DUE_HOURS = 24
    time_machine.move_to("2026-03-01 18:00:00+08:00", tick=False)
    m = schedule(actors.supervisor, [actors.sales], start=START)  # Monday 14:00–15:00
    done = schedule(actors.supervisor, [actors.sales], title="已写纪要", start=START + dt.timedelta(minutes=5))
    cancelled = schedule(actors.supervisor, [actors.sales], title="已取消", start=START)
    svc.meeting_cancel(actor=actors.supervisor, meeting=cancelled)
    soon, missing = "A meeting starts soon", "The minutes of a meeting are missing"
    Notification.objects.all().delete()
    for when in ("2026-03-02 09:00:00+08:00", "2026-03-02 13:29:00+08:00"):
        time_machine.move_to(when, tick=False)
        assert svc.meeting_reminders() == svc.ReminderResult(0, 0)
    time_machine.move_to("2026-03-02 13:30:00+08:00", tick=False)
    assert meeting_reminders_task() == {"start": 2, "minutes": 0}  # the Celery task runs the service
    assert _notes(soon) == sorted([actors.supervisor.pk, actors.sales.pk])
    assert Notification.objects.filter(title=soon, url=reverse("work:meeting", args=[m.pk])).count() == 2
    time_machine.move_to("2026-03-02 13:36:00+08:00", tick=False)
    assert svc.meeting_reminders() == svc.ReminderResult(2, 0)  # the second meeting's turn; the first is silent
    assert svc.meeting_reminders() == svc.ReminderResult(0, 0)
    time_machine.move_to("2026-03-02 16:00:00+08:00", tick=False)
    svc.minutes_record(actor=actors.supervisor, meeting=done, minutes="已开")
    time_machine.move_to("2026-03-03 14:59:00+08:00", tick=False)
    assert svc.meeting_reminders() == svc.ReminderResult(0, 0)
    time_machine.move_to("2026-03-03 15:00:00+08:00", tick=False)
    assert svc.meeting_reminders() == svc.ReminderResult(0, 1)
    assert _notes(missing) == [actors.supervisor.pk]
    time_machine.move_to("2026-03-04 09:00:00+08:00", tick=False)
    assert svc.meeting_reminders() == svc.ReminderResult(0, 0)  # once
    assert "work-meeting-reminders" in django_settings.CELERY_BEAT_SCHEDULE
    task = django_settings.CELERY_BEAT_SCHEDULE["work-meeting-reminders"]["task"]
    assert task == meeting_reminders_task.name


def _unfold(body: bytes) -> list[str]:
    text = body.decode("utf-8")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    raw = text.split("\r\n")[:-1]
    assert all(len(line.encode("utf-8")) <= 75 for line in raw)
    lines: list[str] = []
    for line in raw:
        if line.startswith(" "):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    return lines


def _unescape(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        if value[i] == "\\" and i + 1 < len(value):
            out.append("\n" if value[i + 1] in "nN" else value[i + 1])
            i += 2
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def _events(body: bytes) -> dict[str, dict[str, str]]:
    lines = _unfold(body)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR" and "VERSION:2.0" in lines
    events: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for line in lines:
        name, _sep, value = line.partition(":")
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            assert current is not None
            events[current["UID"]] = current
            current = None
        elif current is not None:
            current[name] = value
    return events


def _utc(value: str) -> dt.datetime:
    return dt.datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)


LONG = "季度销售冲刺动员会：重点客户跟进, 报价策略与回款安排; 以及新人带教计划。请各位提前准备\\材料"


def test_ics_feed_parsed_back_matches_the_records(actors, client, login, time_machine, settings):  # type: ignore[no-untyped-def]
    settings.WORK_ICS_PAST_DAYS = 10
    settings.WORK_ICS_FUTURE_DAYS = 30
    time_machine.move_to(T0, tick=False)
    long = schedule(
        actors.supervisor, [actors.sales], title=LONG[:100], agenda="第一项, 报价;\n第二项：回款", place="3楼"
    )
    gone = schedule(actors.supervisor, [actors.sales], title="取消的会", start=START + dt.timedelta(days=1))
    svc.meeting_cancel(actor=actors.supervisor, meeting=gone)
    far = schedule(actors.supervisor, [actors.sales], title="太远的会", start=START + dt.timedelta(days=40))
    other = schedule(actors.supervisor_b, [actors.sales_b], title="别的团队")
    session = cal.session_create(
        actor=actors.director,
        data=cal.SessionInput(
            title="全员培训", kind="training", department=actors.dept1, starts_at=START + dt.timedelta(days=2),
            ends_at=START + dt.timedelta(days=2, hours=2),
        ),
    )  # fmt: skip
    elsewhere = cal.session_create(
        actor=actors.director,
        data=cal.SessionInput(
            title="二部例会",
            kind="meeting",
            department=actors.dept2,
            starts_at=START,
            ends_at=START + dt.timedelta(hours=1),
        ),
    )
    response = login(actors.sales).get(reverse("work:meetings_ics"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    events = _events(response.content)
    assert set(events) == {f"meeting-{long.pk}@zhidu", f"meeting-{gone.pk}@zhidu", f"session-{session.pk}@zhidu"}
    e = events[f"meeting-{long.pk}@zhidu"]
    assert _unescape(e["SUMMARY"]) == LONG[:100] and len(LONG[:100].encode()) > 75
    assert _unescape(e["DESCRIPTION"]) == "第一项, 报价;\n第二项：回款" and _unescape(e["LOCATION"]) == "3楼"
    assert (_utc(e["DTSTART"]), _utc(e["DTEND"])) == (long.starts_at, long.ends_at)
    assert e["DTSTART"] == "20260302T060000Z" and e["STATUS"] == "CONFIRMED" and _utc(e["DTSTAMP"]) == T0
    assert "\\;" in e["SUMMARY"] and "\\\\" in e["SUMMARY"] and "\\," in e["DESCRIPTION"] and "\\n" in e["DESCRIPTION"]
    assert events[f"meeting-{gone.pk}@zhidu"]["STATUS"] == "CANCELLED"
    s = events[f"session-{session.pk}@zhidu"]
    assert (_unescape(s["SUMMARY"]), _utc(s["DTSTART"]), _utc(s["DTEND"])) == (
        "全员培训",
        session.starts_at,
        session.ends_at,
    )
    assert far.pk and other.pk and elsewhere.pk  # outside the window / not theirs
    # the API with a bearer token, the single meeting's file; a stranger and an anonymous caller get nothing
    api = client.get(reverse("api:meeting_feed_ics"), **bearer(actors.sales))
    assert set(_events(api.content)) == set(events)
    one = _events(client.get(reverse("api:meeting_ics", args=[long.pk]), **bearer(actors.supervisor)).content)
    assert list(one) == [f"meeting-{long.pk}@zhidu"]
    assert client.get(reverse("api:meeting_ics", args=[long.pk]), **bearer(actors.outsider)).status_code == 404
    client.logout()
    assert client.get(reverse("api:meeting_feed_ics")).status_code == 401
    assert client.get(reverse("work:meetings_ics")).status_code == 302


@pytest.mark.parametrize("text", ["a" * 200, "会" * 80, "a" + "😀" * 40, "x,y;z\\" * 30])
def test_fold_keeps_characters_whole(text):  # type: ignore[no-untyped-def]
    folded = ics.fold("SUMMARY:" + ics.escape_text(text))
    pieces = folded.split("\r\n")
    assert all(len(p.encode("utf-8")) <= 75 for p in pieces)
    assert all(p.startswith(" ") for p in pieces[1:])
    assert "".join([pieces[0], *(p[1:] for p in pieces[1:])]) == "SUMMARY:" + ics.escape_text(text)


def test_reminders_reach_every_meeting_in_batches(actors, time_machine, settings):  # type: ignore[no-untyped-def]
    """More meetings than one run looks at: the next runs reach the rest, none is looked at twice."""
    settings.WORK_MEETING_REMIND_MINUTES = 30
    settings.WORK_MINUTES_DUE_HOURS = 24
    settings.WORK_MEETING_REMIND_BATCH = 2
    time_machine.move_to("2026-03-01 18:00:00+08:00", tick=False)
    meetings = [
        schedule(actors.supervisor, [actors.sales], title=f"例会{i}", start=START + dt.timedelta(minutes=i))
        for i in range(5)
    ]
    Notification.objects.all().delete()
    time_machine.move_to("2026-03-02 13:40:00+08:00", tick=False)  # all five start within 30 minutes
    # Two participants (organizer and sales) per meeting; two meetings per run.
    assert [svc.meeting_reminders().start for _ in range(4)] == [4, 4, 2, 0]
    soon = Notification.objects.filter(title="A meeting starts soon")
    assert sorted(set(soon.values_list("url", flat=True))) == sorted(
        reverse("work:meeting", args=[m.pk]) for m in meetings
    )
    time_machine.move_to("2026-03-03 16:00:00+08:00", tick=False)  # every one's minutes are a day late
    assert [svc.meeting_reminders().minutes for _ in range(4)] == [2, 2, 1, 0]
    assert Notification.objects.filter(title="The minutes of a meeting are missing").count() == 5
