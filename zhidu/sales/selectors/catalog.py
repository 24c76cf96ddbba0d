"""Reads of products and price policies."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from zhidu.core.errors import NotFound
from zhidu.org.models import Member, Role

from ..models import PricePolicy, Product

# Who may read the catalog: everyone who sells or reviews sales, and the people who configure it.
CATALOG_READER_ROLES = (Role.DIRECTOR, Role.MANAGER, Role.SUPERVISOR, Role.SALES, Role.COMPLIANCE, Role.ADMIN)


def can_read_catalog(member: Member | None) -> bool:
    return member is not None and member.is_active and member.role in CATALOG_READER_ROLES


def product_list(*, viewer: Member, q: str = "", on_sale_only: bool = False) -> QuerySet[Product]:
    """Products by code (a queryset: callers bound it); their own price policy joined."""
    if not can_read_catalog(viewer):
        return Product.objects.none()
    qs = Product.objects.select_related("price_policy")
    if on_sale_only:
        qs = qs.filter(active=True)
    if q:
        qs = qs.filter(Q(code__istartswith=q) | Q(name__icontains=q))
    return qs.order_by("code")


def product_get_for(viewer: Member, product_id: int) -> Product:
    if not can_read_catalog(viewer):
        raise NotFound
    try:
        return Product.objects.select_related("price_policy").get(pk=product_id)
    except (Product.DoesNotExist, ValueError, TypeError):
        raise NotFound from None


def category_policy_list(*, viewer: Member) -> QuerySet[PricePolicy]:
    if not can_read_catalog(viewer):
        return PricePolicy.objects.none()
    return PricePolicy.objects.filter(product__isnull=True).order_by("category")


def policy_get_for(viewer: Member, policy_id: int) -> PricePolicy:
    if not can_read_catalog(viewer):
        raise NotFound
    try:
        return PricePolicy.objects.select_related("product").get(pk=policy_id)
    except (PricePolicy.DoesNotExist, ValueError, TypeError):
        raise NotFound from None


def policies_for(products: Iterable[Product]) -> dict[int, PricePolicy | None]:
    """The policy that applies to each product (its own, else its category's, else None), in one query."""
    items = list(products)
    ids = {p.pk for p in items}
    categories = {p.category for p in items if p.category}
    rows = list(PricePolicy.objects.filter(Q(product_id__in=ids) | Q(product__isnull=True, category__in=categories)))
    own = {r.product_id: r for r in rows if r.product_id is not None}
    by_category = {r.category: r for r in rows if r.product_id is None}
    return {p.pk: own.get(p.pk) or by_category.get(p.category) for p in items}
