"""The demo step builds a current-month target tree at every level, once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from zhidu.sales.models import TargetNode, TargetTree
from zhidu.sales.targets_demo import demo_targets
from zhidu.sales.targets_selectors import tree_view

pytestmark = pytest.mark.django_db


def test_demo_targets_cover_every_level_and_are_idempotent(actors):  # type: ignore[no-untyped-def]
    demo_targets()
    demo_targets()
    tree = TargetTree.objects.get()
    assert tree.status == "published" and tree.period == "month" and tree.metric == "revenue"
    amounts = dict(TargetNode.objects.values_list("owner__user__username", "amount"))
    assert amounts == {
        "director": Decimal("200000.00"),
        "manager": Decimal("200000.00"),
        "supervisor": Decimal("100000.00"),
        "supervisor_b": Decimal("100000.00"),
        "sales": Decimal("100000.00"),
        "sales_b": Decimal("100000.00"),
    }
    assert tree_view(tree).gaps == []
