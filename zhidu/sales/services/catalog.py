"""Products and price policies: created and edited by the sales director or an administrator, validated, audited."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from zhidu.core.audit import audit_record, snapshot
from zhidu.core.errors import DomainError
from zhidu.core.money import parse_money, parse_percent
from zhidu.core.text import model_max_length
from zhidu.org.models import Member, Role

from .. import errors
from ..models import PricePolicy, Product
from ..pricing import AUTHORITY_ROLES, discount_authority

CATALOG_EDITOR_ROLES = (Role.DIRECTOR, Role.ADMIN)
PRODUCT_FIELDS = ["code", "name", "category", "unit", "list_price", "active"]
POLICY_FIELDS = [
    "product",
    "category",
    "floor_price",
    "max_discount_sales",
    "max_discount_supervisor",
    "max_discount_manager",
    "max_discount_director",
]


def can_edit_catalog(member: Member | None) -> bool:
    return member is not None and member.is_active and member.role in CATALOG_EDITOR_ROLES


def _require_editor(actor: Member) -> None:
    if not can_edit_catalog(actor):
        raise DomainError(errors.ERR_NOT_CATALOG_EDITOR, code="forbidden")


@dataclass(frozen=True)
class ProductInput:
    code: str
    name: str
    list_price: Any
    category: str = ""
    unit: str = ""
    active: bool = True


def _clean_product(data: ProductInput, *, exclude_pk: int | None) -> dict[str, Any]:
    code = (data.code or "").strip()
    name = (data.name or "").strip()
    if not code or len(code) > model_max_length(Product, "code"):
        raise DomainError(errors.ERR_PRODUCT_CODE, field="code", max=model_max_length(Product, "code"))
    if not name or len(name) > model_max_length(Product, "name"):
        raise DomainError(errors.ERR_PRODUCT_NAME, field="name", max=model_max_length(Product, "name"))
    others = Product.objects.filter(code=code)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise DomainError(errors.ERR_PRODUCT_CODE_TAKEN, field="code", code=code)
    return {
        "code": code,
        "name": name,
        "category": (data.category or "").strip()[: model_max_length(Product, "category")],
        "unit": (data.unit or "").strip()[: model_max_length(Product, "unit")],
        "list_price": parse_money(data.list_price, field="list_price", label=gettext("List price")),
        "active": bool(data.active),
    }


@transaction.atomic
def product_create(*, actor: Member, data: ProductInput) -> Product:
    _require_editor(actor)
    product = Product.objects.create(**_clean_product(data, exclude_pk=None))
    audit_record(actor=actor, verb="product.create", target=product, after=snapshot(product, PRODUCT_FIELDS))
    return product


@transaction.atomic
def product_update(*, actor: Member, product: Product, data: ProductInput) -> Product:
    _require_editor(actor)
    values = _clean_product(data, exclude_pk=product.pk)
    product = Product.objects.select_for_update().get(pk=product.pk)
    before = snapshot(product, PRODUCT_FIELDS)
    for key, value in values.items():
        setattr(product, key, value)
    product.save()
    after = snapshot(product, PRODUCT_FIELDS)
    if after != before:
        audit_record(actor=actor, verb="product.update", target=product, before=before, after=after)
    return product


@dataclass(frozen=True)
class PolicyInput:
    """Blank values (None or "") mean "use the company default" for a discount, "no floor" for the floor."""

    floor_price: Any = None
    max_discount_sales: Any = None
    max_discount_supervisor: Any = None
    max_discount_manager: Any = None
    max_discount_director: Any = None


def _clean_policy(data: PolicyInput, *, product: Product | None) -> dict[str, Any]:
    labels = {
        "sales": gettext("Salesperson's largest discount (%)"),
        "supervisor": gettext("Supervisor's largest discount (%)"),
        "manager": gettext("Manager's largest discount (%)"),
        "director": gettext("Director's largest discount (%)"),
    }
    values: dict[str, Any] = {
        "floor_price": parse_money(data.floor_price, field="floor_price", label=gettext("Floor price"), required=False)
    }
    for role in AUTHORITY_ROLES:
        name = f"max_discount_{role}"
        values[name] = parse_percent(getattr(data, name), field=name, label=labels[role])
    # Effective authorities (defaults filling blanks) must not shrink going up the roles.
    probe = PricePolicy(**{k: v for k, v in values.items() if k.startswith("max_discount_")})
    effective = [(role, discount_authority(probe, role)) for role in AUTHORITY_ROLES]
    for (low_role, low), (high_role, high) in itertools.pairwise(effective):
        if high < low:
            raise DomainError(
                errors.ERR_POLICY_ORDER,
                field=f"max_discount_{high_role}",
                lower=Role(low_role).label,
                low=low,
                higher=Role(high_role).label,
                high=high,
            )
    floor = values["floor_price"]
    if product is not None and floor is not None and floor > product.list_price:
        raise DomainError(errors.ERR_FLOOR_ABOVE_LIST, field="floor_price", floor=floor, price=product.list_price)
    return values


@transaction.atomic
def policy_create(
    *, actor: Member, data: PolicyInput, product: Product | None = None, category: str = ""
) -> PricePolicy:
    """A policy for one product, or for every product of a category (a product's own policy wins)."""
    _require_editor(actor)
    category = (category or "").strip()[: model_max_length(PricePolicy, "category")]
    if (product is None) == (not category):
        raise DomainError(errors.ERR_POLICY_TARGET, field="category")
    values = _clean_policy(data, product=product)
    if product is not None and PricePolicy.objects.filter(product=product).exists():
        raise DomainError(errors.ERR_POLICY_EXISTS, field="product", target=str(product))
    if category and PricePolicy.objects.filter(product__isnull=True, category=category).exists():
        raise DomainError(errors.ERR_POLICY_EXISTS, field="category", target=category)
    policy = PricePolicy.objects.create(product=product, category="" if product else category, **values)
    audit_record(actor=actor, verb="price_policy.create", target=policy, after=snapshot(policy, POLICY_FIELDS))
    return policy


@transaction.atomic
def policy_update(*, actor: Member, policy: PricePolicy, data: PolicyInput) -> PricePolicy:
    _require_editor(actor)
    policy = PricePolicy.objects.select_for_update().select_related("product").get(pk=policy.pk)
    values = _clean_policy(data, product=policy.product)
    before = snapshot(policy, POLICY_FIELDS)
    for key, value in values.items():
        setattr(policy, key, value)
    policy.save()
    after = snapshot(policy, POLICY_FIELDS)
    if after != before:
        audit_record(actor=actor, verb="price_policy.update", target=policy, before=before, after=after)
    return policy
