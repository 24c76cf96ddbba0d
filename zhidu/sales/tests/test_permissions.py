"""One table per surface: every sales page and endpoint against every canonical actor.

The order belongs to `sales` (reports to `supervisor`, department 销售一部 under `manager`), at list price, so the
supervisor reviews it and any lead above may step in. Denied writes also assert that nothing changed.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import override_settings

from conftest import ACTOR_NAMES
from zhidu.core.models import AuditEvent
from zhidu.org import services as org_services
from zhidu.sales.models import Order, PricePolicy, Product

from .factories import PolicyFactory, ProductFactory, follow, make_order

ALL = set(ACTOR_NAMES)
SEES_SALES = {"director", "manager", "supervisor", "sales", "compliance"}
DECIDES_SALES = {"director", "manager", "supervisor"}
WRITERS = ALL - {"compliance", "admin"}
LEADS = {"director", "manager", "supervisor", "supervisor_b"}
CATALOG = {"director", "admin"}
DEFAULTS = {"sales": Decimal(0), "supervisor": Decimal(5), "manager": Decimal(10), "director": Decimal(20)}


@pytest.fixture(autouse=True)
def _defaults():
    with override_settings(SALES_DISCOUNT_DEFAULTS=DEFAULTS):
        yield


@pytest.fixture
def order(actors):
    return make_order(actors.sales, submit=True)


def snapshot():
    return (
        AuditEvent.objects.count(),
        sorted(Order.objects.values_list("pk", "status", "reviewer_id", "decided_by_id", "total")),
        sorted(Product.objects.values_list("pk", "code", "list_price")),
        PricePolicy.objects.count(),
    )


PAGES = [
    ("/sales/orders/", ALL - {"admin"}),
    ("/sales/orders/?status=submitted&page=2", ALL - {"admin"}),
    ("/sales/orders/{o}/", SEES_SALES),
    ("/sales/orders/new/", WRITERS),
    ("/sales/approvals/", LEADS),
    ("/sales/products/", CATALOG),
    ("/sales/products/{p}/", CATALOG),
    ("/sales/policies/{c}/", CATALOG),
]


@pytest.mark.parametrize("actor", ACTOR_NAMES)
@pytest.mark.parametrize("url, allowed", PAGES, ids=[p[0] for p in PAGES])
def test_pages(actors, login, order, actor, url, allowed):
    category = PolicyFactory(category="软件")
    product = order.lines.get().product
    resp = login(actors.by_name(actor)).get(url.format(o=order.pk, p=product.pk, c=category.pk))
    if actor in allowed:
        assert resp.status_code == 200
    else:
        assert resp.status_code in (403, 404)


def test_pages_require_login(client, order):
    for url, _allowed in PAGES:
        resp = client.get(url.format(o=order.pk, p=1, c=1))
        assert resp.status_code == 302 and "/login/" in resp["Location"]


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_order_list_is_scoped(actors, login, order, actor):
    make_order(actors.sales_b)
    make_order(actors.outsider)
    resp = login(actors.by_name(actor)).get("/sales/orders/")
    if actor == "admin":
        assert resp.status_code == 403
        return
    shown = {o.submitter.name for o in resp.context["page"]}
    expected = {
        "director": {"周销售", "吴销售", "冯外人"},
        "compliance": {"周销售", "吴销售", "冯外人"},
        "manager": {"周销售", "吴销售"},
        "supervisor": {"周销售"},
        "sales": {"周销售"},
        "supervisor_b": {"吴销售"},
        "sales_b": {"吴销售"},
        "outsider": {"冯外人"},
    }[actor]
    assert shown == expected
    assert resp.context["page"].paginator.count == len(expected)


def test_edit_page_only_for_the_submitters_draft(actors, login):
    draft = make_order(actors.sales)
    assert login(actors.sales).get(f"/sales/orders/{draft.pk}/edit/").status_code == 200
    assert login(actors.supervisor).get(f"/sales/orders/{draft.pk}/edit/").status_code == 302
    assert login(actors.sales_b).get(f"/sales/orders/{draft.pk}/edit/").status_code == 404


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_approve_page_post(actors, login, order, actor):
    before = snapshot()
    resp = login(actors.by_name(actor)).post(f"/sales/orders/{order.pk}/approve/")
    order.refresh_from_db()
    if actor in DECIDES_SALES:
        assert resp.status_code == 302
        assert order.status == "approved" and order.decided_by == actors.by_name(actor)
    else:
        assert resp.status_code in (403, 404)
        assert snapshot() == before


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_product_create_page_post(actors, login, actor):
    before = snapshot()
    resp = login(actors.by_name(actor)).post(
        "/sales/products/",
        {"form": "product", "code": "NEW-1", "name": "新产品", "list_price": "99.50", "active": "on"},
    )
    if actor in CATALOG:
        assert resp.status_code == 302
        assert Product.objects.get(code="NEW-1").list_price == Decimal("99.50")
        assert AuditEvent.objects.filter(verb="product.create").exists()
    else:
        assert resp.status_code == 403 and snapshot() == before


# ----------------------------------------------------------------------------------------------- API


def bearer(member):
    _token, key = org_services.api_token_create(actor=member, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_api_list_and_detail(client, actors, order, actor):
    auth = bearer(actors.by_name(actor))
    listed = client.get("/api/sales/orders?limit=10", **auth)
    detail = client.get(f"/api/sales/orders/{order.pk}", **auth)
    if actor == "admin":
        assert listed.status_code == 403 and detail.status_code == 403
        return
    assert listed.status_code == 200
    ids = [o["id"] for o in listed.json()["items"]]
    assert (order.pk in ids) == (actor in SEES_SALES)
    assert listed.json()["count"] == len(ids)
    if actor in SEES_SALES:
        body = detail.json()
        assert detail.status_code == 200 and body["number"] == order.number and body["lines"][0]["quantity"] == 1
    else:
        assert detail.status_code == 404


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_api_approve(client, actors, order, actor):
    before = snapshot()
    resp = client.post(f"/api/sales/orders/{order.pk}/approve", **bearer(actors.by_name(actor)))
    if actor in DECIDES_SALES:
        assert resp.status_code == 200 and resp.json()["status"] == "approved"
        assert resp.json()["booked_on"] is not None
    else:
        assert resp.status_code in (403, 404)
        assert snapshot()[1:] == before[1:]


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_api_approvals_inbox(client, actors, order, actor):
    resp = client.get("/api/sales/approvals", **bearer(actors.by_name(actor)))
    if actor in LEADS:
        assert resp.status_code == 200
        assert [o["id"] for o in resp.json()["items"]] == ([order.pk] if actor == "supervisor" else [])
    else:
        assert resp.status_code == 403


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_api_product_create(client, actors, actor):
    before = snapshot()
    resp = client.post(
        "/api/sales/products",
        {"code": "API-1", "name": "接口产品", "list_price": "120.00"},
        content_type="application/json",
        **bearer(actors.by_name(actor)),
    )
    if actor in CATALOG:
        assert resp.status_code == 201 and resp.json()["list_price"] == "120.00"
    else:
        assert resp.status_code == 403 and snapshot()[1:] == before[1:]


def test_api_order_flow_with_escalation(client, actors):
    product = ProductFactory(list_price=Decimal("1000.00"))
    customer = follow(actors.sales)
    payload = {"customer_id": customer.pk, "lines": [{"product_id": product.pk, "quantity": 2, "unit_price": "920.00"}]}
    created = client.post("/api/sales/orders", payload, content_type="application/json", **bearer(actors.sales))
    assert created.status_code == 201, created.content
    oid = created.json()["id"]
    assert created.json()["total"] == "1840.00" and created.json()["credits"][0]["percent"] == "100.00"
    submitted = client.post(f"/api/sales/orders/{oid}/submit", **bearer(actors.sales)).json()
    assert submitted["status"] == "submitted" and submitted["required_role"] == "manager"
    sup = bearer(actors.supervisor)
    denied = client.post(f"/api/sales/orders/{oid}/approve", HTTP_ACCEPT_LANGUAGE="zh-hans", **sup)
    assert denied.status_code == 403 and "第1行" in denied.json()["detail"] and denied.json()["field"] == "lines.1"
    escalated = client.post(
        f"/api/sales/orders/{oid}/escalate", {"reason": "超权限"}, content_type="application/json", **sup
    )
    assert escalated.json()["reviewer_id"] == actors.manager.pk
    approved = client.post(f"/api/sales/orders/{oid}/approve", **bearer(actors.manager))
    assert approved.status_code == 200 and approved.json()["status"] == "approved"


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"lines": [{"product_id": "P", "quantity": 0, "unit_price": "1.00"}]}, "lines.1.quantity"),
        (
            {
                "lines": [{"product_id": "P", "quantity": 1, "unit_price": "1.00"}],
                "credits": [{"member_id": "S", "percent": "50"}],
            },
            "credits",
        ),
    ],
)
def test_api_bad_input_in_chinese(client, actors, payload, field):
    product = ProductFactory()
    customer = follow(actors.sales)
    for line in payload["lines"]:
        line["product_id"] = product.pk
    for credit in payload.get("credits", []):
        credit["member_id"] = actors.sales.pk
    before = snapshot()
    resp = client.post(
        "/api/sales/orders",
        {"customer_id": customer.pk, **payload},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
        **bearer(actors.sales),
    )
    assert resp.status_code == 400 and resp.json()["field"] == field
    assert any("\u4e00" <= ch <= "\u9fff" for ch in resp.json()["detail"])
    assert snapshot()[1:] == before[1:]
