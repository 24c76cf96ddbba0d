"""Demo data for `make run`: products with price policies, and orders in every state for the demo company.

Idempotent: products are matched by code, and orders are only written when the company has none. Orders go
through the services (audited, notified) as the demo members would write and review them.
"""

from __future__ import annotations

import logging

from django.db import transaction

from zhidu.customers.models import FollowRelation
from zhidu.customers.services import CustomerData, FollowData, customers_apply
from zhidu.org.models import Member, MemberStatus, Role

from .models import Order, PricePolicy, Product
from .services import catalog, order_review
from .services import orders as order_services
from .services.catalog import PolicyInput, ProductInput
from .services.orders import LineInput

log = logging.getLogger(__name__)

PRODUCTS = [
    ("CRM-STD", "企业微信客户管理系统 标准版", "软件", "套", "12800.00"),
    ("CRM-PRO", "企业微信客户管理系统 专业版", "软件", "套", "29800.00"),
    ("SVC-TRAIN", "销售团队实战培训（两天）", "服务", "场", "8000.00"),
    ("HW-SCAN", "门店扫码收银一体机", "硬件", "台", "3600.00"),
]


def _catalog(director: Member) -> dict[str, Product]:
    products = {p.code: p for p in Product.objects.filter(code__in=[row[0] for row in PRODUCTS])}
    for code, name, category, unit, price in PRODUCTS:
        if code not in products:
            data = ProductInput(code=code, name=name, category=category, unit=unit, list_price=price)
            products[code] = catalog.product_create(actor=director, data=data)
    if not PricePolicy.objects.filter(product=products["CRM-PRO"]).exists():
        catalog.policy_create(
            actor=director,
            product=products["CRM-PRO"],
            data=PolicyInput(floor_price="25000.00", max_discount_supervisor="3"),
        )
    if not PricePolicy.objects.filter(product__isnull=True, category="硬件").exists():
        catalog.policy_create(actor=director, category="硬件", data=PolicyInput(max_discount_sales="2"))
    return products


def _ensure_follows(sellers: list[Member]) -> None:
    """Without synced customers (no simulator), give each demo seller two customers of their own."""
    missing = [m for m in sellers if m.wecom_userid and not FollowRelation.objects.active().filter(member=m).exists()]
    if not missing:
        return
    customers, follows = [], []
    for i, member in enumerate(missing):
        for j in range(2):
            ext = f"wmdemo{member.pk:04d}{j}"
            customers.append(
                CustomerData(external_userid=ext, name=f"演示客户{i * 2 + j + 1}", corp_name="演示贸易公司")
            )
            follows.append(FollowData(external_userid=ext, userid=str(member.wecom_userid), remark="演示"))
    customers_apply(customers=customers, follows=follows, actor_label="demo")


def _customer_of(member: Member, n: int) -> int:
    rows = list(
        FollowRelation.objects.active().filter(member=member).order_by("id").values_list("customer_id", flat=True)[:3]
    )
    return rows[n % len(rows)]


@transaction.atomic
def seed_demo_orders() -> None:
    director = Member.objects.filter(role=Role.DIRECTOR, status=MemberStatus.ACTIVE).order_by("id").first()
    if director is None:
        return
    products = _catalog(director)
    if Order.objects.exists():
        return
    sellers = list(
        Member.objects.filter(role=Role.SALES, status=MemberStatus.ACTIVE, reports_to__role=Role.SUPERVISOR)
        .select_related("reports_to")
        .order_by("id")[:4]
    )
    if not sellers:
        return
    _ensure_follows(sellers)
    sellers = [m for m in sellers if FollowRelation.objects.active().filter(member=m).exists()]
    if not sellers:
        return
    std, pro, train, scan = (products[c] for c in ("CRM-STD", "CRM-PRO", "SVC-TRAIN", "HW-SCAN"))
    plans = [
        # (state, product, quantity, unit price): list price → the supervisor decides; 8% off → the manager
        ("draft", std, 1, "12800.00"),
        ("submitted", std, 2, "12500.00"),
        ("escalated", train, 3, "7360.00"),
        ("to_director", pro, 1, "24000.00"),
        ("approved", pro, 1, "29800.00"),
        ("approved", scan, 10, "3600.00"),
        ("rejected", std, 1, "12800.00"),
        ("fulfilled", train, 1, "8000.00"),
        ("fulfilled", std, 3, "12800.00"),
        ("cancelled", scan, 2, "3600.00"),
        ("refunded", std, 2, "12800.00"),
    ]
    for i, (state, product, quantity, price) in enumerate(plans):
        seller = sellers[i % len(sellers)]
        order = order_services.order_create(
            actor=seller,
            customer_id=_customer_of(seller, i),
            lines=[LineInput(product.pk, quantity, price)],
            note="演示订单",
        )
        if state == "draft":
            continue
        if state == "cancelled":
            order_review.order_cancel(actor=seller, order=order, reason="客户暂缓采购")
            continue
        order = order_services.order_submit(actor=seller, order=order)
        reviewer = order.reviewer
        assert reviewer is not None
        if state == "submitted":
            continue
        if state in ("escalated", "to_director"):
            order_review.order_escalate(actor=reviewer, order=order, reason="折扣超出我的权限")
            continue
        if state == "rejected":
            order_review.order_reject(actor=reviewer, order=order, reason="客户抬头与合同不一致，请核对")
            continue
        order = order_review.order_approve(actor=reviewer, order=order)
        if state == "approved":
            continue
        order = order_review.order_fulfil(actor=seller, order=order)
        if state == "refunded":
            order_review.order_refund(actor=reviewer, order=order, amount=str(product.list_price), reason="退回一套")
    log.info("demo orders written: %d", Order.objects.count())
