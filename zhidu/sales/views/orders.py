"""Order pages: the scoped list, the approval inbox, the form (fixed line rows), the detail with its history."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhidu.core.access import member_required
from zhidu.core.errors import DomainError
from zhidu.core.text import clean_query
from zhidu.org.models import LEAD_ROLES, Member

from ..models import Order, OrderStatus
from ..pricing import discount_percent
from ..selectors import catalog as catalog_selectors
from ..selectors import orders as selectors
from ..services import order_review as review
from ..services import orders as services
from ..services.orders import CreditInput, LineInput

LINE_ROWS = 5
CREDIT_ROWS = 3


def _me(request: HttpRequest) -> Member:
    return request.member  # type: ignore[attr-defined,no-any-return]


@member_required(*selectors.ORDER_READER_ROLES)
def order_list(request: HttpRequest) -> HttpResponse:
    params = clean_query(request)
    status = params.get("status", "")
    status = status if status in OrderStatus.values else ""
    qs = selectors.order_list(viewer=_me(request), status=status)
    page = Paginator(qs, settings.SALES_ORDER_PAGE_SIZE).get_page(params.get("page"))
    return render(
        request,
        "sales/orders_list.html",
        {
            "page": page,
            "status": status,
            "statuses": OrderStatus.choices,
            "can_create": _me(request).role in selectors.ORDER_WRITER_ROLES,
        },
    )


@member_required(*LEAD_ROLES)
def approvals(request: HttpRequest) -> HttpResponse:
    qs = selectors.approval_inbox(viewer=_me(request))
    page = Paginator(qs, settings.SALES_ORDER_PAGE_SIZE).get_page(clean_query(request).get("page"))
    return render(request, "sales/orders_inbox.html", {"page": page})


def _rows(post: Any, prefix: str, fields: tuple[str, ...], count: int) -> list[tuple[str, ...]]:
    """Form rows (prefix-i-field), skipping rows left entirely blank."""
    out = []
    for i in range(count):
        values = tuple((post.get(f"{prefix}-{i}-{f}") or "").strip() for f in fields)
        if any(values):
            out.append(values)
    return out


def _form_context(request: HttpRequest, order: Order | None, values: dict[str, Any] | None) -> dict[str, Any]:
    me = _me(request)
    if values is None and order is not None:
        lines = [(str(x.product_id), str(x.quantity), str(x.unit_price)) for x in order.lines.all()]
        credits = [(str(c.member_id), f"{c.percent.normalize():f}") for c in order.credits.all()]
        values = {"customer": str(order.customer_id), "note": order.note, "lines": lines, "credits": credits}
    values = values or {"customer": "", "note": "", "lines": [], "credits": [(str(me.pk), "100")]}
    line_rows = list(values["lines"]) + [("", "", "")] * max(LINE_ROWS - len(values["lines"]), 0)
    credit_rows = list(values["credits"]) + [("", "")] * max(CREDIT_ROWS - len(values["credits"]), 0)
    return {
        "order": order,
        "values": values,
        "line_rows": line_rows,
        "credit_rows": credit_rows,
        "follows": selectors.followed_customers(me),
        "products": list(catalog_selectors.product_list(viewer=me, on_sale_only=True)[:500]),
        "colleagues": selectors.credit_candidates(me),
    }


def _save(request: HttpRequest, order: Order | None) -> HttpResponse:
    me = _me(request)
    post = request.POST
    line_values = _rows(post, "line", ("product", "quantity", "unit_price"), LINE_ROWS)
    credit_values = _rows(post, "credit", ("member", "percent"), CREDIT_ROWS)
    values = {
        "customer": post.get("customer", ""),
        "note": post.get("note", ""),
        "lines": line_values,
        "credits": credit_values,
    }
    kwargs: dict[str, Any] = {
        "actor": me,
        "customer_id": values["customer"],
        "lines": [LineInput(*row) for row in line_values],
        "credits": [CreditInput(*row) for row in credit_values],
        "note": values["note"][:2000],
    }
    try:
        if order is None:
            order = services.order_create(**kwargs)
        else:
            order = services.order_update(order=order, **kwargs)
        if post.get("then") == "submit":
            services.order_submit(actor=me, order=order)
            messages.success(request, _("Order submitted for review."))
        else:
            messages.success(request, _("Draft saved."))
    except DomainError as exc:
        context = _form_context(request, order, values)
        context["error"] = exc.message
        return render(request, "sales/orders_form.html", context, status=403 if exc.code == "forbidden" else 400)
    return redirect("sales:order_detail", order.pk)


@member_required(*selectors.ORDER_WRITER_ROLES)
def order_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _save(request, None)
    return render(request, "sales/orders_form.html", _form_context(request, None, None))


@member_required(*selectors.ORDER_WRITER_ROLES)
def order_edit(request: HttpRequest, order_id: int) -> HttpResponse:
    order = selectors.order_get_for(_me(request), order_id)
    if order.submitter_id != _me(request).pk or order.status not in (OrderStatus.DRAFT, OrderStatus.REJECTED):
        return redirect("sales:order_detail", order.pk)
    if request.method == "POST":
        return _save(request, order)
    return render(request, "sales/orders_form.html", _form_context(request, order, None))


def _detail(request: HttpRequest, order: Order, *, error: str = "", status: int = 200) -> HttpResponse:
    me = _me(request)
    lines = [(line, discount_percent(line.unit_price, line.list_price)) for line in order.lines.all()]
    mine = order.submitter_id == me.pk
    is_lead = me.role in LEAD_ROLES
    can = {
        "edit": mine and order.status in (OrderStatus.DRAFT, OrderStatus.REJECTED),
        "submit": mine and order.status in (OrderStatus.DRAFT, OrderStatus.REJECTED),
        "decide": order.status == OrderStatus.SUBMITTED and review.may_decide(me, order),
        "fulfil": order.status == OrderStatus.APPROVED and (mine or is_lead),
        "cancel": (order.status in (OrderStatus.DRAFT, OrderStatus.SUBMITTED, OrderStatus.REJECTED) and mine)
        or (order.status == OrderStatus.APPROVED and is_lead and not mine),
        "refund": order.status == OrderStatus.FULFILLED and is_lead and not mine,
    }
    context = {"o": order, "lines": lines, "history": selectors.order_history(order), "can": can, "error": error}
    return render(request, "sales/orders_detail.html", context, status=status)


@member_required(*selectors.ORDER_READER_ROLES)
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    return _detail(request, selectors.order_get_for(_me(request), order_id))


ACTIONS = {
    "submit": lambda me, o, p: services.order_submit(actor=me, order=o),
    "approve": lambda me, o, p: review.order_approve(actor=me, order=o),
    "reject": lambda me, o, p: review.order_reject(actor=me, order=o, reason=p.get("reason", "")),
    "escalate": lambda me, o, p: review.order_escalate(actor=me, order=o, reason=p.get("reason", "")),
    "fulfil": lambda me, o, p: review.order_fulfil(actor=me, order=o),
    "cancel": lambda me, o, p: review.order_cancel(actor=me, order=o, reason=p.get("reason", "")),
    "refund": lambda me, o, p: review.order_refund(
        actor=me, order=o, amount=p.get("amount", ""), reason=p.get("reason", "")
    ),
}


@member_required(*selectors.ORDER_WRITER_ROLES)
@require_POST
def order_action(request: HttpRequest, order_id: int, action: str) -> HttpResponse:
    me = _me(request)
    order = selectors.order_get_for(me, order_id)
    run = ACTIONS.get(action)
    if run is None:
        return redirect("sales:order_detail", order.pk)
    try:
        run(me, order, request.POST)
    except DomainError as exc:
        fresh = selectors.order_get_for(me, order_id)
        return _detail(request, fresh, error=exc.message, status=403 if exc.code == "forbidden" else 400)
    messages.success(request, _("Done."))
    if action in ("approve", "reject", "escalate") and selectors.approval_inbox(viewer=me).exists():
        return redirect("sales:approvals")
    return redirect("sales:order_detail", order.pk)
