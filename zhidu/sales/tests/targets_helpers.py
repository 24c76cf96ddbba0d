"""Helpers for the targets tests: orders written straight through the ORM, and a standard tree."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from conftest import Actors
from zhidu.customers.models import Customer
from zhidu.org.models import Member
from zhidu.sales.models import Order, OrderCredit, OrderStatus, TargetNode
from zhidu.sales.services.targets import Part, target_company_set, target_split

TODAY = dt.date(2026, 12, 16)  # half of December has passed (16/31 days)
MONTH = dt.date(2026, 12, 1)
_numbers = itertools.count(1)


def make_order(
    credits: dict[Member, int | str],
    total: str,
    *,
    status: str = OrderStatus.APPROVED,
    booked_on: dt.date = MONTH,
    refund: str = "0",
) -> Order:
    n = next(_numbers)
    submitter = next(iter(credits))
    customer = Customer.objects.create(external_userid=f"wm-target-{n}", name=f"客户{n}")
    order = Order.objects.create(
        number=f"T{n:06d}",
        customer=customer,
        submitter=submitter,
        status=status,
        total=Decimal(total),
        booked_on=booked_on,
        refund_amount=Decimal(refund),
    )
    OrderCredit.objects.bulk_create(
        [OrderCredit(order=order, member=m, percent=Decimal(str(p))) for m, p in credits.items()]
    )
    return order


def standard_tree(a: Actors, *, metric: str = "revenue") -> dict[str, TargetNode]:
    """director 1000 → manager 900 (+ outsider 100) → supervisor 400, supervisor_b 400, sales 100 (direct);
    supervisor 400 → … (left unsplit here)."""
    root = target_company_set(actor=a.director, period="month", start=MONTH, metric=metric, amount="1000")
    target_split(
        actor=a.director,
        node=root,
        parts=[Part(a.manager.pk, Decimal("900")), Part(a.outsider.pk, Decimal("100"))],
    )
    manager = TargetNode.objects.get(tree=root.tree, owner=a.manager)
    target_split(
        actor=a.manager,
        node=manager,
        parts=[
            Part(a.supervisor.pk, Decimal("400")),
            Part(a.supervisor_b.pk, Decimal("400")),
            Part(a.sales.pk, Decimal("100")),
        ],
    )
    nodes = {n.owner.user.username: n for n in TargetNode.objects.filter(tree=root.tree).select_related("owner__user")}
    return nodes
