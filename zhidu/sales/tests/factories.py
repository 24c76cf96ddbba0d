"""Sales test data: products with policies, followed customers, orders written through the services."""

from __future__ import annotations

from decimal import Decimal

import factory

from zhidu.customers.tests.factories import FollowFactory
from zhidu.org.models import Member
from zhidu.sales.models import Order, PricePolicy, Product
from zhidu.sales.services import order_review
from zhidu.sales.services import orders as order_services
from zhidu.sales.services.orders import CreditInput, LineInput


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    code = factory.Sequence(lambda n: f"P{n:04d}")
    name = factory.Sequence(lambda n: f"产品{n}")
    category = "软件"
    list_price = Decimal("1000.00")


class PolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PricePolicy


def follow(member: Member, customer=None):  # type: ignore[no-untyped-def]
    """A customer `member` follows (a new one unless given)."""
    kwargs = {"customer": customer} if customer is not None else {}
    return FollowFactory(member=member, **kwargs).customer


def make_order(
    submitter: Member,
    *,
    product: Product | None = None,
    price: str = "1000.00",
    quantity: int = 1,
    credits: list[tuple[Member, str]] | None = None,
    submit: bool = False,
) -> Order:
    product = product or ProductFactory()
    customer = follow(submitter)
    order = order_services.order_create(
        actor=submitter,
        customer_id=customer.pk,
        lines=[LineInput(product.pk, quantity, price)],
        credits=[CreditInput(m.pk, p) for m, p in (credits or [])],
    )
    if submit:
        order = order_services.order_submit(actor=submitter, order=order)
    return order


def make_order_in(status: str, submitter: Member, *, approver: Member) -> Order:
    """An order of `submitter` (list price, so the supervisor may approve) brought to `status`."""
    order = make_order(submitter, submit=status != "draft")
    if status in ("draft", "submitted"):
        return order
    if status == "rejected":
        return order_review.order_reject(actor=approver, order=order, reason="信息不全")
    if status == "cancelled":
        return order_review.order_cancel(actor=submitter, order=order)
    order = order_review.order_approve(actor=approver, order=order)
    if status == "approved":
        return order
    order = order_review.order_fulfil(actor=submitter, order=order)
    if status == "fulfilled":
        return order
    return order_review.order_refund(actor=approver, order=order, amount="100.00", reason="部分退货")
