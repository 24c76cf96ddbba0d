"""Achievement rolls up live from counted orders through the credit split, minus refunds, to every ancestor."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhidu.customers.models import Customer, FollowRelation
from zhidu.org.models import Role
from zhidu.org.tests.factories import MemberFactory
from zhidu.sales.models import OrderStatus, TargetNode
from zhidu.sales.services.targets import Part, target_split
from zhidu.sales.targets_selectors import tree_view, tree_view_for

from .targets_helpers import MONTH, TODAY, make_order, standard_tree

pytestmark = pytest.mark.django_db


def _actuals(tree, today=TODAY):  # type: ignore[no-untyped-def]
    view = tree_view(tree, today=today)
    return {v.owner.user.username: v.actual for v in view.nodes.values()}


def test_credit_splits_and_refunds_roll_up_to_every_ancestor(actors):  # type: ignore[no-untyped-def]
    nodes = standard_tree(actors)
    tree = nodes["director"].tree
    target_split(actor=actors.supervisor_b, node=nodes["supervisor_b"], parts=[Part(actors.sales_b.pk, Decimal("400"))])
    make_order({actors.sales: 60, actors.sales_b: 40}, "100.00")  # 60 / 40
    make_order({actors.sales_b: 100}, "50.00", status=OrderStatus.FULFILLED)
    make_order({actors.sales: 100}, "80.00", status=OrderStatus.REFUNDED, refund="30.00")  # counts 50
    make_order({actors.sales: 100}, "1000.00", status=OrderStatus.SUBMITTED)  # not approved: no
    make_order({actors.sales: 100}, "1000.00", status=OrderStatus.REJECTED)
    make_order({actors.sales: 100}, "1000.00", booked_on=MONTH - dt.timedelta(days=1))  # November
    make_order({actors.outsider: 100}, "25.00")
    got = _actuals(tree)
    assert got["sales"] == Decimal("110.00")  # 60 + 50
    assert got["sales_b"] == Decimal("90.00")  # 40 + 50
    assert got["supervisor_b"] == Decimal("90.00")
    assert got["supervisor"] == Decimal("0")
    assert got["manager"] == Decimal("200.00")
    assert got["outsider"] == Decimal("25.00")
    assert got["director"] == Decimal("225.00")


def test_a_refund_reverses_achievement_live(actors):  # type: ignore[no-untyped-def]
    nodes = standard_tree(actors)
    order = make_order({actors.sales: 100}, "300.00")
    assert _actuals(nodes["director"].tree)["manager"] == Decimal("300.00")
    order.status, order.refund_amount = OrderStatus.REFUNDED, Decimal("300.00")
    order.save()
    assert _actuals(nodes["director"].tree)["manager"] == Decimal("0.00")


def test_a_leads_own_orders_count_at_their_node_and_members_without_a_node_at_their_leads(actors):  # type: ignore[no-untyped-def]
    nodes = standard_tree(actors)
    make_order({actors.supervisor: 100}, "70.00")  # a lead sells too
    make_order({actors.sales_b: 100}, "30.00")  # sales_b holds no target: booked at supervisor_b's node
    view = tree_view(nodes["director"].tree, today=TODAY)
    sup = view.nodes[nodes["supervisor"].pk]
    assert sup.own_actual == Decimal("70.00") and sup.actual == Decimal("70.00")
    assert view.nodes[nodes["supervisor_b"].pk].actual == Decimal("30.00")
    assert view.nodes[nodes["manager"].pk].actual == Decimal("100.00")


def test_orders_metric_counts_shares_and_drops_fully_refunded_orders(actors):  # type: ignore[no-untyped-def]
    nodes = standard_tree(actors, metric="orders")
    make_order({actors.sales: 50, actors.sales_b: 50}, "10.00")
    make_order({actors.sales: 100}, "10.00")
    make_order({actors.sales: 100}, "10.00", status=OrderStatus.REFUNDED, refund="10.00")
    got = _actuals(nodes["director"].tree)
    assert got["sales"] == Decimal("1.50") and got["supervisor_b"] == Decimal("0.50")
    assert got["director"] == Decimal("2.00")


def test_new_customers_metric_counts_follow_relations_created_in_the_period(actors):  # type: ignore[no-untyped-def]
    nodes = standard_tree(actors, metric="new_customers")
    tz = timezone.get_current_timezone()
    for i, when in enumerate(
        [
            dt.datetime(2026, 12, 1, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))),  # 1 Dec in Shanghai
            dt.datetime(2026, 12, 10, 12, 0, tzinfo=tz),
            dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))),  # November
        ]
    ):
        customer = Customer.objects.create(external_userid=f"wm-new-{i}")
        FollowRelation.objects.create(customer=customer, member=actors.sales, createtime=when)
    assert _actuals(nodes["director"].tree)["sales"] == Decimal(2)


def test_a_viewer_sees_only_the_subtrees_in_their_scope(actors):  # type: ignore[no-untyped-def]
    nodes = standard_tree(actors)
    tree = nodes["director"].tree

    def owners(member):  # type: ignore[no-untyped-def]
        return {v.owner.user.username for v in tree_view_for(member, tree, today=TODAY).nodes.values()}

    assert owners(actors.director) == {"director", "manager", "outsider", "supervisor", "supervisor_b", "sales"}
    assert owners(actors.manager) == {"manager", "supervisor", "supervisor_b", "sales"}
    assert owners(actors.supervisor) == {"supervisor", "sales"}
    assert owners(actors.supervisor_b) == {"supervisor_b"}
    assert owners(actors.sales) == {"sales"}
    assert owners(actors.outsider) == {"outsider"}


def test_roll_up_takes_a_fixed_number_of_queries_whatever_the_size(actors):  # type: ignore[no-untyped-def]
    nodes = standard_tree(actors)
    tree = nodes["director"].tree
    make_order({actors.sales: 100}, "10.00")
    with CaptureQueriesContext(connection) as small:
        tree_view(tree, today=TODAY)
    # Grow: 30 more salespeople under supervisor_b, each with a target and orders.
    people = [
        MemberFactory(role=Role.SALES, department=actors.dept1, reports_to=actors.supervisor_b) for _ in range(30)
    ]
    target_split(
        actor=actors.supervisor_b, node=nodes["supervisor_b"], parts=[Part(m.pk, Decimal("10")) for m in people]
    )
    for m in people:
        make_order({m: 100}, "5.00")
    with CaptureQueriesContext(connection) as big:
        view = tree_view(tree, today=TODAY)
    assert len(big) == len(small) <= 4
    assert view.nodes[nodes["supervisor_b"].pk].actual == Decimal("150.00")
    assert TargetNode.objects.filter(tree=tree).count() == 36


def test_pace_marks_nodes_behind_the_elapsed_share(actors, settings):  # type: ignore[no-untyped-def]
    settings.TARGET_PACE_MARGIN = 10
    nodes = standard_tree(actors)
    make_order({actors.sales: 100}, "45.00")  # 45 % of 100 while 16/31 ≈ 51.6 % elapsed: within 10 points
    make_order({actors.outsider: 100}, "30.00")  # 30 % of 100: behind
    view = tree_view(nodes["director"].tree, today=TODAY)
    assert view.elapsed_percent == Decimal("51.61")
    assert view.nodes[nodes["sales"].pk].behind is False
    assert view.nodes[nodes["outsider"].pk].behind is True
    settings.TARGET_PACE_MARGIN = 25
    assert tree_view(nodes["director"].tree, today=TODAY).nodes[nodes["outsider"].pk].behind is False
