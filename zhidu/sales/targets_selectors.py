"""Reading targets: the tree of a period and metric, its live achievement, the gaps and the pace.

Achievement is computed when read, in a fixed number of grouped queries whatever the tree's size:
one for the tree's nodes, one for the open corrective plans, one grouped over order credits (or follow
relations) by member, one for the reporting lines. Each member's achievement is booked at their own node,
or, when they hold no target in the tree, at the node of their nearest lead (`reports_to`) who does; every
node then adds up its subtree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum

from zhidu.core.errors import NotFound
from zhidu.core.periods import day_bounds, local_today, period_elapsed_share, period_end, period_start
from zhidu.customers.models import FollowRelation
from zhidu.org.models import MAX_DEPTH, Member, Role, work_scope_q

from .models.orders import COUNTED_STATUSES, OrderCredit
from .models.targets import TARGET_READERS, CorrectivePlan, Metric, PlanStatus, TargetNode, TargetTree

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


@dataclass
class NodeView:
    """One node with its live figures. `gap` is target minus the sum of the children's targets (None: no split)."""

    node: TargetNode
    actual: Decimal = Decimal(0)
    own_actual: Decimal = Decimal(0)
    children: list[NodeView] = field(default_factory=list)
    gap: Decimal | None = None
    percent: Decimal = Decimal(0)
    expected_percent: Decimal = Decimal(0)
    behind: bool = False
    plan: CorrectivePlan | None = None
    depth: int = 0

    @property
    def owner(self) -> Member:
        return self.node.owner

    @property
    def bar(self) -> int:
        """The progress bar's width (0–100)."""
        return max(0, min(100, int(self.percent)))


@dataclass
class TreeView:
    tree: TargetTree
    roots: list[NodeView]
    nodes: dict[int, NodeView]
    today: dt.date
    elapsed_percent: Decimal

    @property
    def gaps(self) -> list[NodeView]:
        return [v for v in self.nodes.values() if v.gap]

    def flat(self) -> list[NodeView]:
        """Depth-first, parents before children (for tables and exports)."""
        out: list[NodeView] = []
        stack = list(reversed(self.roots))
        while stack:
            v = stack.pop()
            out.append(v)
            stack.extend(reversed(v.children))
        return out


def period_range(period: str, start: dt.date) -> tuple[dt.date, dt.date]:
    return start, period_end(period, start)


def member_actuals(metric: str, start: dt.date, end: dt.date) -> dict[int, Decimal]:
    """Achievement per member over [start, end] (company-local dates): one grouped query."""
    if metric == Metric.NEW_CUSTOMERS:
        lo, _ = day_bounds(start)
        _, hi = day_bounds(end)
        follows = (
            FollowRelation.objects.filter(createtime__gte=lo, createtime__lt=hi)
            .values("member_id")
            .annotate(v=Count("id"))
            .values_list("member_id", "v")
        )
        return {m: Decimal(v) for m, v in follows}
    credits = OrderCredit.objects.filter(
        order__status__in=COUNTED_STATUSES, order__booked_on__gte=start, order__booked_on__lte=end
    )
    money: DecimalField[Decimal, Decimal] = DecimalField(max_digits=24, decimal_places=6)
    if metric == Metric.ORDERS:
        # A share of the order per credited member; a fully refunded order no longer counts.
        credits = credits.filter(order__refund_amount__lt=F("order__total"))
        value = Sum(ExpressionWrapper(F("percent"), output_field=money))
    else:
        net = ExpressionWrapper((F("order__total") - F("order__refund_amount")) * F("percent"), output_field=money)
        value = Sum(net)
    rows = credits.values("member_id").annotate(v=value).values_list("member_id", "v")
    out = {}
    for member_id, v in rows:
        amount = Decimal(str(v or 0))
        out[member_id] = (amount / HUNDRED).quantize(CENT)  # percent points → shares (orders) or yuan
    return out


def attribute(actuals: dict[int, Decimal], owners: set[int]) -> dict[int, Decimal]:
    """Move each member's achievement to themselves if they own a node, else to their nearest lead who does."""
    booked: dict[int, Decimal] = {}
    lead_of: dict[int, int | None] | None = None
    for member_id, value in actuals.items():
        holder: int | None = member_id
        if member_id not in owners:
            if lead_of is None:
                lead_of = dict(Member.objects.values_list("id", "reports_to_id"))
            holder = lead_of.get(member_id)
            seen = 0
            while holder is not None and holder not in owners and seen < MAX_DEPTH:
                holder = lead_of.get(holder)
                seen += 1
            if holder not in owners:
                continue
        assert holder is not None
        booked[holder] = booked.get(holder, Decimal(0)) + value
    return booked


