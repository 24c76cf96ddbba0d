"""Discount authority, pure: who may approve a price. Used by order review and by compliance's price checks.

A discount is the percentage off the list price. Each role may grant up to its authority: the price policy's
value for the role, or the company default (settings.SALES_DISCOUNT_DEFAULTS, env SALES_MAX_DISCOUNT_<ROLE>).
A price below the policy's floor needs the director, whatever the discount.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings

# Roles that may approve prices, lowest first; the director is the last word.
AUTHORITY_ROLES = ("sales", "supervisor", "manager", "director")
TOP_ROLE = "director"
ZERO = Decimal("0")
HUNDRED = Decimal("100")


def role_rank(role: str) -> int:
    """Position of `role` in AUTHORITY_ROLES; -1 for roles that grant nothing (compliance, admin)."""
    try:
        return AUTHORITY_ROLES.index(role)
    except ValueError:
        return -1


def discount_authority(policy: Any | None, role: str) -> Decimal:
    """The largest discount (percent) `role` may grant under `policy` (a PricePolicy or None)."""
    if role not in AUTHORITY_ROLES:
        return ZERO
    value = getattr(policy, f"max_discount_{role}", None) if policy is not None else None
    if value is None:
        value = settings.SALES_DISCOUNT_DEFAULTS.get(role, ZERO)
    return Decimal(value)


def _exact_discount(unit_price: Decimal, list_price: Decimal) -> Decimal:
    if list_price <= 0 or unit_price >= list_price:
        return ZERO
    return (Decimal(list_price) - Decimal(unit_price)) * HUNDRED / Decimal(list_price)


def discount_percent(unit_price: Decimal, list_price: Decimal) -> Decimal:
    """Percent off the list price, for display (2 places); 0 at or above the list price or for a free product."""
    return _exact_discount(unit_price, list_price).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def below_floor(unit_price: Decimal, policy: Any | None) -> bool:
    floor = getattr(policy, "floor_price", None) if policy is not None else None
    return floor is not None and unit_price < floor


def required_role_for(unit_price: Decimal, list_price: Decimal, policy: Any | None) -> str:
    """The lowest role whose authority covers this price: below the floor, or beyond everyone, the director."""
    if below_floor(unit_price, policy):
        return TOP_ROLE
    discount = _exact_discount(unit_price, list_price)  # unrounded: 5.001% is beyond a 5% authority
    for role in AUTHORITY_ROLES:
        if discount <= discount_authority(policy, role):
            return role
    return TOP_ROLE


def highest_role(roles: list[str]) -> str:
    """The highest of `roles` by authority ("sales" for none)."""
    return max(roles, key=role_rank, default=AUTHORITY_ROLES[0])
