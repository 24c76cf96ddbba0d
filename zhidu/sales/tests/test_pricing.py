"""Discount authority: policy values win, blanks fall back to company defaults, below the floor is the director's."""

from __future__ import annotations

from decimal import Decimal

from django.test import override_settings

from zhidu.sales.models import PricePolicy
from zhidu.sales.pricing import discount_authority, discount_percent, required_role_for

D = Decimal
DEFAULTS = {"sales": D(0), "supervisor": D(5), "manager": D(10), "director": D(20)}


@override_settings(SALES_DISCOUNT_DEFAULTS=DEFAULTS)
def test_defaults_without_a_policy():
    assert [discount_authority(None, r) for r in ("sales", "supervisor", "manager", "director")] == [0, 5, 10, 20]
    assert discount_authority(None, "compliance") == 0 and discount_authority(None, "admin") == 0


@override_settings(SALES_DISCOUNT_DEFAULTS=DEFAULTS)
def test_policy_values_win_and_blanks_fall_back():
    policy = PricePolicy(max_discount_sales=D("2"), max_discount_manager=D("15"))
    assert discount_authority(policy, "sales") == 2
    assert discount_authority(policy, "supervisor") == 5
    assert discount_authority(policy, "manager") == 15


def test_discount_percent():
    assert discount_percent(D("920"), D("1000")) == D("8.00")
    assert discount_percent(D("1000"), D("1000")) == 0
    assert discount_percent(D("1200"), D("1000")) == 0
    assert discount_percent(D("5"), D("0")) == 0
    assert discount_percent(D("666.67"), D("1000")) == D("33.33")


@override_settings(SALES_DISCOUNT_DEFAULTS=DEFAULTS)
def test_required_role_by_discount_and_floor():
    assert required_role_for(D("1000"), D("1000"), None) == "sales"
    assert required_role_for(D("960"), D("1000"), None) == "supervisor"
    assert required_role_for(D("950"), D("1000"), None) == "supervisor"
    assert required_role_for(D("949.99"), D("1000"), None) == "manager"
    assert required_role_for(D("850"), D("1000"), None) == "director"
    assert required_role_for(D("500"), D("1000"), None) == "director"  # beyond everyone: the director decides
    floor = PricePolicy(floor_price=D("990"))
    assert required_role_for(D("989.99"), D("1000"), floor) == "director"  # 1% off, but below the floor
    assert required_role_for(D("990"), D("1000"), floor) == "supervisor"
