"""Target pages: the tree editor of a period (progress bars, gaps, pace), a node's split, corrective plans,
Excel import and export. Every read is scoped (`targets_selectors`); every write is one service call."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from zhidu.core.access import member_required
from zhidu.core.errors import DomainError, NotFound
from zhidu.core.periods import local_today, period_end, period_start
from zhidu.core.text import TEXT_MAX, clean_query, clean_text
from zhidu.org.models import SALES_ROLES, Member, MemberStatus, Role, department_subtree_ids, work_scope_q

from . import targets_selectors as sel
from .models.targets import TARGET_READERS, Metric, PeriodKind, TargetNode
from .services import targets as svc
from .services import targets_xlsx as xlsx

ERR_NO_FILE = gettext_noop("Choose a file to import.")
CANDIDATES_MAX = 200


def _period(request: HttpRequest) -> tuple[str, dt.date, str]:
    params = clean_query(request)
    period = params.get("period", PeriodKind.MONTH)
    if period not in PeriodKind.values:
        period = PeriodKind.MONTH
    metric = params.get("metric", Metric.REVENUE)
    if metric not in Metric.values:
        metric = Metric.REVENUE
    try:
        start = dt.date.fromisoformat(params.get("start", ""))
    except ValueError:
        start = local_today()
    return period, period_start(period, start), metric


def _query(period: str, start: dt.date, metric: str) -> str:
    return urlencode({"period": period, "start": start.isoformat(), "metric": metric})


def _fail(request: HttpRequest, exc: DomainError) -> None:
    if exc.code == "forbidden":
        raise PermissionDenied from None
    messages.error(request, exc.message)


def _editable(viewer: Member, view: sel.TreeView) -> set[int]:
    """Nodes the viewer may split: everything for the director, else the subtrees of nodes they own."""
    if viewer.role == Role.DIRECTOR:
        return set(view.nodes)
    out: set[int] = set()
    stack = [v for v in view.nodes.values() if v.node.owner_id == viewer.pk]
    while stack:
        v = stack.pop()
        out.add(v.node.pk)
        stack.extend(v.children)
    return out


@member_required(*TARGET_READERS)
def target_tree(request: HttpRequest) -> HttpResponse:
    viewer = request.member  # type: ignore[attr-defined]
    period, start, metric = _period(request)
    tree = sel.tree_find(period, start, metric)
    view = sel.tree_view_for(viewer, tree) if tree is not None else None
    prev_start = period_start(period, start - dt.timedelta(days=1))
    next_start = period_end(period, start) + dt.timedelta(days=1)
    context: dict[str, Any] = {
        "period": period,
        "start": start,
        "end": period_end(period, start),
        "metric": metric,
        "periods": PeriodKind.choices,
        "metrics": Metric.choices,
        "view": view,
        "rows": view.flat() if view else [],
        "editable": _editable(viewer, view) if view else set(),
        "is_director": viewer.role == Role.DIRECTOR,
        "query": _query(period, start, metric),
        "prev_query": _query(period, prev_start, metric),
        "next_query": _query(period, next_start, metric),
        "money": metric == Metric.REVENUE,
    }
    return render(request, "sales/targets_tree.html", context)


@require_POST
@member_required(Role.DIRECTOR)
def target_company(request: HttpRequest) -> HttpResponse:
    period, start, metric = _period(request)
    try:
        svc.target_company_set(
            actor=request.member,  # type: ignore[attr-defined]
            period=period,
            start=start,
            metric=metric,
            amount=request.POST.get("amount", ""),
        )
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("The company target is set."))
    return redirect(reverse("sales:targets") + "?" + _query(period, start, metric))


def _candidates(node: TargetNode, children: list[TargetNode]) -> list[Member]:
    """Who the split can go to: current children, direct reports, then others in the owner's scope (bounded)."""
    taken = set(TargetNode.objects.filter(tree_id=node.tree_id).values_list("owner_id", flat=True))
    owner = node.owner
    scope = Member.objects.filter(pk__in=work_scope_q(owner), status=MemberStatus.ACTIVE, role__in=SALES_ROLES)
    scope = scope.exclude(pk=owner.pk).exclude(pk__in=taken)
    if owner.role == Role.MANAGER:
        scope = scope.filter(department_id__in=department_subtree_ids(owner.department_id))
    direct = list(scope.filter(reports_to=owner).order_by("name", "id")[:CANDIDATES_MAX])
    rest = list(scope.exclude(reports_to=owner).order_by("role", "name", "id")[: CANDIDATES_MAX - len(direct)])
    return [c.owner for c in children] + direct + rest


