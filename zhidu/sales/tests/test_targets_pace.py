"""Behind pace → a corrective plan is asked for (S7 第十四条): notified, written by the owner, read above."""

from __future__ import annotations

import pytest

from zhidu.core.errors import DomainError, NotFound
from zhidu.core.models import AuditEvent, Notification
from zhidu.sales.models import CorrectivePlan, PlanStatus
from zhidu.sales.services.targets import (
    target_pace_check,
    target_plan_submit,
    target_plan_withdraw,
    target_tree_publish,
)
from zhidu.sales.targets_selectors import plan_get_for

from .targets_helpers import TODAY, make_order, standard_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def behind(actors):  # type: ignore[no-untyped-def]
    """A published tree in which everyone but the outsider (and the director above them) is behind."""
    nodes = standard_tree(actors)
    target_tree_publish(actor=actors.director, tree=nodes["director"].tree)
    make_order({actors.outsider: 100}, "60.00")  # 60 % of 100 with 51.6 % elapsed: on pace
    return nodes


def test_nodes_behind_pace_get_one_plan_request_and_a_notification(actors, behind):  # type: ignore[no-untyped-def]
    plans = target_pace_check(today=TODAY)
    asked = {p.node.owner.user.username for p in plans}
    assert asked == {"director", "manager", "supervisor", "supervisor_b", "sales"}
    note = Notification.objects.get(recipient=actors.sales)
    assert note.url == f"/sales/targets/plans/{CorrectivePlan.objects.get(node=behind['sales']).pk}/"
    assert "纠偏" in note.title  # notifications are written in the company language
    assert AuditEvent.objects.filter(verb="target.plan_request").count() == 5
    # Idempotent: a second run asks nobody again.
    assert target_pace_check(today=TODAY) == []
    assert Notification.objects.filter(recipient=actors.sales).count() == 1


def test_draft_trees_and_other_periods_ask_nobody(actors):  # type: ignore[no-untyped-def]
    standard_tree(actors)  # never published
    assert target_pace_check(today=TODAY) == []
    assert not CorrectivePlan.objects.exists()


def test_the_owner_writes_the_plan_and_the_level_above_reads_it(actors, behind):  # type: ignore[no-untyped-def]
    target_pace_check(today=TODAY)
    plan = CorrectivePlan.objects.get(node=behind["sales"])
    with pytest.raises(DomainError) as exc:
        target_plan_submit(actor=actors.manager, plan=plan, text="由经理代写")
    assert exc.value.code == "forbidden"
    with pytest.raises(DomainError) as exc:
        target_plan_submit(actor=actors.sales, plan=plan, text="   ")
    assert exc.value.field == "text"
    target_plan_submit(actor=actors.sales, plan=plan, text="本周回访 20 位意向客户，周五前报两份方案")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED and plan.submitted_at is not None
    assert AuditEvent.objects.filter(verb="target.plan_submit", actor=actors.sales).count() == 1
    # The level above (the manager holds the parent node) is told and can read it; so can the director.
    assert Notification.objects.filter(recipient=actors.manager, url__endswith=f"/plans/{plan.pk}/").exists()
    for reader in (actors.manager, actors.director, actors.supervisor, actors.sales):
        assert plan_get_for(reader, plan.pk).pk == plan.pk
    for stranger in (actors.supervisor_b, actors.sales_b, actors.outsider, actors.compliance, actors.admin):
        with pytest.raises(NotFound):
            plan_get_for(stranger, plan.pk)


def test_a_withdrawn_plan_lets_the_pace_check_ask_again(actors, behind):  # type: ignore[no-untyped-def]
    target_pace_check(today=TODAY)
    plan = CorrectivePlan.objects.get(node=behind["sales"])
    with pytest.raises(DomainError):
        target_plan_withdraw(actor=actors.sales_b, plan=plan)
    target_plan_withdraw(actor=actors.manager, plan=plan, reason="目标已调整")
    assert AuditEvent.objects.get(verb="target.plan_withdraw").reason == "目标已调整"
    again = target_pace_check(today=TODAY)
    assert [p.node_id for p in again] == [behind["sales"].pk]
    assert CorrectivePlan.objects.filter(node=behind["sales"]).count() == 2
