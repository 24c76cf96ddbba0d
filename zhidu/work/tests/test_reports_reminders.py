"""Reminders for reports past due (once per member and period, one summary per lead, daily reports chased on
working days only, a second run sends nothing) and the KPI metric "report submission rate"."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from zhidu.core.models import Notification
from zhidu.performance.metrics import PeriodScope, get_metric
from zhidu.work import reports_services as svc
from zhidu.work.models import Report
from zhidu.work.reports_metrics import CODE
from zhidu.work.reports_tasks import report_reminders_task

from .reports_helpers import DAILY_SECTIONS, TEXTS

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 3, 2)


@pytest.fixture
def daily(actors, time_machine):  # type: ignore[no-untyped-def]
    time_machine.move_to("2026-03-02 08:00:00+08:00", tick=False)
    return svc.template_save(
        actor=actors.director, department=None, kind="daily", sections=DAILY_SECTIONS, roles=["sales", "supervisor"]
    )


def write(member, day, *, at, time_machine):  # type: ignore[no-untyped-def]
    time_machine.move_to(at, tick=False)
    draft = svc.report_draft(actor=member, kind="daily", period_start=day)
    return svc.report_submit(actor=member, report=draft, texts=TEXTS)


def sent(day: dt.date) -> list[tuple[int, str]]:
    """(recipient, kind of notice) of the notices about `day`'s daily reports."""
    rows = Notification.objects.filter(dedupe_key__startswith=f"report:daily:{day}:").order_by("recipient_id", "pk")
    return [(n.recipient_id, n.dedupe_key.rsplit(":", 1)[1]) for n in rows]


def test_reminders_after_the_due_time_once(actors, daily, time_machine):  # type: ignore[no-untyped-def]
    write(actors.sales, MONDAY, at="2026-03-02 18:00:00+08:00", time_machine=time_machine)
    time_machine.move_to("2026-03-03 09:59:00+08:00", tick=False)  # Monday's reports are due Tuesday 10:00
    svc.report_reminders()
    assert sent(MONDAY) == []
    time_machine.move_to("2026-03-03 10:01:00+08:00", tick=False)
    assert report_reminders_task() > 0
    missing = [actors.supervisor, actors.supervisor_b, actors.sales_b, actors.outsider]
    expected = sorted(
        [(m.pk, "remind") for m in missing]
        + [(actors.manager.pk, "team"), (actors.supervisor_b.pk, "team")]  # the supervisors' lead; sales_b's lead
    )
    assert sorted(sent(MONDAY)) == expected
    summary = Notification.objects.get(recipient=actors.manager, dedupe_key=f"report:daily:{MONDAY}:team")
    assert actors.supervisor.name in summary.body and actors.supervisor_b.name in summary.body
    before = Notification.objects.count()
    time_machine.move_to("2026-03-03 16:00:00+08:00", tick=False)
    assert svc.report_reminders() == 0 and Notification.objects.count() == before
    # Wednesday: Tuesday's reports are chased, Monday's are not chased again.
    time_machine.move_to("2026-03-04 10:30:00+08:00", tick=False)
    svc.report_reminders()
    assert sorted(sent(MONDAY)) == expected
    assert (actors.sales.pk, "remind") in sent(dt.date(2026, 3, 3))


def test_daily_reminders_wait_for_a_working_day(actors, daily, time_machine):  # type: ignore[no-untyped-def]
    thursday, friday = dt.date(2026, 3, 5), dt.date(2026, 3, 6)
    time_machine.move_to("2026-03-07 11:00:00+08:00", tick=False)  # Saturday: Thursday's were due Friday 10:00
    assert svc.report_reminders() == 0 and Notification.objects.count() == 0
    time_machine.move_to("2026-03-08 11:00:00+08:00", tick=False)  # Sunday
    assert svc.report_reminders() == 0
    time_machine.move_to("2026-03-09 09:00:00+08:00", tick=False)  # Monday before 10:00: Thursday's, not Friday's
    svc.report_reminders()
    assert (actors.sales.pk, "remind") in sent(thursday) and sent(friday) == []
    time_machine.move_to("2026-03-09 10:00:00+08:00", tick=False)
    svc.report_reminders()
    assert (actors.sales.pk, "remind") in sent(friday)


def test_report_submission_rate_equals_the_records(actors, daily, time_machine):  # type: ignore[no-untyped-def]
    friday, monday, tuesday = dt.date(2026, 2, 27), MONDAY, dt.date(2026, 3, 3)
    # sales: Monday's on time, Tuesday's late, Friday's never. sales_b: all three on time (Friday's on Monday 9:00).
    write(actors.sales, monday, at="2026-03-02 18:00:00+08:00", time_machine=time_machine)
    write(actors.sales, tuesday, at="2026-03-04 10:30:00+08:00", time_machine=time_machine)
    for day in (friday, monday, tuesday):
        write(
            actors.sales_b,
            day,
            at=f"{day + dt.timedelta(days=3 if day == friday else 1)} 09:00:00+08:00",
            time_machine=time_machine,
        )
    time_machine.move_to("2026-03-04 11:00:00+08:00", tick=False)
    # Due in March so far: Friday's (Mon 10:00), Monday's (Tue 10:00), Tuesday's (Wed 10:00).
    owed = 3
    values = get_metric(CODE).compute(PeriodScope(kind="month", start=dt.date(2026, 3, 1)))  # type: ignore[union-attr]
    for member in (actors.sales, actors.sales_b, actors.supervisor):
        on_time = Report.objects.filter(member=member, late=False, submitted_at__isnull=False).count()
        assert values[member.pk] == (Decimal(on_time) * 100 / owed).quantize(Decimal("0.01"))
    assert values[actors.sales.pk] == Decimal("33.33") and values[actors.sales_b.pk] == Decimal("100.00")
    assert actors.compliance.pk not in values and actors.manager.pk not in values
    only = get_metric(CODE).compute(  # type: ignore[union-attr]
        PeriodScope(kind="month", start=dt.date(2026, 3, 1), member_ids=frozenset({actors.sales.pk}))
    )
    assert only == {actors.sales.pk: Decimal("33.33")}
    records = get_metric(CODE).records(actors.sales.pk, PeriodScope(kind="month", start=dt.date(2026, 3, 1)), 10)  # type: ignore[union-attr,misc]
    mine = Report.objects.filter(member=actors.sales).order_by("-due_at")
    assert [url for _label, url in records] == [reverse("work:report", args=[r.pk]) for r in mine]
    assert "Late" in records[0][0] and "Late" not in records[1][0]