@member_required(*TARGET_READERS)
def target_split(request: HttpRequest, node_id: int) -> HttpResponse:
    viewer = request.member  # type: ignore[attr-defined]
    node = sel.node_get_for(viewer, node_id)
    if not svc.may_edit(viewer, node):
        raise PermissionDenied
    back = reverse("sales:targets") + "?" + _query(node.tree.period, node.tree.start, node.tree.metric)
    children = list(TargetNode.objects.filter(parent=node).select_related("owner").order_by("id"))
    if request.method == "POST":
        parts = []
        try:
            for key in request.POST:
                value = request.POST.get(key, "")
                if key.startswith("amount-") and value.strip():
                    member_id = key.removeprefix("amount-")
                    if not member_id.isdigit():
                        continue
                    parts.append(svc.Part(member_id=int(member_id), amount=svc.clean_amount(value)))
            svc.target_split(actor=viewer, node=node, parts=parts)
        except DomainError as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("The split is saved."))
            return redirect(back)
    amounts: dict[int, object] = {c.owner_id: c.amount for c in children}
    if request.method == "POST":
        amounts = {
            int(k.removeprefix("amount-")): request.POST.get(k, "")
            for k in request.POST
            if k.startswith("amount-") and k[7:].isdigit()
        }
    rows = [(m, amounts.get(m.pk, "")) for m in _candidates(node, children)]
    allocated = sum((c.amount for c in children), Decimal(0))
    context = {"node": node, "rows": rows, "back": back, "allocated": allocated, "gap": node.amount - allocated}
    return render(request, "sales/targets_split.html", context)


@require_POST
@member_required(Role.DIRECTOR)
def target_publish(request: HttpRequest, tree_id: int) -> HttpResponse:
    viewer = request.member  # type: ignore[attr-defined]
    tree = sel.tree_get_for(viewer, tree_id)
    try:
        svc.target_tree_publish(
            actor=viewer,
            tree=tree,
            confirm_gap=request.POST.get("confirm_gap") == "on",
            reason=clean_text(request.POST.get("reason", ""), field="reason", max_length=svc.REASON_MAX),
        )
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("The targets are published."))
    return redirect(reverse("sales:targets") + "?" + _query(tree.period, tree.start, tree.metric))


@member_required(*TARGET_READERS)
def target_export(request: HttpRequest) -> HttpResponse:
    viewer = request.member  # type: ignore[attr-defined]
    period, start, metric = _period(request)
    tree = sel.tree_find(period, start, metric)
    if tree is None:
        raise Http404
    view = sel.tree_view_for(viewer, tree)
    if not view.roots:
        raise Http404
    response = HttpResponse(xlsx.tree_export_xlsx(view), content_type=xlsx.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="targets-{metric}-{period}-{start:%Y-%m-%d}.xlsx"'
    return response


@require_POST
@member_required(Role.DIRECTOR)
def target_import(request: HttpRequest) -> HttpResponse:
    period, start, metric = _period(request)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise DomainError(ERR_NO_FILE, field="file")
        xlsx.tree_import_xlsx(
            actor=request.member,  # type: ignore[attr-defined]
            period=period,
            start=start,
            metric=metric,
            content=upload.read(),
        )
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("The targets were imported."))
    return redirect(reverse("sales:targets") + "?" + _query(period, start, metric))


@member_required(*TARGET_READERS)
def target_plan(request: HttpRequest, plan_id: int) -> HttpResponse:
    viewer = request.member  # type: ignore[attr-defined]
    try:
        plan = sel.plan_get_for(viewer, plan_id)
    except NotFound:
        raise Http404 from None
    if request.method == "POST":
        try:
            if request.POST.get("action") == "withdraw":
                reason = clean_text(request.POST.get("reason", ""), field="reason", max_length=svc.REASON_MAX)
                svc.target_plan_withdraw(actor=viewer, plan=plan, reason=reason)
                messages.success(request, _("The corrective plan is withdrawn."))
            else:
                text = clean_text(request.POST.get("text", ""), field="text", max_length=TEXT_MAX)
                svc.target_plan_submit(actor=viewer, plan=plan, text=text)
                messages.success(request, _("The corrective plan is saved."))
        except DomainError as exc:
            _fail(request, exc)
        else:
            return redirect("sales:target_plan", plan_id=plan.pk)
    tree = plan.node.tree
    context = {
        "plan": plan,
        "is_owner": plan.node.owner_id == viewer.pk,
        "may_withdraw": svc.may_edit(viewer, plan.node),
        "back": reverse("sales:targets") + "?" + _query(tree.period, tree.start, tree.metric),
    }
    return render(request, "sales/targets_plan.html", context)
