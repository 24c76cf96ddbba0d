"""Order and catalog pages: bounded queries, the form's errors in Chinese naming the row, history on the detail."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import override_settings

from zhidu.core.models import AuditEvent
from zhidu.sales.models import Order, PricePolicy, Product

from .factories import ProductFactory, follow, make_order

DEFAULTS = {"sales": Decimal(0), "supervisor": Decimal(5), "manager": Decimal(10), "director": Decimal(20)}
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture(autouse=True)
def _defaults():
    with override_settings(SALES_DISCOUNT_DEFAULTS=DEFAULTS):
        yield


def test_list_inbox_and_detail_queries_are_bounded(actors, login, django_assert_max_num_queries):
    product = ProductFactory()
    orders = [make_order(actors.sales, product=product, submit=True) for _ in range(12)]
    client = login(actors.supervisor)
    with django_assert_max_num_queries(12):
        resp = client.get("/sales/orders/")
    assert resp.status_code == 200 and resp.context["page"].paginator.count == 12
    with django_assert_max_num_queries(12):
        resp = client.get("/sales/approvals/")
    assert resp.context["page"].paginator.count == 12
    with django_assert_max_num_queries(25):
        resp = client.get(f"/sales/orders/{orders[0].pk}/")
    body = resp.content.decode()
    assert "提交审批" in body and 'data-testid="approve"' in body


def test_list_is_paginated_with_a_total(actors, login):
    product = ProductFactory()
    for _ in range(3):
        make_order(actors.sales, product=product)
    with override_settings(SALES_ORDER_PAGE_SIZE=2):
        resp = login(actors.sales).get("/sales/orders/?page=2")
    assert resp.context["page"].paginator.count == 3 and len(resp.context["page"].object_list) == 1


def _form(customer_obj, product, **extra):
    data = {
        "customer": customer_obj.pk,
        "line-0-product": product.pk,
        "line-0-quantity": "2",
        "line-0-unit_price": "1000.00",
        "credit-0-member": "",
        "credit-0-percent": "",
        "then": "submit",
    }
    data.update(extra)
    return data


def test_form_creates_and_submits(actors, login):
    product = ProductFactory()
    customer = follow(actors.sales)
    resp = login(actors.sales).post("/sales/orders/new/", _form(customer, product))
    order = Order.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/sales/orders/{order.pk}/"
    assert order.status == "submitted" and order.total == Decimal("2000.00") and order.reviewer == actors.supervisor


@pytest.mark.parametrize(
    "extra, needle",
    [
        ({"line-0-quantity": "0"}, "第1行：数量"),
        ({"line-1-product": "P", "line-1-quantity": "-3", "line-1-unit_price": "5"}, "第2行：数量"),
        ({"credit-0-member": "S", "credit-0-percent": "80"}, "合计必须为 100%"),
        ({"customer": "C"}, "不是该客户的跟进人"),
    ],
)
def test_form_errors_in_chinese_and_nothing_written(actors, login, extra, needle):
    product = ProductFactory()
    customer = follow(actors.sales)
    other = follow(actors.sales_b)
    subs = {"P": str(product.pk), "S": str(actors.sales.pk), "C": str(other.pk)}
    extra = {k: subs.get(v, v) for k, v in extra.items()}
    before = (Order.objects.count(), AuditEvent.objects.count())
    resp = login(actors.sales).post("/sales/orders/new/", _form(customer, product, **extra), **ZH)
    assert resp.status_code == 400
    assert needle in resp.content.decode()
    assert (Order.objects.count(), AuditEvent.objects.count()) == before


def test_detail_shows_the_history(actors, login):
    order = make_order(actors.sales, price="920.00", submit=True)
    client = login(actors.supervisor)
    resp = client.post(f"/sales/orders/{order.pk}/approve/", **ZH)
    assert resp.status_code == 403 and "只能将订单" in resp.content.decode()
    client.post(f"/sales/orders/{order.pk}/escalate/", {"reason": "超权限"})
    body = login(actors.manager).get(f"/sales/orders/{order.pk}/", **ZH).content.decode()
    assert "创建了草稿" in body and "提交审批" in body and "上报 → 钱经理" in body and "超权限" in body


def test_catalog_pages_edit_product_and_policy(actors, login):
    client = login(actors.director)
    client.post(
        "/sales/products/", {"form": "product", "code": "A1", "name": "甲", "list_price": "100", "active": "on"}
    )
    product = Product.objects.get(code="A1")
    resp = client.post(
        f"/sales/products/{product.pk}/",
        {"form": "policy", "floor_price": "90", "max_discount_supervisor": "8", "max_discount_manager": "6"},
        **ZH,
    )
    assert resp.status_code == 400 and "上级角色的折扣权限不能低于下级" in resp.content.decode()
    assert not PricePolicy.objects.exists()
    resp = client.post(
        f"/sales/products/{product.pk}/", {"form": "policy", "floor_price": "90", "max_discount_supervisor": "8"}
    )
    assert resp.status_code == 302
    policy = PricePolicy.objects.get(product=product)
    assert policy.floor_price == Decimal("90.00") and policy.max_discount_supervisor == Decimal("8.00")
    assert policy.max_discount_manager is None
    resp = client.post("/sales/products/", {"form": "category_policy", "category": "硬件", "max_discount_sales": "2"})
    assert resp.status_code == 302 and PricePolicy.objects.filter(category="硬件").exists()
    resp = client.post("/sales/products/", {"form": "product", "code": "A1", "name": "重复", "list_price": "1"}, **ZH)
    assert resp.status_code == 400 and "已被其他产品使用" in resp.content.decode()
    assert set(AuditEvent.objects.values_list("verb", flat=True)) == {"product.create", "price_policy.create"}


def test_approvals_badge_in_the_navigation(actors, login):
    make_order(actors.sales, submit=True)
    make_order(actors.sales, submit=True)
    nav = {i["url"]: i for i in login(actors.supervisor).get("/sales/orders/").context["nav"]}
    assert nav["/sales/approvals/"]["badge"] == "2"
    nav = {i["url"]: i for i in login(actors.sales).get("/sales/orders/").context["nav"]}
    assert "/sales/approvals/" not in nav and "/sales/orders/" in nav and "/sales/products/" not in nav
