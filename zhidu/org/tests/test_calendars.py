"""Working calendars: inheritance from the nearest ancestor, editing (audited), who may edit which."""

from __future__ import annotations

import datetime as dt

import pytest

from zhidu.core.errors import DomainError
from zhidu.core.models import AuditEvent
from zhidu.org.calendars import DEFAULT_CALENDAR, calendar_resolver, calendar_save, parse_exceptions
from zhidu.org.models import WorkingCalendar
from zhidu.org.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def test_inherits_nearest_ancestor_then_company_default(actors):
    assert calendar_resolver().for_department(actors.dept1.pk) == DEFAULT_CALENDAR
    calendar_save(actor=actors.director, department=None, workdays="123456", spans=[(480, 1020)])
    team = DepartmentFactory(name="一组", parent=actors.dept1)
    calendar_save(actor=actors.manager, department=actors.dept1, workdays="12345", spans=[(600, 1200)])
    resolver = calendar_resolver()
    assert resolver.for_department(team.pk).spans == ((600, 1200),)
    assert resolver.for_department(actors.dept2.pk).workdays == frozenset({1, 2, 3, 4, 5, 6})
    assert resolver.for_department(None).spans == ((480, 1020),)


def test_save_replaces_exceptions_and_audits(actors):
    exceptions = parse_exceptions("2026-10-01 holiday 国庆\n2026-10-10 调休\n")
    assert exceptions == [(dt.date(2026, 10, 1), False, "国庆"), (dt.date(2026, 10, 10), True, "")]
    cal = calendar_save(actor=actors.manager, department=actors.dept1, workdays="12345", spans=[(540, 1080)],
                        exceptions=exceptions)  # fmt: skip
    pure = calendar_resolver().for_department(actors.dept1.pk)
    assert not pure.is_working_day(dt.date(2026, 10, 1)) and pure.is_working_day(dt.date(2026, 10, 10))
    calendar_save(actor=actors.manager, department=actors.dept1, workdays="12345", spans=[(540, 1080)])
    assert cal.exceptions.count() == 0
    events = AuditEvent.objects.filter(verb="org.calendar_save").order_by("pk")
    assert events.count() == 2 and len(events.last().before["exceptions"]) == 2


@pytest.mark.parametrize("name", ["supervisor", "sales", "outsider", "compliance"])
def test_others_may_not_edit(actors, name):
    with pytest.raises(DomainError):
        calendar_save(actor=actors.by_name(name), department=actors.dept1, workdays="12345", spans=[(540, 1080)])
    assert not WorkingCalendar.objects.exists() and not AuditEvent.objects.filter(verb="org.calendar_save").exists()


def test_manager_only_own_subtree_and_not_default(actors):
    with pytest.raises(DomainError):
        calendar_save(actor=actors.manager, department=actors.dept2, workdays="12345", spans=[(540, 1080)])
    with pytest.raises(DomainError):
        calendar_save(actor=actors.manager, department=None, workdays="12345", spans=[(540, 1080)])


@pytest.mark.parametrize(
    ("spans", "workdays"),
    [([(600, 540)], "12345"), ([(0, 2000)], "12345"), ([(540, 700), (600, 800)], "1"), ([(540, 600)], "")],
)
def test_invalid_values_refused(actors, spans, workdays):
    with pytest.raises(DomainError):
        calendar_save(actor=actors.director, department=None, workdays=workdays, spans=spans)


def test_edit_page(actors, login):
    client = login(actors.manager)
    page = client.get("/org/calendars/")
    assert page.status_code == 200 and "销售一部" in page.content.decode() and "销售二部" not in page.content.decode()
    assert client.get(f"/org/calendars/{actors.dept2.pk}/").status_code == 404
    assert client.get("/org/calendars/default/").status_code == 404
    response = client.post(
        f"/org/calendars/{actors.dept1.pk}/",
        {
            "workdays": ["1", "2", "3", "4", "5", "6"],
            "spans": "08:30-17:30",
            "timezone": "Asia/Shanghai",
            "exceptions": "2026-10-01 holiday",
        },
    )
    assert response.status_code == 302
    cal = WorkingCalendar.objects.get(department=actors.dept1)
    assert (cal.workdays, cal.spans) == ("123456", [[510, 1050]]) and cal.exceptions.count() == 1
    bad = client.post(f"/org/calendars/{actors.dept1.pk}/", {"workdays": ["1"], "spans": "x", "timezone": "UTC"})
    assert bad.status_code == 200 and WorkingCalendar.objects.get(department=actors.dept1).spans == [[510, 1050]]


def test_sales_cannot_open_pages(actors, login):
    client = login(actors.sales)
    assert client.get("/org/calendars/").status_code in (403, 404)
    assert client.get(f"/org/calendars/{actors.dept1.pk}/").status_code in (403, 404)
