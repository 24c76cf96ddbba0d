"""The demo step: products with policies and orders in every state, written once."""

from __future__ import annotations

from zhidu.sales.demo import seed_demo_orders
from zhidu.sales.models import Order, OrderStatus, PricePolicy, Product


def test_demo_orders_in_every_state_and_idempotent(actors):
    seed_demo_orders()
    assert Product.objects.count() == 4 and PricePolicy.objects.count() == 2
    assert set(Order.objects.values_list("status", flat=True)) == set(OrderStatus.values)
    escalated = Order.objects.filter(status="submitted").exclude(reviewer__role="supervisor")
    assert {o.reviewer.role for o in escalated} == {"manager", "director"}
    counts = (Product.objects.count(), Order.objects.count())
    seed_demo_orders()
    assert (Product.objects.count(), Order.objects.count()) == counts
