"""The price check through archive ingestion: the catalogue and price policy from `sales`, the sender's role from
`org`, the member's products from their orders; the finding becomes a `price` violation citing the regulation,
with the evidence span and the explanation in Chinese."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from zhidu.compliance.models import Violation
from zhidu.compliance.services import archive_ingest, rules_seed_default
from zhidu.compliance.services.price import on_price_policy_changed
from zhidu.compliance.services.rules import rules_engine
from zhidu.core.models import Notification
from zhidu.customers.tests.factories import CustomerFactory
from zhidu.policies.services import policy_load_demo
from zhidu.sales.models import Order, OrderLine, OrderStatus, PricePolicy, Product
from zhidu.wecom.archive import JsonlFileSource

from .factories import text_record, write_jsonl

pytestmark = pytest.mark.django_db

CUSTOMER = "wmCustomerPrice01"


@pytest.fixture
def catalogue(db):
    policy_load_demo(actor=None)
    rules_seed_default(actor=None)
    lock = Product.objects.create(code="LOCK-X1", name="智能门锁X1", aliases="门锁、X1门锁", list_price=Decimal("4000"))
    PricePolicy.objects.create(product=lock, floor_price=Decimal("3000"), max_discount_supervisor=Decimal("10"))
    robot = Product.objects.create(
        code="ROBOT-2", name="扫地机器人", aliases="扫地机", category="家电", list_price=Decimal("2000")
    )
    PricePolicy.objects.create(category="家电", max_discount_sales=Decimal("5"))
    return lock, robot


def _ingest(tmp_path, records, name="a.jsonl"):
    archive_ingest(source=JsonlFileSource(write_jsonl(tmp_path / name, records)))
    return {
        v.message.msgid: v
        for v in Violation.objects.filter(rule__code="price.authority").select_related("message", "rule")
    }


def test_salesperson_quote_beyond_authority_becomes_a_cited_violation(catalogue, actors, tmp_path):
    s = actors.sales.wecom_userid
    text = "王总您好，这款门锁给您 3200 元，今天下单明天装"
    found = _ingest(tmp_path, [text_record(s, CUSTOMER, text, msgid="quote")])
    v = found["quote"]
    assert (v.category, v.severity, v.article, v.detector) == ("price", "high", "sales-conduct#14", "price_policy")
    assert v.citation == "《销售团队管理制度》第十四条"
    assert v.cited and v.cited[0]["citation"] == v.citation
    assert v.matched == "3200 元" and text[v.start : v.end] == "3200 元"
    assert (v.member, v.supervisor) == (actors.sales, actors.supervisor)
    assert v.detail["price"] == "3200.00" and v.detail["off"] == "20.00" and v.detail["role"] == "sales"
    with translation.override("zh-hans"):
        assert v.explanation() == "报价 3,200.00 元（智能门锁X1），低于标价 4,000.00 元 20%，超出销售人员折扣权限 0%"
    # the supervisor's notification carries the explanation
    note = Notification.objects.get(recipient=actors.supervisor)
    assert "3,200.00" in note.body


def test_violation_page_and_api_show_the_explanation(catalogue, actors, tmp_path, login, django_assert_max_num_queries):
    _ingest(tmp_path, [text_record(actors.sales.wecom_userid, CUSTOMER, "门锁给您打八折", msgid="page")])
    v = Violation.objects.get(message__msgid="page", rule__code="price.authority")
    client = login(actors.supervisor)
    with django_assert_max_num_queries(30):
        page = client.get(f"/compliance/violations/{v.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "报价 3,200.00 元（智能门锁X1），低于标价 4,000.00 元 20%，超出销售人员折扣权限 0%" in page
    data = client.get(f"/api/compliance/violations/{v.pk}", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert data["detector"] == "price_policy" and data["explanation"].startswith("报价 3,200.00 元")
    # the salesperson of another team does not see it (foreign objects look missing)
    assert login(actors.sales_b).get(f"/api/compliance/violations/{v.pk}").status_code == 404


def test_roles_policy_categories_and_negatives(catalogue, actors, tmp_path):
    s, sup, d = actors.sales.wecom_userid, actors.supervisor.wecom_userid, actors.director.wecom_userid
    found = _ingest(
        tmp_path,
        [
            text_record(sup, CUSTOMER, "门锁给您打九折，这是我的权限", msgid="sup-within"),
            text_record(sup, CUSTOMER, "门锁给您打八折", msgid="sup-beyond"),
            text_record(d, CUSTOMER, "门锁给您打八折", msgid="director-within"),
            text_record(s, CUSTOMER, "扫地机九五折可以", msgid="category-within"),  # 家电: sales may give 5 %
            text_record(s, CUSTOMER, "扫地机九折", msgid="category-beyond"),
            text_record(s, CUSTOMER, "这款门锁标价4000元", msgid="list-price"),
            text_record(CUSTOMER, s, "门锁能不能3200元卖给我", msgid="customer"),
            text_record(s, CUSTOMER, "门锁公司活动价3600元，周日截止", msgid="promotion"),
            text_record(s, CUSTOMER, "空气净化器给您打八折", msgid="not-configured"),
            text_record(s, CUSTOMER, "给您打个九折吧", msgid="no-product"),  # no orders yet: no product to read it on
        ],
    )
    assert set(found) == {"sup-beyond", "category-beyond"}
    assert found["sup-beyond"].detail["authority"] == "10.00"
    assert found["category-beyond"].detail["authority"] == "5.00"


def test_members_products_from_orders_and_cache_rebuild(catalogue, actors, tmp_path):
    _lock, robot = catalogue
    s = actors.sales.wecom_userid
    order = Order.objects.create(
        number="SO-1",
        customer=CustomerFactory(),
        submitter=actors.sales,
        status=OrderStatus.APPROVED,
        total=Decimal("2000"),
        booked_on=timezone.localdate() - dt.timedelta(days=3),
    )
    OrderLine.objects.create(
        order=order, product=robot, quantity=1, unit_price=Decimal("2000"), list_price=Decimal("2000")
    )
    found = _ingest(tmp_path, [text_record(s, CUSTOMER, "给您打个九折吧", msgid="no-product")])
    v = found["no-product"]
    assert v.detail["product"] == "ROBOT-2" and v.detail["from_member"] is True
    assert v.confidence == pytest.approx(0.8)

    # a policy change rebuilds the engine on the next scan (the cache key follows the catalogue)
    before, _codes = rules_engine()
    PricePolicy.objects.filter(category="家电").update(max_discount_sales=Decimal("15"))  # no save(): no updated_at
    assert rules_engine()[0] is before
    on_price_policy_changed()  # what `sales.price_policy_changed` does
    assert rules_engine()[0] is not before
    found = _ingest(tmp_path, [text_record(s, CUSTOMER, "给您打个九折吧", msgid="no-product-2")], name="b.jsonl")
    assert "no-product-2" not in found


def test_explanation_below_the_floor_in_chinese():
    from zhidu.compliance.models import price_explanation

    detail = {
        "check": "price_policy",
        "product_name": "智能门锁X1",
        "role": "manager",
        "price": "2900.00",
        "list_price": "4000",
        "off": "27.50",
        "authority": "10",
        "floor": "3000",
        "below_floor": True,
    }
    with translation.override("zh-hans"):
        assert price_explanation(detail) == (
            "报价 2,900.00 元（智能门锁X1），低于标价 4,000.00 元 27.5%，且低于底价 3,000.00 元，仅销售总监可以批准"
        )
        assert price_explanation({"check": "other"}) == ""
