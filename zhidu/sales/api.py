"""REST: /api/sales/ (products, price policies, orders and their review), scoped to the asking member."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext_noop
from ninja import Query, Router, Schema
from ninja.responses import Status

from zhidu.core.errors import DomainError
from zhidu.core.schemas import FilterText, FreeText, Id, PageIn, SearchText, Text, paginate
from zhidu.org.models import LEAD_ROLES, Member

from .models import Order, OrderStatus, PricePolicy, Product
from .selectors import catalog as catalog_selectors
from .selectors import orders as order_selectors
from .services import catalog as catalog_services
from .services import order_review as review
from .services import orders as order_services
from .services.catalog import PolicyInput, ProductInput
from .services.orders import CreditInput, LineInput

router = Router(tags=["sales"])

ERR_FORBIDDEN = gettext_noop("You may not use this part of the sales API.")
Money = Annotated[str, Text(32, min_length=1)]  # "1234.50": a decimal string, never a float
Percent = Annotated[str, Text(16)]


def _me(request: HttpRequest) -> Member:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _require(member: Member, roles: tuple[str, ...]) -> None:
    if member.role not in roles:
        raise DomainError(ERR_FORBIDDEN, code="forbidden")


# --- catalog -----------------------------------------------------------------------------------------------


class PricePolicyOut(Schema):
    id: int
    product_id: int | None
    category: str
    floor_price: Decimal | None
    max_discount_sales: Decimal | None
    max_discount_supervisor: Decimal | None
    max_discount_manager: Decimal | None
    max_discount_director: Decimal | None


class PricePolicyIn(Schema):
    """Blank or null: the company default for a discount, no floor for the floor price."""

    floor_price: Annotated[str, Text(32)] | None = None
    max_discount_sales: Percent | None = None
    max_discount_supervisor: Percent | None = None
    max_discount_manager: Percent | None = None
    max_discount_director: Percent | None = None


class CategoryPricePolicyIn(PricePolicyIn):
    category: Annotated[str, Text(100, min_length=1)]


class ProductOut(Schema):
    id: int
    code: str
    name: str
    category: str
    unit: str
    list_price: Decimal
    active: bool
    policy: PricePolicyOut | None = None


class ProductIn(Schema):
    code: Annotated[str, Text(40, min_length=1)]
    name: Annotated[str, Text(200, min_length=1)]
    list_price: Money
    category: Annotated[str, Text(100)] = ""
    unit: Annotated[str, Text(20)] = ""
    active: bool = True


def _product_out(p: Product) -> dict[str, Any]:
    policy = getattr(p, "price_policy", None) if hasattr(p, "price_policy") else None
    return {
        "id": p.pk,
        "code": p.code,
        "name": p.name,
        "category": p.category,
        "unit": p.unit,
        "list_price": p.list_price,
        "active": p.active,
        "policy": policy,
    }


def _product_input(data: ProductIn) -> ProductInput:
    return ProductInput(**data.dict())


def _policy_input(data: PricePolicyIn) -> PolicyInput:
    fields = ("floor_price", "max_discount_sales", "max_discount_supervisor", "max_discount_manager")
    return PolicyInput(**{f: getattr(data, f) for f in (*fields, "max_discount_director")})


@router.get("/products", response=list[ProductOut])
def product_list(request: HttpRequest, page: Query[PageIn], q: SearchText = ""):  # type: ignore[no-untyped-def]
    qs = catalog_selectors.product_list(viewer=_me(request), q=q)
    return [_product_out(p) for p in paginate(qs, page)]


@router.post("/products", response={201: ProductOut})
def product_create(request: HttpRequest, data: ProductIn):  # type: ignore[no-untyped-def]
    product = catalog_services.product_create(actor=_me(request), data=_product_input(data))
    return Status(201, _product_out(product))


@router.get("/products/{product_id}", response=ProductOut)
def product_detail(request: HttpRequest, product_id: int):  # type: ignore[no-untyped-def]
    return _product_out(catalog_selectors.product_get_for(_me(request), product_id))


@router.put("/products/{product_id}", response=ProductOut)
def product_update(request: HttpRequest, product_id: int, data: ProductIn):  # type: ignore[no-untyped-def]
    me = _me(request)
    product = catalog_selectors.product_get_for(me, product_id)
    return _product_out(catalog_services.product_update(actor=me, product=product, data=_product_input(data)))


@router.put("/products/{product_id}/policy", response=PricePolicyOut)
def product_policy_set(request: HttpRequest, product_id: int, data: PricePolicyIn):  # type: ignore[no-untyped-def]
    """Create or replace the product's own price policy."""
    me = _me(request)
    product = catalog_selectors.product_get_for(me, product_id)
    existing = PricePolicy.objects.filter(product=product).first()
    if existing is None:
        return catalog_services.policy_create(actor=me, data=_policy_input(data), product=product)
    return catalog_services.policy_update(actor=me, policy=existing, data=_policy_input(data))


