"""My work (我的工作) gathers a member's tasks, the reports they must write now and their next meetings: each block
shows only what is the member's own, and the page stays within a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from zhidu.core.periods import company_tz
from zhidu.work import meetings_services as meetings
from zhidu.work import tasks_services as tasks

from .reports_helpers import NOW, make_templates, write

pytestmark = pytest.mark.django_db


def at(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, tzinfo=company_tz())


@pytest.fixture
def week(actors, time_machine):  # type: ignore[no-untyped-def]
    time_machine.move_to(NOW, tick=False)  # Wednesday 2026-03-04 09:00
    make_templates(actors.director)
    tasks.task_create(actor=actors.supervisor, title="回访三位老客户", assignee_ids=[actors.sales.pk], due_at=at(5, 18))
    tasks.task_create(
        actor=actors.supervisor_b, title="B 组整理报价", assignee_ids=[actors.sales_b.pk], due_at=at(5, 18)
    )
    meetings.meeting_create(
        actor=actors.supervisor,
        data=meetings.MeetingInput(
            title="一组周例会", kind="team", starts_at=at(6, 10), ends_at=at(6, 11), participant_ids=[actors.sales.pk]
        ),
    )
    meetings.meeting_create(
        actor=actors.supervisor_b,
        data=meetings.MeetingInput(
            title="二组周例会", kind="team", starts_at=at(6, 14), ends_at=at(6, 15), participant_ids=[actors.sales_b.pk]
        ),
    )


def test_my_work_shows_own_tasks_reports_and_meetings(actors, week, login, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    c = login(actors.sales)
    with django_assert_max_num_queries(22):
        page = c.get(reverse("work:my_work")).content.decode()
    assert "回访三位老客户" in page and "B 组整理报价" not in page
    assert "一组周例会" in page and "二组周例会" not in page
    assert 'data-testid="my-reports-due"' in page
    assert 'data-testid="my-report-write-daily"' in page and 'data-testid="my-report-write-weekly"' in page
    # Once every due report is submitted, the block is gone.
    write(actors.sales)
    write(actors.sales, dt.date(2026, 3, 4))
    write(actors.sales, dt.date(2026, 2, 23), kind="weekly")
    write(actors.sales, dt.date(2026, 3, 2), kind="weekly")
    assert 'data-testid="my-reports-due"' not in c.get(reverse("work:my_work")).content.decode()


def test_my_work_lists_are_bounded(actors, week, login, settings):  # type: ignore[no-untyped-def]
    settings.WORK_MY_WORK_SHOWN = 1
    page = login(actors.sales).get(reverse("work:my_work")).content.decode()
    assert page.count('data-testid="my-report-write-') == 1
    meetings.meeting_create(
        actor=actors.supervisor,
        data=meetings.MeetingInput(
            title="一组复盘会", kind="team", starts_at=at(5, 10), ends_at=at(5, 11), participant_ids=[actors.sales.pk]
        ),
    )
    page = login(actors.sales).get(reverse("work:my_work")).content.decode()
    assert "一组复盘会" in page and "一组周例会" not in page  # the soonest one only
