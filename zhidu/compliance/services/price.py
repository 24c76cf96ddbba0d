"""The sales price policy as the engine sees it: a plain snapshot of the catalogue (products, their other
names, list and floor prices, discount authority per role, company defaults), cached per process and rebuilt
when the catalogue changes, and the products each member sold (read when a quote names no product).

The cache key is cheap aggregates of products and policies (count, latest `updated_at`) plus a generation in
the shared Django cache. Sales code that changes prices without saving the models (a queryset `update()`, a
bulk import) publishes the domain event `sales.price_policy_changed` (no payload; subscribed in
`ComplianceConfig.ready()`), which bumps the generation so that every process rebuilds on its next scan:

    from zhidu.core.events import publish
    publish("sales.price_policy_changed")
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max
from django.utils import timezone

from zhidu.compliance import engine as eng
from zhidu.compliance.engine.price_policy import ROLES
from zhidu.sales.models import OrderLine, PricePolicy, Product
from zhidu.sales.models.orders import COUNTED_STATUSES

GENERATION_KEY = "compliance:price-policy-generation"


def price_version() -> tuple[Any, ...]:
    """Changes whenever a product or a price policy is added, saved or deleted, or the event bumps the generation."""
    p = Product.objects.aggregate(n=Count("id"), t=Max("updated_at"))
    q = PricePolicy.objects.aggregate(n=Count("id"), t=Max("updated_at"))
    return (p["n"], p["t"], q["n"], q["t"], cache.get(GENERATION_KEY, 0))


def on_price_policy_changed(**_payload: Any) -> None:
    """Handler of `sales.price_policy_changed`: every process rebuilds its engine on its next scan."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not set yet
        cache.set(GENERATION_KEY, 1, timeout=None)


def _discounts(policy: PricePolicy | None) -> dict[str, Decimal | None]:
    if policy is None:
        return {}
    return {role: getattr(policy, f"max_discount_{role}") for role in ROLES}


def price_snapshot_build() -> eng.PriceSnapshot | None:
    """The snapshot of the products on sale (None when there are none): a product's own policy, else its
    category's; a role the policy leaves empty falls back to `SALES_DISCOUNT_DEFAULTS`."""
    products = list(Product.objects.filter(active=True).order_by("code"))
    if not products:
        return None
    by_product: dict[int, PricePolicy] = {}
    by_category: dict[str, PricePolicy] = {}
    for pp in PricePolicy.objects.all():
        if pp.product_id is not None:
            by_product[pp.product_id] = pp
        else:
            by_category[pp.category] = pp
    rows = []
    for p in products:
        policy: PricePolicy | None = by_product.get(p.pk) or (by_category.get(p.category) if p.category else None)
        rows.append(
            (
                p.code,
                p.name,
                p.alias_list(),
                p.list_price,
                policy.floor_price if policy is not None else None,
                _discounts(policy),
            )
        )
    return eng.snapshot_from_rows(
        rows,
        settings.SALES_DISCOUNT_DEFAULTS,
        allow=settings.PRICE_CHECK_ALLOW,
        min_share=settings.PRICE_CHECK_MIN_SHARE,
    )


def member_products(member_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
    """Codes of the products each member sold (orders they submitted that count: approved, fulfilled,
    refunded) booked in the last PRICE_CHECK_MEMBER_DAYS days. One query."""
    ids = sorted(set(member_ids))
    if not ids:
        return {}
    since = timezone.localdate() - dt.timedelta(days=settings.PRICE_CHECK_MEMBER_DAYS)
    out: dict[int, list[str]] = defaultdict(list)
    rows = (
        OrderLine.objects.filter(
            order__submitter_id__in=ids, order__status__in=COUNTED_STATUSES, order__booked_on__gte=since
        )
        .values_list("order__submitter_id", "product__code")
        .distinct()
        .order_by("order__submitter_id", "product__code")
    )
    for member_id, code in rows:
        out[member_id].append(code)
    return {k: tuple(v) for k, v in out.items()}
