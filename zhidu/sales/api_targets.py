"""REST: /api/sales/targets — the target list (paged, with a total), a period's tree with live achievement,
the company target, splits, publishing, Excel import and export, and corrective plans. Scoped like the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from zhidu.core.errors import DomainError, NotFound
from zhidu.core.periods import local_today
from zhidu.core.schemas import FreeText, Id, PageIn, paginate
from zhidu.org.models import Member

from . import targets_errors as E
from . import targets_selectors as sel
from .models.targets import CorrectivePlan, Metric, PeriodKind, TargetNode
from .services import targets as svc
from .services import targets_xlsx as xlsx

router = Router(tags=["sales: targets"])

IMPORT_MAX_BYTES = 5 * 1024 * 1024  # a tree of thousands of rows is well under 1 MB


def _me(request: HttpRequest) -> Member:
    return request.auth  # type: ignore[attr-defined,no-any-return]


class PeriodQuery(Schema):
    period: PeriodKind = PeriodKind.MONTH
    start: dt.date | None = None
    metric: Metric = Metric.REVENUE


class NodeOut(Schema):
    id: int
    tree_id: int
    parent_id: int | None
    owner_id: int
    owner_name: str
    period: str
    start: dt.date
    metric: str
    amount: Decimal


class NodeLiveOut(NodeOut):
    actual: Decimal
    percent: Decimal
    gap: Decimal | None
    behind: bool
    plan_id: int | None
    plan_status: str | None


class NodePage(Schema):
    total: int
    items: list[NodeOut]


class TreeOut(Schema):
    id: int
    period: str
    start: dt.date
    metric: str
    status: str
    elapsed_percent: Decimal
    nodes: list[NodeLiveOut]


class CompanyIn(Schema):
    period: PeriodKind
    start: dt.date
    metric: Metric
    amount: Decimal = Field(ge=0, le=svc.AMOUNT_MAX, decimal_places=2)


class PartIn(Schema):
    member_id: Id
    amount: Decimal = Field(ge=0, le=svc.AMOUNT_MAX, decimal_places=2)


class SplitIn(Schema):
    parts: list[PartIn] = Field(max_length=svc.SPLIT_MAX)


class TargetPublishIn(Schema):
    confirm_gap: bool = False
    reason: FreeText = ""


class TargetPlanIn(Schema):
    text: FreeText


class TargetReasonIn(Schema):
    reason: FreeText = ""


class TargetPlanOut(Schema):
    id: int
    node_id: int
    owner_name: str
    status: str
    expected_percent: Decimal
    actual_percent: Decimal
    text: str
    submitted_at: dt.datetime | None


def _node(n: TargetNode) -> dict[str, object]:
    return {
        "id": n.pk,
        "tree_id": n.tree_id,
        "parent_id": n.parent_id,
        "owner_id": n.owner_id,
        "owner_name": n.owner.name,
        "period": n.tree.period,
        "start": n.tree.start,
        "metric": n.tree.metric,
        "amount": n.amount,
    }


def _tree(view: sel.TreeView) -> TreeOut:
    t = view.tree
    nodes = []
    for v in view.flat():
        v.node.tree = t
        nodes.append(
            NodeLiveOut(
                **_node(v.node),  # type: ignore[arg-type]
                actual=v.actual,
                percent=v.percent,
                gap=v.gap,
                behind=v.behind,
                plan_id=v.plan.pk if v.plan else None,
                plan_status=v.plan.status if v.plan else None,
            )
        )
    return TreeOut(
        id=t.pk,
        period=t.period,
        start=t.start,
        metric=t.metric,
        status=t.status,
        elapsed_percent=view.elapsed_percent,
        nodes=nodes,
    )


def _plan(p: CorrectivePlan) -> TargetPlanOut:
    return TargetPlanOut(
        id=p.pk,
        node_id=p.node_id,
        owner_name=p.node.owner.name,
        status=p.status,
        expected_percent=p.expected_percent,
        actual_percent=p.actual_percent,
        text=p.text,
        submitted_at=p.submitted_at,
    )


def _find_tree(viewer: Member, q: PeriodQuery) -> sel.TreeView:
    if not sel.can_read_targets(viewer):
        raise NotFound
    tree = sel.tree_find(q.period, q.start or local_today(), q.metric)
    if tree is None:
        raise NotFound
    view = sel.tree_view_for(viewer, tree)
    if not view.roots:
        raise NotFound
    return view


@router.get("", response=NodePage)
def target_list(request: HttpRequest, page: Query[PageIn], q: Query[PeriodQuery], owner: Id | None = None) -> NodePage:
    """Targets the caller may read for a period kind and metric (all periods without `start`), with the total."""
    if not sel.can_read_targets(_me(request)):
        raise NotFound
    qs = sel.node_list(viewer=_me(request), period=q.period, start=q.start, metric=q.metric, owner_id=owner)
    return NodePage(total=qs.count(), items=[NodeOut(**_node(n)) for n in paginate(qs, page)])  # type: ignore[arg-type]


@router.get("/tree", response=TreeOut)
def target_tree(request: HttpRequest, q: Query[PeriodQuery]) -> TreeOut:
    return _tree(_find_tree(_me(request), q))


@router.post("/company", response=TreeOut)
def target_company(request: HttpRequest, payload: CompanyIn) -> TreeOut:
    root = svc.target_company_set(
        actor=_me(request), period=payload.period, start=payload.start, metric=payload.metric, amount=payload.amount
    )
    return _tree(sel.tree_view_for(_me(request), root.tree))


@router.post("/nodes/{node_id}/split", response=TreeOut)
def target_split(request: HttpRequest, node_id: int, payload: SplitIn) -> TreeOut:
    node = sel.node_get_for(_me(request), node_id)
    parts = [svc.Part(member_id=p.member_id, amount=p.amount) for p in payload.parts]
    svc.target_split(actor=_me(request), node=node, parts=parts)
    return _tree(sel.tree_view_for(_me(request), node.tree))


@router.post("/trees/{tree_id}/publish", response=TreeOut)
def target_publish(request: HttpRequest, tree_id: int, payload: TargetPublishIn) -> TreeOut:
    tree = sel.tree_get_for(_me(request), tree_id)
    svc.target_tree_publish(actor=_me(request), tree=tree, confirm_gap=payload.confirm_gap, reason=payload.reason)
    tree.refresh_from_db()
    return _tree(sel.tree_view_for(_me(request), tree))


@router.get("/export")
def target_export(request: HttpRequest, q: Query[PeriodQuery]) -> HttpResponse:
    view = _find_tree(_me(request), q)
    response = HttpResponse(xlsx.tree_export_xlsx(view), content_type=xlsx.XLSX_TYPE)
    name = f"targets-{view.tree.metric}-{view.tree.period}-{view.tree.start:%Y-%m-%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.post("/import", response=TreeOut)
def target_import(
    request: HttpRequest,
    file: File[UploadedFile],
    period: Form[PeriodKind],
    start: Form[dt.date],
    metric: Form[Metric],
) -> TreeOut:
    if file.size and file.size > IMPORT_MAX_BYTES:
        raise DomainError(E.ERR_TOO_LARGE, field="file", max=IMPORT_MAX_BYTES // 1024 // 1024)
    tree = xlsx.tree_import_xlsx(actor=_me(request), period=period, start=start, metric=metric, content=file.read())
    return _tree(sel.tree_view_for(_me(request), tree))


@router.get("/plans/{plan_id}", response=TargetPlanOut)
def plan_detail(request: HttpRequest, plan_id: int) -> TargetPlanOut:
    return _plan(sel.plan_get_for(_me(request), plan_id))


@router.post("/plans/{plan_id}/submit", response=TargetPlanOut)
def plan_submit(request: HttpRequest, plan_id: int, payload: TargetPlanIn) -> TargetPlanOut:
    plan = svc.target_plan_submit(actor=_me(request), plan=sel.plan_get_for(_me(request), plan_id), text=payload.text)
    return _plan(plan)


@router.post("/plans/{plan_id}/withdraw", response=TargetPlanOut)
def plan_withdraw(request: HttpRequest, plan_id: int, payload: TargetReasonIn) -> TargetPlanOut:
    plan = sel.plan_get_for(_me(request), plan_id)
    svc.target_plan_withdraw(actor=_me(request), plan=plan, reason=payload.reason)
    return _plan(sel.plan_get_for(_me(request), plan_id))
