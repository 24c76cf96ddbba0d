"""Demo data for targets: a current-month revenue tree at every level of the demo company (idempotent)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from zhidu.core.periods import local_today, period_start
from zhidu.org.models import Member, MemberStatus, Role

from .models.targets import Metric, PeriodKind, TargetNode, TargetTree
from .services.targets import Part, target_company_set, target_split, target_tree_publish

PER_SALESPERSON = Decimal("100000.00")


def _reports(lead: Member, role: str) -> list[Member]:
    return list(Member.objects.filter(reports_to=lead, role=role, status=MemberStatus.ACTIVE).order_by("id"))


@transaction.atomic
def demo_targets() -> None:
    director = Member.objects.filter(role=Role.DIRECTOR, status=MemberStatus.ACTIVE).order_by("id").first()
    if director is None:
        return
    start = period_start(PeriodKind.MONTH, local_today())
    if TargetTree.objects.filter(period=PeriodKind.MONTH, start=start, metric=Metric.REVENUE).exists():
        return
    managers = _reports(director, Role.MANAGER)
    plan: dict[int, Decimal] = {}  # member id → target, bottom-up: each salesperson PER_SALESPERSON
    for manager in managers:
        total_m = Decimal(0)
        for sup in _reports(manager, Role.SUPERVISOR):
            sales = _reports(sup, Role.SALES)
            for s in sales:
                plan[s.pk] = PER_SALESPERSON
            plan[sup.pk] = PER_SALESPERSON * len(sales)
            total_m += plan[sup.pk]
        for s in _reports(manager, Role.SALES):  # salespeople directly under a manager (S3 第十二条(一))
            plan[s.pk] = PER_SALESPERSON
            total_m += PER_SALESPERSON
        plan[manager.pk] = total_m
    company = sum((plan[m.pk] for m in managers), Decimal(0)) or PER_SALESPERSON
    root = target_company_set(
        actor=director, period=PeriodKind.MONTH, start=start, metric=Metric.REVENUE, amount=company
    )
    # Split top-down: each node's children are the members reporting to its owner that have a planned target.
    queue = [root]
    while queue:
        node = queue.pop(0)
        children = [m for m in Member.objects.filter(reports_to=node.owner).order_by("id") if m.pk in plan]
        if not children:
            continue
        target_split(actor=director, node=node, parts=[Part(member_id=m.pk, amount=plan[m.pk]) for m in children])
        queue.extend(TargetNode.objects.filter(parent=node).select_related("owner").order_by("id"))
    tree = root.tree
    target_tree_publish(actor=director, tree=tree, confirm_gap=True, reason="演示数据")
