"""Catalog pages for the sales director and administrators: products, their price policies, category policies."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from zhidu.core.access import member_required
from zhidu.core.errors import DomainError
from zhidu.core.text import clean_query
from zhidu.org.models import Member

from ..models import PricePolicy, Product
from ..pricing import AUTHORITY_ROLES, discount_authority
from ..selectors import catalog as selectors
from ..services import catalog as services
from ..services.catalog import CATALOG_EDITOR_ROLES, PolicyInput, ProductInput

POLICY_KEYS = ("floor_price", *(f"max_discount_{r}" for r in AUTHORITY_ROLES))


def _me(request: HttpRequest) -> Member:
    return request.member  # type: ignore[attr-defined,no-any-return]


def _product_input(post: Any) -> ProductInput:
    return ProductInput(
        code=post.get("code", ""),
        name=post.get("name", ""),
        list_price=post.get("list_price", ""),
        category=post.get("category", ""),
        unit=post.get("unit", ""),
        active=post.get("active") == "on",
    )


def _policy_input(post: Any) -> PolicyInput:
    return PolicyInput(**{key: post.get(key, "") for key in POLICY_KEYS})


def _authorities(policy: PricePolicy | None) -> list[tuple[str, Any, Any]]:
    """(role, value set on the policy or None, effective authority) for the policy table."""
    return [
        (r, getattr(policy, f"max_discount_{r}", None) if policy else None, discount_authority(policy, r))
        for r in AUTHORITY_ROLES
    ]


@member_required(*CATALOG_EDITOR_ROLES)
def product_list(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    error, status = "", 200
    if request.method == "POST":
        try:
            if request.POST.get("form") == "category_policy":
                policy = services.policy_create(
                    actor=me, data=_policy_input(request.POST), category=request.POST.get("category", "")
                )
                messages.success(request, _("Price policy saved."))
                return redirect("sales:policy_detail", policy.pk)
            product = services.product_create(actor=me, data=_product_input(request.POST))
            messages.success(request, _("Product saved."))
            return redirect("sales:product_detail", product.pk)
        except DomainError as exc:
            error, status = exc.message, 400
    q = clean_query(request).get("q", "").strip()
    page = Paginator(selectors.product_list(viewer=me, q=q), 50).get_page(clean_query(request).get("page"))
    context = {
        "page": page,
        "q": q,
        "categories": selectors.category_policy_list(viewer=me),
        "error": error,
        "form": request.POST if request.method == "POST" else {},
    }
    return render(request, "sales/products_list.html", context, status=status)


@member_required(*CATALOG_EDITOR_ROLES)
def product_detail(request: HttpRequest, product_id: int) -> HttpResponse:
    me = _me(request)
    product = selectors.product_get_for(me, product_id)
    policy = PricePolicy.objects.filter(product=product).first()
    error, status = "", 200
    if request.method == "POST":
        try:
            if request.POST.get("form") == "policy":
                data = _policy_input(request.POST)
                if policy is None:
                    services.policy_create(actor=me, data=data, product=product)
                else:
                    services.policy_update(actor=me, policy=policy, data=data)
                messages.success(request, _("Price policy saved."))
            else:
                services.product_update(actor=me, product=product, data=_product_input(request.POST))
                messages.success(request, _("Product saved."))
            return redirect("sales:product_detail", product.pk)
        except DomainError as exc:
            error, status = exc.message, 400
    inherited = selectors.policies_for([product])[product.pk] if policy is None else None
    context = {
        "p": product,
        "policy": policy,
        "inherited": inherited,
        "authorities": _authorities(policy or inherited),
        "error": error,
    }
    return render(request, "sales/products_detail.html", context, status=status)


@member_required(*CATALOG_EDITOR_ROLES)
def policy_detail(request: HttpRequest, policy_id: int) -> HttpResponse:
    me = _me(request)
    policy = selectors.policy_get_for(me, policy_id)
    error, status = "", 200
    if request.method == "POST":
        try:
            services.policy_update(actor=me, policy=policy, data=_policy_input(request.POST))
            messages.success(request, _("Price policy saved."))
            return redirect("sales:policy_detail", policy.pk)
        except DomainError as exc:
            error, status = exc.message, 400
    products = (
        Product.objects.filter(category=policy.category).select_related("price_policy").order_by("code")[:100]
        if policy.category
        else []
    )
    context = {"policy": policy, "authorities": _authorities(policy), "error": error, "products": products}
    return render(request, "sales/products_policy.html", context, status=status)