def tree_view(tree: TargetTree, *, today: dt.date | None = None) -> TreeView:
    """The whole tree with achievement rolled up, gaps and pace (for services and the director)."""
    today = today or local_today()
    nodes = list(TargetNode.objects.filter(tree=tree).select_related("owner").order_by("id"))
    plans = {
        p.node_id: p
        for p in CorrectivePlan.objects.filter(node__tree=tree).exclude(status=PlanStatus.WITHDRAWN).order_by("id")
    }
    start, end = period_range(tree.period, tree.start)
    views = {n.pk: NodeView(node=n, plan=plans.get(n.pk)) for n in nodes}
    booked = attribute(member_actuals(tree.metric, start, end), {n.owner_id for n in nodes}) if nodes else {}
    roots: list[NodeView] = []
    for n in nodes:
        v = views[n.pk]
        v.own_actual = booked.get(n.owner_id, Decimal(0))
        parent = views.get(n.parent_id) if n.parent_id else None
        if parent is None:
            roots.append(v)
        else:
            parent.children.append(v)
    elapsed = (Decimal(period_elapsed_share(tree.period, tree.start, today)) * HUNDRED).quantize(CENT)
    margin = Decimal(settings.TARGET_PACE_MARGIN)
    # Post-order over an explicit stack: sums, gaps, percentages (no recursion limit on deep trees).
    order: list[tuple[NodeView, int]] = []
    stack = [(r, 0) for r in roots]
    visited: set[int] = set()
    while stack:
        v, depth = stack.pop()
        if v.node.pk in visited:
            continue
        visited.add(v.node.pk)
        v.depth = depth
        order.append((v, depth))
        stack.extend((c, depth + 1) for c in v.children)
    for v, _depth in reversed(order):
        v.actual = v.own_actual + sum((c.actual for c in v.children), Decimal(0))
        if v.children:
            v.gap = v.node.amount - sum((c.node.amount for c in v.children), Decimal(0))
        v.expected_percent = elapsed
        if v.node.amount > 0:
            v.percent = (v.actual / v.node.amount * HUNDRED).quantize(CENT)
            v.behind = start <= today and v.percent < elapsed - margin
    return TreeView(tree=tree, roots=roots, nodes=views, today=today, elapsed_percent=elapsed)


def scope_ids(viewer: Member) -> set[int] | None:
    """Members whose targets `viewer` may read (None: everyone)."""
    if viewer.role == Role.DIRECTOR:
        return None
    return set(Member.objects.filter(pk__in=work_scope_q(viewer)).values_list("pk", flat=True))


def can_read_targets(viewer: Member | None) -> bool:
    return viewer is not None and viewer.is_active and viewer.role in TARGET_READERS


def tree_view_for(viewer: Member, tree: TargetTree, *, today: dt.date | None = None) -> TreeView:
    """The part of the tree `viewer` may read: the subtrees of the nodes of members in their scope."""
    if not can_read_targets(viewer):
        raise NotFound
    full = tree_view(tree, today=today)
    allowed = scope_ids(viewer)
    if allowed is None:
        return full
    roots = [
        v
        for v in full.nodes.values()
        if v.node.owner_id in allowed
        and not (v.node.parent_id and full.nodes[v.node.parent_id].node.owner_id in allowed)
    ]
    roots.sort(key=lambda v: (v.depth, v.node.pk))
    visible: dict[int, NodeView] = {}
    for r in roots:
        stack = [r]
        while stack:
            v = stack.pop()
            visible[v.node.pk] = v
            stack.extend(v.children)
    return TreeView(tree=tree, roots=roots, nodes=visible, today=full.today, elapsed_percent=full.elapsed_percent)


def tree_find(period: str, start: dt.date, metric: str) -> TargetTree | None:
    return TargetTree.objects.filter(period=period, start=period_start(period, start), metric=metric).first()


def tree_get_for(viewer: Member, tree_id: int) -> TargetTree:
    """A tree the viewer holds or reads at least one node of (404 otherwise)."""
    if not can_read_targets(viewer):
        raise NotFound
    tree = TargetTree.objects.filter(pk=tree_id).first()
    if tree is None:
        raise NotFound
    if viewer.role != Role.DIRECTOR and not TargetNode.objects.visible_to(viewer).filter(tree=tree).exists():
        raise NotFound
    return tree


def node_get_for(viewer: Member, node_id: int) -> TargetNode:
    if not can_read_targets(viewer):
        raise NotFound
    node = TargetNode.objects.visible_to(viewer).select_related("tree", "owner", "parent").filter(pk=node_id).first()
    if node is None:
        raise NotFound
    return node


def plan_get_for(viewer: Member, plan_id: int) -> CorrectivePlan:
    if not can_read_targets(viewer):
        raise NotFound
    plan = (
        CorrectivePlan.objects.filter(pk=plan_id, node__in=TargetNode.objects.visible_to(viewer))
        .select_related("node", "node__owner", "node__tree")
        .first()
    )
    if plan is None:
        raise NotFound
    return plan


def node_list(
    *, viewer: Member, period: str = "", start: dt.date | None = None, metric: str = "", owner_id: int | None = None
) -> QuerySet[TargetNode]:
    """Target nodes the viewer may read, filtered (for the paged API list)."""
    qs = TargetNode.objects.visible_to(viewer).select_related("tree", "owner")
    filters = Q()
    if period:
        filters &= Q(tree__period=period)
    if start is not None and period:
        filters &= Q(tree__start=period_start(period, start))
    if metric:
        filters &= Q(tree__metric=metric)
    if owner_id is not None:
        filters &= Q(owner_id=owner_id)
    return qs.filter(filters)


def current_trees(today: dt.date) -> QuerySet[TargetTree]:
    """Published trees whose period contains `today` (what the pace check looks at)."""
    starts = Q()
    for kind in ("month", "quarter", "year"):
        starts |= Q(period=kind, start=period_start(kind, today))
    return TargetTree.objects.filter(starts, status="published")