@router.get("/policies", response=list[PricePolicyOut])
def category_policy_list(request: HttpRequest, page: Query[PageIn]):  # type: ignore[no-untyped-def]
    return paginate(catalog_selectors.category_policy_list(viewer=_me(request)), page)


@router.post("/policies", response={201: PricePolicyOut})
def category_policy_create(request: HttpRequest, data: CategoryPricePolicyIn):  # type: ignore[no-untyped-def]
    policy = catalog_services.policy_create(actor=_me(request), data=_policy_input(data), category=data.category)
    return Status(201, policy)


@router.put("/policies/{policy_id}", response=PricePolicyOut)
def policy_update(request: HttpRequest, policy_id: int, data: PricePolicyIn):  # type: ignore[no-untyped-def]
    me = _me(request)
    policy = catalog_selectors.policy_get_for(me, policy_id)
    return catalog_services.policy_update(actor=me, policy=policy, data=_policy_input(data))


# --- orders ------------------------------------------------------------------------------------------------


class OrderLineIn(Schema):
    product_id: Id
    quantity: int
    unit_price: Money


class OrderCreditIn(Schema):
    member_id: Id
    percent: Money


class OrderIn(Schema):
    customer_id: Id
    lines: list[OrderLineIn]
    credits: list[OrderCreditIn] = []  # empty: 100% for the submitter
    note: FreeText = ""


class OrderLineOut(Schema):
    product_id: int
    product_name: str
    quantity: int
    unit_price: Decimal
    list_price: Decimal


class OrderCreditOut(Schema):
    member_id: int
    member_name: str
    percent: Decimal


class OrderBrief(Schema):
    id: int
    number: str
    status: str
    customer_id: int
    customer_name: str
    submitter_id: int
    submitter_name: str
    total: Decimal
    reviewer_id: int | None
    required_role: str
    submitted_at: dt.datetime | None
    booked_on: dt.date | None
    refund_amount: Decimal


class OrderOut(OrderBrief):
    note: str
    decided_by_id: int | None
    decided_at: dt.datetime | None
    reject_reason: str
    fulfilled_at: dt.datetime | None
    refunded_at: dt.datetime | None
    lines: list[OrderLineOut]
    credits: list[OrderCreditOut]


class OrderPage(Schema):
    count: int  # all matching orders, not just this page
    items: list[OrderBrief]


class OrderReasonIn(Schema):
    reason: FreeText = ""


class OrderRefundIn(Schema):
    amount: Money
    reason: FreeText


def _brief(o: Order) -> dict[str, Any]:
    return {
        "id": o.pk,
        "number": o.number,
        "status": o.status,
        "customer_id": o.customer_id,
        "customer_name": str(o.customer),
        "submitter_id": o.submitter_id,
        "submitter_name": o.submitter.name,
        "total": o.total,
        "reviewer_id": o.reviewer_id,
        "required_role": o.required_role,
        "submitted_at": o.submitted_at,
        "booked_on": o.booked_on,
        "refund_amount": o.refund_amount,
    }


def _full(o: Order) -> dict[str, Any]:
    return {
        **_brief(o),
        "note": o.note,
        "decided_by_id": o.decided_by_id,
        "decided_at": o.decided_at,
        "reject_reason": o.reject_reason,
        "fulfilled_at": o.fulfilled_at,
        "refunded_at": o.refunded_at,
        "lines": [
            {
                "product_id": x.product_id,
                "product_name": x.product.name,
                "quantity": x.quantity,
                "unit_price": x.unit_price,
                "list_price": x.list_price,
            }
            for x in o.lines.all()
        ],
        "credits": [
            {"member_id": c.member_id, "member_name": c.member.name, "percent": c.percent} for c in o.credits.all()
        ],
    }


def _detail(me: Member, order_id: int) -> dict[str, Any]:
    return _full(order_selectors.order_get_for(me, order_id))


def _order_kwargs(me: Member, data: OrderIn) -> dict[str, Any]:
    return {
        "actor": me,
        "customer_id": data.customer_id,
        "lines": [LineInput(x.product_id, x.quantity, x.unit_price) for x in data.lines],
        "credits": [CreditInput(c.member_id, c.percent) for c in data.credits],
        "note": data.note,
    }


