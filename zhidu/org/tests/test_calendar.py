"""Meetings and training: planning within one's scope (audited), the pages and who sees what, the department
setting and its inheritance, and the Excel import (all rows checked; with a bad row nothing is written)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from zhidu.core.errors import DomainError
from zhidu.core.models import AuditEvent
from zhidu.org import calendar as cal
from zhidu.org.models import CalendarEntry, MeetingFlag

START = timezone.make_aware(dt.datetime(2026, 12, 3, 9, 0))


def session(actor, department, *, title="周例会", hours=1, participants=(), kind="meeting", start=START):
    data = cal.SessionInput(
        title=title,
        kind=kind,
        department=department,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=hours),
        participants=tuple(participants),
    )
    return cal.session_create(actor=actor, data=data)


def xlsx(rows) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


HEADER = ("标题", "类型", "部门", "开始时间", "结束时间", "参会人")


# --------------------------------------------------------------------------------------------- services


def test_create_update_cancel_are_audited(actors):
    entry = session(actors.supervisor, actors.dept1, participants=[actors.sales])
    assert (entry.whole_department, list(entry.participants.all())) == (False, [actors.sales])
    data = cal.SessionInput("产品培训", "training", actors.dept1, START, START + dt.timedelta(hours=2))
    cal.session_update(actor=actors.manager, entry=entry, data=data)
    entry.refresh_from_db()
    assert (entry.title, entry.kind, entry.whole_department) == ("产品培训", "training", True)
    cal.session_cancel(actor=actors.supervisor, entry=entry)
    verbs = list(AuditEvent.objects.filter(target_type="org.calendarentry").values_list("verb", flat=True))
    assert sorted(verbs) == ["calendar.cancel", "calendar.create", "calendar.update"]
    with pytest.raises(DomainError):
        cal.session_update(actor=actors.manager, entry=entry, data=data)


def test_planners_only_within_their_scope(actors):
    with pytest.raises(DomainError):  # a supervisor plans for their own department only
        session(actors.supervisor, actors.dept2)
    with pytest.raises(DomainError):  # salespeople do not plan
        session(actors.sales, actors.dept1)
    with pytest.raises(DomainError):  # participants come from the department
        session(actors.manager, actors.dept1, participants=[actors.outsider])
    with pytest.raises(DomainError):
        session(actors.manager, actors.dept1, hours=-1)
    assert session(actors.director, actors.dept2).department == actors.dept2
    assert CalendarEntry.objects.count() == 1


def test_flag_is_off_by_default_inherited_and_overridable(actors):
    assert cal.flags_effective([actors.dept1.pk]) == {actors.dept1.pk: False}
    cal.meeting_flag_set(actor=actors.director, department=actors.root, flag=True)
    assert cal.flags_effective([actors.dept1.pk, actors.dept2.pk]) == {actors.dept1.pk: True, actors.dept2.pk: True}
    cal.meeting_flag_set(actor=actors.manager, department=actors.dept1, flag=False)
    assert cal.flags_effective([actors.dept1.pk, actors.dept2.pk]) == {actors.dept1.pk: False, actors.dept2.pk: True}
    assert AuditEvent.objects.filter(verb="calendar.meeting_flag").count() == 2
    with pytest.raises(DomainError):
        cal.meeting_flag_set(actor=actors.supervisor, department=actors.dept1, flag=True)
    with pytest.raises(DomainError):  # a manager changes their own subtree only
        cal.meeting_flag_set(actor=actors.manager, department=actors.dept2, flag=True)


def test_sessions_between_resolves_participants_and_skips_unflagged(actors):
    whole = session(actors.manager, actors.dept1)
    listed = session(actors.manager, actors.dept1, title="小组会", participants=[actors.sales_b])
    other = session(actors.director, actors.dept2, title="二部会")
    window = (START, START + dt.timedelta(minutes=30))
    assert cal.sessions_between(*window) == []  # no department flags messages yet
    cal.meeting_flag_set(actor=actors.manager, department=actors.dept1, flag=True)
    found = {s.pk: s.member_ids for s in cal.sessions_between(*window)}
    assert set(found) == {whole.pk, listed.pk} and other.pk not in found
    assert actors.sales.pk in found[whole.pk] and found[listed.pk] == {actors.sales_b.pk}
    cal.session_cancel(actor=actors.manager, entry=whole)
    assert [s.pk for s in cal.sessions_between(*window)] == [listed.pk]


# --------------------------------------------------------------------------------------------- import


def test_import_creates_every_row(actors):
    rows = [
        HEADER,
        ("周一晨会", "会议", "销售一部", "2026-12-07 09:00", "2026-12-07 09:30", ""),
        ("话术培训", "培训", "销售一部", dt.datetime(2026, 12, 8, 14), dt.datetime(2026, 12, 8, 16), "周销售、吴销售"),
    ]
    result = cal.calendar_import(actor=actors.manager, content=xlsx(rows))
    assert result.errors == [] and len(result.created) == 2
    training = CalendarEntry.objects.get(title="话术培训")
    assert training.kind == "training" and set(training.participants.all()) == {actors.sales, actors.sales_b}
    assert timezone.localtime(training.starts_at).hour == 14


def test_import_with_bad_rows_writes_nothing_and_names_each_row(actors):
    rows = [
        HEADER,
        ("周一晨会", "会议", "销售一部", "2026-12-07 09:00", "2026-12-07 09:30", ""),
        ("二部会", "会议", "销售二部", "2026-12-07 09:00", "2026-12-07 09:30", ""),  # not the supervisor's
        ("倒序", "会议", "销售一部", "2026-12-07 10:00", "2026-12-07 09:00", ""),
        ("外人", "会议", "销售一部", "2026-12-07 10:00", "2026-12-07 11:00", "冯外人"),
        ("时间", "聚餐", "销售一部", "明天", "2026-12-07 11:00", ""),
    ]
    result = cal.calendar_import(actor=actors.supervisor, content=xlsx(rows))
    assert [n for n, _why in result.errors] == [3, 4, 5, 6]
    assert result.created == [] and CalendarEntry.objects.count() == 0


def test_import_refuses_a_broken_file_or_missing_columns(actors):
    with pytest.raises(DomainError):
        cal.calendar_import(actor=actors.manager, content=b"not a workbook")
    with pytest.raises(DomainError):
        cal.calendar_import(actor=actors.manager, content=xlsx([("标题", "部门")]))


# --------------------------------------------------------------------------------------------- pages


def test_calendar_page_lists_the_scope_only(actors, login, django_assert_max_num_queries):
    mine = session(actors.manager, actors.dept1)
    session(actors.director, actors.dept2, title="二部会")
    client = login(actors.supervisor)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("org:calendar")).content.decode()
    assert "周例会" in page and "二部会" not in page
    outsider = login(actors.outsider).get(reverse("org:calendar")).content.decode()
    assert "周例会" not in outsider and "二部会" in outsider
    assert login(actors.outsider).get(reverse("org:session_edit", args=[mine.pk])).status_code == 403  # sales
    assert login(actors.supervisor_b).get(reverse("org:session_edit", args=[mine.pk])).status_code == 200
    other = CalendarEntry.objects.get(title="二部会")
    assert login(actors.manager).get(reverse("org:session_edit", args=[other.pk])).status_code == 404


def test_calendar_page_is_paged_by_key(actors, login, monkeypatch):
    monkeypatch.setattr(cal, "PAGE_SIZE", 2)
    for i in range(5):
        session(actors.manager, actors.dept1, title=f"会{i}", start=START + dt.timedelta(days=i))
    client = login(actors.manager)
    seen: list[str] = []
    url = reverse("org:calendar")
    for _page in range(3):
        entries, cursor = cal.calendar_page(actors.manager, cursor=url.partition("cursor=")[2])
        seen += [e.title for e in entries]
        url = f"?cursor={cursor}"
    assert seen == ["会4", "会3", "会2", "会1", "会0"] and cursor == ""
    assert "cursor=" in client.get(reverse("org:calendar")).content.decode()


def test_plan_edit_cancel_through_the_pages(actors, login):
    client = login(actors.supervisor)
    form = {
        "title": "早会",
        "kind": "meeting",
        "department": actors.dept1.pk,
        "starts_at": "2026-12-03T09:00",
        "ends_at": "2026-12-03T09:30",
    }
    assert client.post(reverse("org:session_new"), form).status_code == 302
    entry = CalendarEntry.objects.get()
    bad = form | {"ends_at": "2026-12-03T08:00"}
    assert client.post(reverse("org:session_edit", args=[entry.pk]), bad).status_code == 200
    assert client.post(reverse("org:session_edit", args=[entry.pk]), form | {"title": "晨会"}).status_code == 302
    assert client.post(reverse("org:session_cancel", args=[entry.pk])).status_code == 302
    entry.refresh_from_db()
    assert entry.title == "晨会" and entry.cancelled_at is not None
    # a department outside the supervisor's scope is not offered
    assert client.post(reverse("org:session_new"), form | {"department": actors.dept2.pk}).status_code == 200
    assert CalendarEntry.objects.count() == 1


def test_import_page_shows_row_errors(actors, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    rows = [HEADER, ("倒序", "会议", "销售一部", "2026-12-07 10:00", "2026-12-07 09:00", "")]
    upload = SimpleUploadedFile("c.xlsx", xlsx(rows))
    page = login(actors.manager).post(reverse("org:calendar_import"), {"file": upload}).content.decode()
    assert 'data-testid="import-errors"' in page and CalendarEntry.objects.count() == 0


def test_flag_toggle_page(actors, login):
    url = reverse("org:meeting_flag", args=[actors.dept1.pk])
    assert login(actors.supervisor).post(url, {"flag": "on"}).status_code == 403
    other = reverse("org:meeting_flag", args=[actors.dept2.pk])
    assert login(actors.manager).post(other, {"flag": "on"}).status_code == 404
    assert login(actors.manager).post(url, {"flag": "on"}).status_code == 302
    assert MeetingFlag.objects.get().flag_messages is True


def test_demo_calendar_plans_a_meeting_under_way_and_flags_messages(actors):
    cal.demo_calendar()
    cal.demo_calendar()  # idempotent
    entry = CalendarEntry.objects.get()
    now = timezone.now()
    assert entry.starts_at < now < entry.ends_at and entry.department.members.filter(role="sales").exists()
    assert [s.pk for s in cal.sessions_between(now, now)] == [entry.pk]
