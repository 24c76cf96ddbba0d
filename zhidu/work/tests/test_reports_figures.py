"""A report's pre-filled figures equal the member's records of the period (built with the apps' factories and
services), leave out other members' and other periods' records, refresh while a draft and freeze at submission."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from zhidu.compliance.models import ArchiveMessage, ViolationStatus, ms_to_datetime
from zhidu.compliance.tests.factories import make_violation
from zhidu.customers.models import FollowUp
from zhidu.customers.tests.factories import FollowFactory
from zhidu.sales.models import TargetNode, TargetTree
from zhidu.sales.services import order_review
from zhidu.sales.tests.factories import make_order, make_order_in
from zhidu.work import reports_services as svc
from zhidu.work.models import Task, TaskStatus

from .reports_helpers import NOW, TEXTS, TUESDAY, make_templates

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=8))


def at(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, 0, tzinfo=TZ)


def message(member, *, when, side="staff", customer="wmc1", chat=None):  # type: ignore[no-untyped-def]
    ms = int(when.timestamp() * 1000)
    ArchiveMessage.objects.create(
        msgid=f"m{ArchiveMessage.objects.count() + 1}",
        sender=member.wecom_userid if side == "staff" else customer,
        receivers=[customer],
        chat_key=chat or f"{customer}|{member.wecom_userid}",
        side=side,
        msgtime=ms,
        sent_at=ms_to_datetime(ms),
        msgtype="text",
        text="您好",
        raw={},
        member=member,
        customer_id=customer if not chat else "",
    )


def task(actors, *, due, status=TaskStatus.OPEN, done_at=None, who=None):  # type: ignore[no-untyped-def]
    t = Task.objects.create(
        title="回访", created_by=actors.supervisor, department=actors.dept1, due_at=due, status=status, done_at=done_at
    )
    t.assignees.add(who or actors.sales)
    return t


def test_figures_equal_the_periods_records(actors, time_machine):  # type: ignore[no-untyped-def]
    sales, other = actors.sales, actors.sales_b
    time_machine.move_to("2026-03-03 09:00:00+08:00", tick=False)  # Tuesday: orders booked today
    make_templates(actors.director)
    # Customers added: two on Tuesday, one on Monday, one of another member on Tuesday.
    added = [FollowFactory(member=sales, createtime=at(3, 10)), FollowFactory(member=sales, createtime=at(3, 23))]
    FollowFactory(member=sales, createtime=at(2, 15))
    FollowFactory(member=other, createtime=at(3, 11))
    # Follow-ups: three of the member on Tuesday, one on Wednesday, one of another member.
    for hour in (9, 12, 17):
        FollowUp.objects.create(follow=added[0], author=sales, kind="phone", happened_at=at(3, hour), summary="电话")
    FollowUp.objects.create(follow=added[0], author=sales, kind="chat", happened_at=at(4, 0), summary="微信")
    FollowUp.objects.create(follow=added[1], author=other, kind="chat", happened_at=at(3, 10), summary="微信")
    # Chats: four sent by the member in two customer chats and one internal room, one customer message.
    message(sales, when=at(3, 9))
    message(sales, when=at(3, 10))
    message(sales, when=at(3, 11), customer="wmc2")
    message(sales, when=at(3, 12), chat="wrInternalRoom")
    message(sales, when=at(3, 13), side="customer")
    message(sales, when=at(2, 13))  # Monday
    message(other, when=at(3, 9), customer="wmc9")
    # Orders: two approved (one shared 60/40 with another member), a draft, one refunded by 100.
    o1 = make_order_in("approved", sales, approver=actors.supervisor)
    o2 = make_order(sales, credits=[(sales, "60"), (other, "40")], submit=True)
    order_review.order_approve(actor=actors.supervisor, order=o2)
    make_order(sales)
    o3 = make_order_in("refunded", sales, approver=actors.supervisor)
    # A published revenue target for March.
    tree = TargetTree.objects.create(period="month", start=dt.date(2026, 3, 1), metric="revenue", status="published")
    TargetNode.objects.create(tree=tree, owner=sales, amount=Decimal("10000"))
    # Tasks: one done on Tuesday, one due Tuesday and still open, one done late, a cancelled one, another's.
    task(actors, due=at(3, 18), status=TaskStatus.DONE, done_at=at(3, 16))
    task(actors, due=at(3, 15))
    task(actors, due=at(3, 11), status=TaskStatus.DONE, done_at=at(3, 19))
    task(actors, due=at(3, 12), status=TaskStatus.CANCELLED)
    task(actors, due=at(3, 10), who=other)
    task(actors, due=at(5, 10))  # due later
    # Violations: two confirmed on Tuesday, one open, one confirmed on Monday.
    confirmed = ViolationStatus.CONFIRMED
    for hour, status in ((10, confirmed), (14, confirmed), (15, ViolationStatus.OPEN), (None, confirmed)):
        v = make_violation(sales)
        v.status = status
        v.occurred_at = at(3, hour) if hour is not None else at(2, 9)
        v.save()

    time_machine.move_to(NOW, tick=False)
    draft = svc.report_draft(actor=sales, kind="daily", period_start=TUESDAY)
    net = o1.total + o2.total * Decimal("0.6") + (o3.total - o3.refund_amount)
    assert draft.figures == {
        "customers_added": 2,
        "followups": 3,
        "messages_sent": 4,
        "customer_chats": 2,
        "orders": 3,
        "order_amount": str(net.quantize(Decimal("0.01"))),
        "target_percent": str((net / Decimal(100)).quantize(Decimal("0.01"))),
        "tasks_done": 2,
        "tasks_overdue": 2,
        "violations": 2,
    }

    # A draft follows the records; a submitted report keeps what it had.
    FollowFactory(member=sales, createtime=at(3, 20))
    assert svc.report_draft(actor=sales, kind="daily", period_start=TUESDAY).figures["customers_added"] == 3
    submitted = svc.report_submit(actor=sales, report=draft, texts=TEXTS)
    assert submitted.figures["customers_added"] == 3
    FollowFactory(member=sales, createtime=at(3, 21))
    assert svc.report_draft(actor=sales, kind="daily", period_start=TUESDAY).figures["customers_added"] == 3
    # The weekly report counts the whole week (Monday's customer too), without a target it has none.
    week = svc.report_draft(actor=sales, kind="weekly", period_start=dt.date(2026, 3, 2))
    assert week.figures["customers_added"] == 5 and week.figures["violations"] == 3
    assert svc.report_draft(actor=other, kind="daily", period_start=TUESDAY).figures["target_percent"] is None
