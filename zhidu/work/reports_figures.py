"""The figures a report is pre-filled with: what the member's records say about the period, a few grouped
queries (one per source). Values are JSON-ready (counts as int, money and percentages as strings)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from zhidu.compliance.models import Action, ArchiveMessage, Side, Violation, ViolationStatus
from zhidu.core.periods import period_end
from zhidu.customers.models import FollowRelation, FollowUp
from zhidu.org.models import Member
from zhidu.sales.models import OrderCredit, TargetNode
from zhidu.sales.models.orders import COUNTED_STATUSES
from zhidu.sales.models.targets import Metric as TargetMetric
from zhidu.sales.models.targets import TreeStatus

from . import reports_periods as periods
from .models import Task, TaskStatus

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Figure:
    key: str
    label: str | Promise
    url_name: str = ""  # a page listing the underlying records, where one exists


FIGURES = (
    Figure("customers_added", _("Customers added"), "customers:list"),
    Figure("followups", _("Follow-ups written"), "customers:list"),
    Figure("messages_sent", _("Messages sent")),
    Figure("customer_chats", _("Conversations with customers")),
    Figure("orders", _("Orders"), "sales:orders"),
    Figure("order_amount", _("Order amount (yuan)"), "sales:orders"),
    Figure("target_percent", _("Revenue target achieved this month (%)"), "sales:targets"),
    Figure("tasks_done", _("Tasks done")),
    Figure("tasks_overdue", _("Tasks overdue")),
    Figure("violations", _("Violations confirmed"), "compliance:violations"),
)


def _ms(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1000)


def _money(value: object) -> Decimal:
    return (Decimal(str(value or 0)) / HUNDRED).quantize(CENT)


def _revenue(member_id: int, first: dt.date, last: dt.date) -> dict[str, Any]:
    """Orders credited to the member and booked in [first, last]: count, and the member's share of the net amount
    (after refunds) in yuan."""
    money: DecimalField[Decimal, Decimal] = DecimalField(max_digits=24, decimal_places=6)
    net = ExpressionWrapper((F("order__total") - F("order__refund_amount")) * F("percent"), output_field=money)
    row = OrderCredit.objects.filter(
        member_id=member_id,
        order__status__in=COUNTED_STATUSES,
        order__booked_on__gte=first,
        order__booked_on__lte=last,
    ).aggregate(n=Count("order_id", distinct=True), amount=Sum(net))
    return {"n": int(row["n"] or 0), "amount": _money(row["amount"])}


def compute_figures(member: Member, kind: str, start: dt.date, *, now: dt.datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    lo, hi = periods.bounds(kind, start)
    last = periods.last_day(kind, start)
    out: dict[str, Any] = {}
    out["customers_added"] = FollowRelation.objects.filter(member=member, createtime__gte=lo, createtime__lt=hi).count()
    out["followups"] = FollowUp.objects.filter(author=member, happened_at__gte=lo, happened_at__lt=hi).count()
    chats = ArchiveMessage.objects.filter(member=member, msgtime__gte=_ms(lo), msgtime__lt=_ms(hi)).aggregate(
        sent=Count("id", filter=Q(side=Side.STAFF, action=Action.SEND)),
        chats=Count("chat_key", distinct=True, filter=~Q(customer_id="")),
    )
    out["messages_sent"] = int(chats["sent"] or 0)
    out["customer_chats"] = int(chats["chats"] or 0)
    orders = _revenue(member.pk, start, last)
    out["orders"] = orders["n"]
    out["order_amount"] = str(orders["amount"])
    out["target_percent"] = _target_percent(member, last)
    cut = min(hi, now)
    tasks = Task.objects.filter(assignees=member).aggregate(
        done=Count("id", filter=Q(status=TaskStatus.DONE, done_at__gte=lo, done_at__lt=hi)),
        overdue=Count(
            "id",
            filter=Q(due_at__gte=lo, due_at__lt=cut)
            & ~Q(status=TaskStatus.CANCELLED)
            & (Q(done_at__isnull=True) | Q(done_at__gt=F("due_at"))),
        ),
    )
    out["tasks_done"] = int(tasks["done"] or 0)
    out["tasks_overdue"] = int(tasks["overdue"] or 0)
    out["violations"] = Violation.objects.filter(
        member=member, status=ViolationStatus.CONFIRMED, occurred_at__gte=lo, occurred_at__lt=hi
    ).count()
    return out


def _target_percent(member: Member, last: dt.date) -> str | None:
    """Month-to-date revenue against the member's published revenue target for the month holding `last` (None
    when the member has no such target)."""
    month = last.replace(day=1)
    node = (
        TargetNode.objects.filter(
            owner=member,
            tree__period="month",
            tree__start=month,
            tree__metric=TargetMetric.REVENUE,
            tree__status=TreeStatus.PUBLISHED,
            amount__gt=0,
        )
        .only("amount")
        .first()
    )
    if node is None:
        return None
    actual = _revenue(member.pk, month, min(last, period_end("month", month)))["amount"]
    return str((actual / node.amount * HUNDRED).quantize(CENT))


def figure_rows(figures: dict[str, Any]) -> list[tuple[Figure, Any]]:
    """(figure, value) in display order; figures without a value (no target) are left out."""
    return [(f, figures[f.key]) for f in FIGURES if figures.get(f.key) is not None]
