"""Writes to targets: the company target, splits down the hierarchy, publishing, and corrective plans.

Every function is keyword-only, validates first, then writes in one transaction with an audit event.
Who may split a node: its owner, the owner of any node above it, and the director. A split's members must be
in the sales roles, inside the owner's scope (`work_scope_q`: a manager's department subtree, a supervisor's
reports), and hold no other node of the same tree (so a tree can never loop back on itself).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from zhidu.core.audit import audit_record
from zhidu.core.errors import DomainError
from zhidu.core.notifications import notify
from zhidu.core.periods import local_today, period_start
from zhidu.org.models import SALES_ROLES, Member, MemberStatus, Role, work_scope_q

from .. import targets_errors as E
from ..models.targets import (
    CorrectivePlan,
    Metric,
    PeriodKind,
    PlanStatus,
    TargetNode,
    TargetTree,
    TreeStatus,
)
from ..targets_selectors import current_trees, tree_view

AMOUNT_MAX = Decimal("99999999999999.99")
SPLIT_MAX = 500
PLAN_MAX = 4000
REASON_MAX = 2000


@dataclass(frozen=True)
class Part:
    member_id: int
    amount: Decimal


def clean_amount(value: object) -> Decimal:
    """A target as Decimal (2 places), 0 ≤ amount ≤ AMOUNT_MAX; floats are refused like everywhere for money."""
    try:
        if isinstance(value, float):
            raise TypeError
        amount = Decimal(str(value).strip())
    except (InvalidOperation, TypeError, ValueError):
        raise DomainError(E.ERR_AMOUNT, field="amount", max=AMOUNT_MAX) from None
    if not amount.is_finite() or amount < 0 or amount > AMOUNT_MAX:
        raise DomainError(E.ERR_AMOUNT, field="amount", max=AMOUNT_MAX)
    return amount.quantize(Decimal("0.01"))


def clean_period(period: str, metric: str) -> None:
    if period not in PeriodKind.values:
        raise DomainError(E.ERR_PERIOD, field="period", value=period)
    if metric not in Metric.values:
        raise DomainError(E.ERR_METRIC, field="metric", value=metric)


def may_edit(actor: Member | None, node: TargetNode) -> bool:
    """The owner, anyone owning a node above it, or the director."""
    if actor is None or not actor.is_active:
        return False
    if actor.role == Role.DIRECTOR:
        return True
    parents = dict(TargetNode.objects.filter(tree_id=node.tree_id).values_list("id", "parent_id"))
    owners = dict(TargetNode.objects.filter(tree_id=node.tree_id).values_list("id", "owner_id"))
    current: int | None = node.pk
    for _ in range(len(parents) + 1):
        if current is None:
            return False
        if owners.get(current) == actor.pk:
            return True
        current = parents.get(current)
    return False


@transaction.atomic
def target_company_set(*, actor: Member, period: str, start: dt.date, metric: str, amount: object) -> TargetNode:
    """The director sets (or changes) the company target of a period and metric; creates the tree if needed."""
    clean_period(period, metric)
    if not actor.is_active or actor.role != Role.DIRECTOR:
        raise DomainError(E.ERR_DIRECTOR_ONLY, code="forbidden")
    value = clean_amount(amount)
    tree, _ = TargetTree.objects.get_or_create(period=period, start=period_start(period, start), metric=metric)
    root = TargetNode.objects.select_for_update().filter(tree=tree, parent__isnull=True).first()
    before = {"amount": root.amount, "owner": root.owner_id} if root else None
    if root is None:
        if TargetNode.objects.filter(tree=tree, owner=actor).exists():
            raise DomainError(E.ERR_CYCLE, field="owner", name=actor.name)
        root = TargetNode.objects.create(tree=tree, owner=actor, amount=value, set_by=actor)
    else:
        root.amount, root.set_by = value, actor
        root.save(update_fields=["amount", "set_by", "updated_at"])
    audit_record(actor=actor, verb="target.set", target=root, before=before, after={"amount": value})
    return root


def _validate_parts(node: TargetNode, parts: Sequence[Part]) -> dict[int, Member]:
    if len(parts) > SPLIT_MAX:
        raise DomainError(E.ERR_SPLIT_TOO_LONG, field="parts", max=SPLIT_MAX)
    ids = [p.member_id for p in parts]
    members = Member.objects.in_bulk(ids)
    in_scope = set(
        Member.objects.filter(pk__in=ids).filter(pk__in=work_scope_q(node.owner)).values_list("pk", flat=True)
    )
    elsewhere = dict(
        TargetNode.objects.filter(tree_id=node.tree_id, owner_id__in=ids)
        .exclude(parent_id=node.pk)
        .values_list("owner_id", "pk")
    )
    seen: set[int] = set()
    for p in parts:
        m = members.get(p.member_id)
        if m is None or m.status != MemberStatus.ACTIVE:
            raise DomainError(E.ERR_MEMBER_UNKNOWN, field="parts", member=p.member_id)
        if m.pk == node.owner_id:
            raise DomainError(E.ERR_MEMBER_SELF, field="parts", name=m.name)
        if m.pk in seen:
            raise DomainError(E.ERR_MEMBER_TWICE, field="parts", name=m.name)
        seen.add(m.pk)
        if m.role not in SALES_ROLES:
            raise DomainError(E.ERR_MEMBER_ROLE, field="parts", name=m.name)
        if m.pk not in in_scope:
            raise DomainError(E.ERR_OUT_OF_SCOPE, field="parts", name=m.name, owner=node.owner.name)
        if m.pk in elsewhere:
            raise DomainError(E.ERR_CYCLE, field="parts", name=m.name)
        clean_amount(p.amount)
    return members


@transaction.atomic
def target_split(*, actor: Member, node: TargetNode, parts: Sequence[Part]) -> TargetNode:
    """Replace the node's split: children are created, changed or removed to match `parts`.

    A split that does not add up is kept (the gap shows on the tree); publishing then needs a confirmation.
    """
    node = TargetNode.objects.select_for_update().select_related("owner").get(pk=node.pk)
    if not may_edit(actor, node):
        raise DomainError(E.ERR_NOT_ALLOWED, code="forbidden")
    members = _validate_parts(node, parts)
    children = {c.owner_id: c for c in TargetNode.objects.filter(parent=node).select_related("owner")}
    wanted = {p.member_id: clean_amount(p.amount) for p in parts}
    removed = [c for owner_id, c in children.items() if owner_id not in wanted]
    if removed:
        split_further = set(
            TargetNode.objects.filter(parent__in=removed).values_list("parent__owner__name", flat=True)[:1]
        )
        if split_further:
            raise DomainError(E.ERR_REMOVE_SPLIT, field="parts", name=next(iter(split_further)))
    before = {str(owner_id): c.amount for owner_id, c in children.items()}
    if removed:
        CorrectivePlan.objects.filter(node__in=removed).delete()
        TargetNode.objects.filter(pk__in=[c.pk for c in removed]).delete()
    for member_id, amount in wanted.items():
        child = children.get(member_id)
        if child is None:
            TargetNode.objects.create(
                tree_id=node.tree_id, parent=node, owner=members[member_id], amount=amount, set_by=actor
            )
        elif child.amount != amount:
            child.amount, child.set_by = amount, actor
            child.save(update_fields=["amount", "set_by", "updated_at"])
    total = sum(wanted.values(), Decimal(0))
    audit_record(
        actor=actor,
        verb="target.split",
        target=node,
        before=before,
        after={**{str(k): v for k, v in wanted.items()}, "gap": node.amount - total},
    )
    return node


@transaction.atomic
def target_tree_publish(*, actor: Member, tree: TargetTree, confirm_gap: bool = False, reason: str = "") -> TargetTree:
    """The director publishes the tree. With gaps, only with `confirm_gap` and a reason (both audited)."""
    if not actor.is_active or actor.role != Role.DIRECTOR:
        raise DomainError(E.ERR_DIRECTOR_ONLY, code="forbidden")
    tree = TargetTree.objects.select_for_update().get(pk=tree.pk)
    if not TargetNode.objects.filter(tree=tree).exists():
        raise DomainError(E.ERR_NO_TREE, field="tree")
    view = tree_view(tree)
    gaps = {v.owner.name: v.gap for v in view.gaps}
    reason = reason.strip()[:REASON_MAX]
    if gaps and not confirm_gap:
        listed = "; ".join(gettext(E.GAP_ITEM).format(name=n, gap=g) for n, g in gaps.items())
        raise DomainError(E.ERR_GAP, code="conflict", field="confirm_gap", gaps=listed)
    if gaps and not reason:
        raise DomainError(E.ERR_GAP_REASON, field="reason")
    before = {"status": tree.status}
    tree.status, tree.published_at, tree.published_by = TreeStatus.PUBLISHED, timezone.now(), actor
    tree.gap_confirmed_reason = reason if gaps else ""
    tree.save(update_fields=["status", "published_at", "published_by", "gap_confirmed_reason", "updated_at"])
    audit_record(
        actor=actor,
        verb="target.publish_with_gaps" if gaps else "target.publish",
        target=tree,
        before=before,
        after={"status": tree.status, "gaps": {n: g for n, g in gaps.items()}},
        reason=reason if gaps else "",
    )
    return tree


# --- pace and corrective plans (S7 第十四条) ------------------------------------------------------------


def target_pace_check(*, today: dt.date | None = None) -> list[CorrectivePlan]:
    """Ask the owner of every node behind pace (current, published trees) for a corrective plan.

    Idempotent: a node with an open plan (requested or submitted) is not asked again until it is withdrawn.
    """
    today = today or local_today()
    created: list[CorrectivePlan] = []
    for tree in current_trees(today):
        view = tree_view(tree, today=today)
        behind = [v for v in view.nodes.values() if v.behind and v.plan is None]
        for v in behind:
            with transaction.atomic():
                if CorrectivePlan.objects.filter(node=v.node).exclude(status=PlanStatus.WITHDRAWN).exists():
                    continue
                plan = CorrectivePlan.objects.create(
                    node=v.node, expected_percent=v.expected_percent, actual_percent=v.percent
                )
                audit_record(
                    actor=None,
                    actor_label="target-pace",
                    verb="target.plan_request",
                    target=plan,
                    after={"expected": v.expected_percent, "actual": v.percent},
                )
                _notify_plan_requested(plan, v.node)
                created.append(plan)
    return created


def _notify_plan_requested(plan: CorrectivePlan, node: TargetNode) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        notify(
            member_ids=[node.owner_id],
            title=gettext("Your target is behind pace: write a corrective plan"),
            body=gettext("%(tree)s: %(actual)s%% achieved, %(expected)s%% of the period elapsed.")
            % {"tree": node.tree, "actual": plan.actual_percent, "expected": plan.expected_percent},
            url=reverse("sales:target_plan", args=[plan.pk]),
            action=gettext("Write plan"),
            dedupe_key=f"target-plan:{plan.pk}",
        )


@transaction.atomic
def target_plan_submit(*, actor: Member, plan: CorrectivePlan, text: str) -> CorrectivePlan:
    """The node's owner writes (or rewrites) their corrective plan; the owner of the node above is told."""
    plan = (
        CorrectivePlan.objects.select_for_update().select_related("node", "node__owner", "node__tree").get(pk=plan.pk)
    )
    if plan.node.owner_id != actor.pk:
        raise DomainError(E.ERR_PLAN_OWNER, code="forbidden", name=plan.node.owner.name)
    if plan.status == PlanStatus.WITHDRAWN:
        raise DomainError(E.ERR_PLAN_STATE, code="conflict", status=plan.get_status_display())
    text = text.strip()
    if not 1 <= len(text) <= PLAN_MAX:
        raise DomainError(E.ERR_PLAN_TEXT, field="text", max=PLAN_MAX)
    before = {"status": plan.status, "text": plan.text}
    plan.status, plan.text, plan.submitted_at = PlanStatus.SUBMITTED, text, timezone.now()
    plan.save(update_fields=["status", "text", "submitted_at", "updated_at"])
    audit_record(actor=actor, verb="target.plan_submit", target=plan, before=before, after={"status": plan.status})
    if plan.node.parent_id:
        parent_owner = TargetNode.objects.filter(pk=plan.node.parent_id).values_list("owner_id", flat=True).first()
        with translation.override(settings.LANGUAGE_CODE):
            notify(
                member_ids=[parent_owner] if parent_owner else [],
                title=gettext("%(name)s wrote a corrective plan") % {"name": actor.name},
                body=text[:200],
                url=reverse("sales:target_plan", args=[plan.pk]),
                action=gettext("Read"),
                dedupe_key=f"target-plan-submitted:{plan.pk}:{plan.submitted_at.isoformat()}",
            )
    return plan


@transaction.atomic
def target_plan_withdraw(*, actor: Member, plan: CorrectivePlan, reason: str = "") -> CorrectivePlan:
    """The owner or a lead above withdraws the plan; the next pace check may ask again."""
    plan = CorrectivePlan.objects.select_for_update().select_related("node").get(pk=plan.pk)
    if not may_edit(actor, plan.node):
        raise DomainError(E.ERR_NOT_ALLOWED, code="forbidden")
    if plan.status == PlanStatus.WITHDRAWN:
        raise DomainError(E.ERR_PLAN_STATE, code="conflict", status=plan.get_status_display())
    before = {"status": plan.status}
    plan.status, plan.withdrawn_at = PlanStatus.WITHDRAWN, timezone.now()
    plan.save(update_fields=["status", "withdrawn_at", "updated_at"])
    audit_record(
        actor=actor,
        verb="target.plan_withdraw",
        target=plan,
        before=before,
        after={"status": plan.status},
        reason=reason.strip()[:REASON_MAX],
    )
    return plan