@router.get("/orders", response=OrderPage)
def order_list(request: HttpRequest, page: Query[PageIn], status: FilterText = ""):  # type: ignore[no-untyped-def]
    """Newest first; `after` is the id of the last order of the previous page; `count` counts them all."""
    me = _me(request)
    _require(me, order_selectors.ORDER_READER_ROLES)
    qs = order_selectors.order_list(viewer=me, status=status if status in OrderStatus.values else "")
    return {"count": qs.count(), "items": [_brief(o) for o in paginate(qs, page, descending=True)]}


@router.get("/approvals", response=OrderPage)
def approval_list(request: HttpRequest, page: Query[PageIn]):  # type: ignore[no-untyped-def]
    """Orders waiting for the asking lead's decision."""
    me = _me(request)
    _require(me, LEAD_ROLES)
    qs = order_selectors.approval_inbox(viewer=me)
    return {"count": qs.count(), "items": [_brief(o) for o in paginate(qs, page)]}


@router.post("/orders", response={201: OrderOut})
def order_create(request: HttpRequest, data: OrderIn):  # type: ignore[no-untyped-def]
    me = _me(request)
    order = order_services.order_create(**_order_kwargs(me, data))
    return Status(201, _detail(me, order.pk))


@router.get("/orders/{order_id}", response=OrderOut)
def order_detail(request: HttpRequest, order_id: int):  # type: ignore[no-untyped-def]
    me = _me(request)
    _require(me, order_selectors.ORDER_READER_ROLES)
    return _detail(me, order_id)


@router.put("/orders/{order_id}", response=OrderOut)
def order_update(request: HttpRequest, order_id: int, data: OrderIn):  # type: ignore[no-untyped-def]
    """Replace a draft's (or a rejected order's) customer, lines, credits and note."""
    me = _me(request)
    order = order_selectors.order_get_for(me, order_id)
    order_services.order_update(order=order, **_order_kwargs(me, data))
    return _detail(me, order_id)


def _transition(request: HttpRequest, order_id: int, run: Any) -> dict[str, Any]:
    me = _me(request)
    order = order_selectors.order_get_for(me, order_id)
    run(me, order)
    return _detail(me, order_id)


@router.post("/orders/{order_id}/submit", response=OrderOut)
def order_submit(request: HttpRequest, order_id: int):  # type: ignore[no-untyped-def]
    return _transition(request, order_id, lambda me, o: order_services.order_submit(actor=me, order=o))


@router.post("/orders/{order_id}/approve", response=OrderOut)
def order_approve(request: HttpRequest, order_id: int):  # type: ignore[no-untyped-def]
    return _transition(request, order_id, lambda me, o: review.order_approve(actor=me, order=o))


@router.post("/orders/{order_id}/reject", response=OrderOut)
def order_reject(request: HttpRequest, order_id: int, data: OrderReasonIn):  # type: ignore[no-untyped-def]
    return _transition(request, order_id, lambda me, o: review.order_reject(actor=me, order=o, reason=data.reason))


@router.post("/orders/{order_id}/escalate", response=OrderOut)
def order_escalate(request: HttpRequest, order_id: int, data: OrderReasonIn):  # type: ignore[no-untyped-def]
    return _transition(request, order_id, lambda me, o: review.order_escalate(actor=me, order=o, reason=data.reason))


@router.post("/orders/{order_id}/fulfil", response=OrderOut)
def order_fulfil(request: HttpRequest, order_id: int):  # type: ignore[no-untyped-def]
    return _transition(request, order_id, lambda me, o: review.order_fulfil(actor=me, order=o))


@router.post("/orders/{order_id}/cancel", response=OrderOut)
def order_cancel(request: HttpRequest, order_id: int, data: OrderReasonIn):  # type: ignore[no-untyped-def]
    return _transition(request, order_id, lambda me, o: review.order_cancel(actor=me, order=o, reason=data.reason))


@router.post("/orders/{order_id}/refund", response=OrderOut)
def order_refund(request: HttpRequest, order_id: int, data: OrderRefundIn):  # type: ignore[no-untyped-def]
    return _transition(
        request,
        order_id,
        lambda me, o: review.order_refund(actor=me, order=o, amount=data.amount, reason=data.reason),
    )


# --- targets: their own module, mounted at /api/sales/targets ---------------------------------------------
from .api_targets import router as targets_router  # noqa: E402

router.add_router("/targets", targets_router)
