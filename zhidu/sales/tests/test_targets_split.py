"""Setting and splitting targets down the hierarchy: who may, to whom, the gaps, and publishing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from zhidu.core.errors import DomainError
from zhidu.core.models import AuditEvent
from zhidu.org.models import Role
from zhidu.org.tests.factories import MemberFactory
from zhidu.sales.models import TargetNode, TargetTree
from zhidu.sales.services.targets import Part, target_company_set, target_split, target_tree_publish
from zhidu.sales.targets_selectors import tree_view

from .targets_helpers import MONTH, TODAY, standard_tree

pytestmark = pytest.mark.django_db


def _snapshot() -> list[tuple[int, int | None, int, Decimal]]:
    return list(TargetNode.objects.order_by("id").values_list("id", "parent_id", "owner_id", "amount"))


def test_only_the_director_sets_the_company_target(actors):  # type: ignore[no-untyped-def]
    for who in (actors.manager, actors.supervisor, actors.sales, actors.compliance):
        with pytest.raises(DomainError) as exc:
            target_company_set(actor=who, period="month", start=MONTH, metric="revenue", amount="100")
        assert exc.value.code == "forbidden"
    assert not TargetTree.objects.exists()
    root = target_company_set(actor=actors.director, period="month", start=TODAY, metric="revenue", amount="1000")
    assert root.tree.start == MONTH and root.owner == actors.director and root.amount == Decimal("1000.00")
    again = target_company_set(actor=actors.director, period="month", start=MONTH, metric="revenue", amount="1200")
    assert again.pk == root.pk and TargetNode.objects.get().amount == Decimal("1200.00")
    assert list(AuditEvent.objects.filter(verb="target.set").values_list("after", flat=True)) == [
        {"amount": "1200.00"},
        {"amount": "1000.00"},
    ]


def test_a_manager_splits_among_supervisors_and_salespeople_directly(actors):  # type: ignore[no-untyped-def]
    nodes = standard_tree(actors)
    manager = nodes["manager"]
    children = dict(TargetNode.objects.filter(parent=manager).values_list("owner__user__username", "amount"))
    assert children == {"supervisor": Decimal("400"), "supervisor_b": Decimal("400"), "sales": Decimal("100")}
    # 900 split into 900: no gap; the root's 1000 into 900 + 100: no gap either; supervisors are not split yet.
    view = tree_view(manager.tree, today=TODAY)
    assert view.gaps == []
    audit = AuditEvent.objects.filter(verb="target.split", target_id=str(manager.pk)).get()
    assert audit.actor == actors.manager and audit.after["gap"] == "0.00"


def test_a_supervisor_splits_among_their_salespeople_only(actors):  # type: ignore[no-untyped-def]
    nodes = standard_tree(actors)
    sup_b = nodes["supervisor_b"]
    before = _snapshot()
    # sales reports to the other supervisor: out of scope.
    with pytest.raises(DomainError) as exc:
        target_split(actor=actors.supervisor_b, node=sup_b, parts=[Part(actors.sales.pk, Decimal("10"))])
    assert exc.value.field == "parts"
    assert _snapshot() == before
    target_split(actor=actors.supervisor_b, node=sup_b, parts=[Part(actors.sales_b.pk, Decimal("300"))])
    view = tree_view(sup_b.tree, today=TODAY)
    assert view.nodes[sup_b.pk].gap == Decimal("100.00")
    with translation.override("zh-hans"):
        with pytest.raises(DomainError) as exc:
            target_split(actor=actors.supervisor, node=nodes["supervisor"], parts=[Part(actors.sales_b.pk, 1)])
        assert "吴销售" in exc.value.message and "团队" in exc.value.message


@pytest.mark.parametrize(
    "case",
    ["self", "twice", "elsewhere", "role", "unknown", "negative", "foreign_department"],
)
def test_bad_splits_are_refused_and_nothing_changes(actors, case):  # type: ignore[no-untyped-def]
    nodes = standard_tree(actors)
    manager = nodes["manager"]
    parts = {
        "self": [Part(actors.manager.pk, Decimal("1"))],
        "twice": [Part(actors.supervisor.pk, Decimal("1")), Part(actors.supervisor.pk, Decimal("2"))],
        # the manager's own lead holds the root already: giving them a part would loop the tree
        "elsewhere": [Part(actors.director.pk, Decimal("1"))],
        "role": [Part(MemberFactory(role=Role.COMPLIANCE, department=actors.dept1).pk, Decimal("1"))],
        "unknown": [Part(999999, Decimal("1"))],
        "negative": [Part(actors.supervisor.pk, Decimal("-1"))],
        "foreign_department": [Part(actors.outsider.pk, Decimal("1"))],
    }[case]
    before = _snapshot()
    with pytest.raises(DomainError):
        target_split(actor=actors.manager, node=manager, parts=parts)
    assert _snapshot() == before


def test_a_cycle_through_a_lower_node_is_refused(actors):  # type: ignore[no-untyped-def]
    nodes = standard_tree(actors)
    before = _snapshot()
    # sales holds a target directly under the manager; their supervisor cannot take them in as well.
    with pytest.raises(DomainError) as exc:
        target_split(actor=actors.supervisor, node=nodes["supervisor"], parts=[Part(actors.sales.pk, Decimal("5"))])
    with translation.override("zh-hans"):
        assert exc.value.message == "周销售 已在本目标树的其他位置承担目标（目标分解不能形成循环）。"
    assert _snapshot() == before


def test_only_owners_and_the_levels_above_edit_a_split(actors):  # type: ignore[no-untyped-def]
    nodes = standard_tree(actors)
    for who in (actors.supervisor_b, actors.sales, actors.outsider, actors.compliance):
        with pytest.raises(DomainError) as exc:
            target_split(actor=who, node=nodes["supervisor"], parts=[Part(actors.sales_b.pk, Decimal("1"))])
        assert exc.value.code == "forbidden"
    # The manager (a level above) may split the supervisor's target.
    target_split(actor=actors.manager, node=nodes["supervisor"], parts=[])


def test_removing_a_child_whose_target_is_split_further_is_refused(actors):  # type: ignore[no-untyped-def]
    nodes = standard_tree(actors)
    target_split(actor=actors.supervisor_b, node=nodes["supervisor_b"], parts=[Part(actors.sales_b.pk, Decimal("1"))])
    before = _snapshot()
    with pytest.raises(DomainError):
        target_split(actor=actors.manager, node=nodes["manager"], parts=[Part(actors.supervisor.pk, Decimal("900"))])
    assert _snapshot() == before
    # Removing a leaf works and leaves a gap.
    target_split(
        actor=actors.manager,
        node=nodes["manager"],
        parts=[Part(actors.supervisor.pk, Decimal("400")), Part(actors.supervisor_b.pk, Decimal("400"))],
    )
    assert not TargetNode.objects.filter(owner=actors.sales).exists()
    assert tree_view(nodes["manager"].tree, today=TODAY).nodes[nodes["manager"].pk].gap == Decimal("100.00")


def test_publishing_with_a_gap_needs_an_audited_confirmation(actors):  # type: ignore[no-untyped-def]
    nodes = standard_tree(actors)
    tree = nodes["director"].tree
    target_split(actor=actors.supervisor_b, node=nodes["supervisor_b"], parts=[Part(actors.sales_b.pk, Decimal("350"))])
    with pytest.raises(DomainError) as exc:
        target_tree_publish(actor=actors.manager, tree=tree)
    assert exc.value.code == "forbidden"
    with pytest.raises(DomainError) as exc:
        target_tree_publish(actor=actors.director, tree=tree)
    with translation.override("zh-hans"):
        assert exc.value.code == "conflict" and "李主管 +50.00" in exc.value.message and "理由" in exc.value.message
    with pytest.raises(DomainError) as exc:
        target_tree_publish(actor=actors.director, tree=tree, confirm_gap=True, reason="  ")
    assert exc.value.field == "reason"
    tree.refresh_from_db()
    assert tree.status == "draft" and not AuditEvent.objects.filter(verb__startswith="target.publish").exists()
    target_tree_publish(actor=actors.director, tree=tree, confirm_gap=True, reason="李主管团队下周补录")
    tree.refresh_from_db()
    assert tree.status == "published" and tree.gap_confirmed_reason == "李主管团队下周补录"
    event = AuditEvent.objects.get(verb="target.publish_with_gaps")
    assert event.actor == actors.director and event.reason == "李主管团队下周补录"
    assert event.after["gaps"] == {"李主管": "50.00"}


def test_publishing_without_gaps_needs_no_confirmation(actors):  # type: ignore[no-untyped-def]
    nodes = standard_tree(actors)
    target_tree_publish(actor=actors.director, tree=nodes["director"].tree)
    assert AuditEvent.objects.filter(verb="target.publish").count() == 1
