"""Discipline pages: the proposals inbox of leads, the records (scoped), a record with its decision and appeal,
the sanction policies (administrators and compliance), and the Excel export of a period's records."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhidu.compliance.models import Category, Severity
from zhidu.core.access import member_required
from zhidu.core.errors import DomainError, NotFound
from zhidu.core.periods import local_today
from zhidu.core.text import clean_query, id_param
from zhidu.org.models import LEAD_ROLES
from zhidu.policies.models import Article, VersionStatus

from . import selectors as sel
from . import services as svc
from .models import PENALTY_KINDS, POLICY_EDITORS, READER_ROLES, REWARD_KINDS, Kind, SanctionPolicy, Status
from .xlsx import XLSX_TYPE, sanctions_xlsx

ARTICLES_MAX = 500  # articles offered in the policy form (published regulations only)


def _fail(request: HttpRequest, exc: DomainError) -> None:
    if exc.code == "forbidden":
        raise PermissionDenied from None
    messages.error(request, exc.message)


def _get(request: HttpRequest, pk: int) -> Any:
    try:
        return sel.sanction_get_for(request.member, pk)  # type: ignore[attr-defined]
    except NotFound:
        raise Http404 from None


@member_required(*LEAD_ROLES)
def inbox(request: HttpRequest) -> HttpResponse:
    viewer = request.member  # type: ignore[attr-defined]
    after = id_param(clean_query(request).get("after"))
    rows = sel.inbox(viewer, after=after, limit=settings.DISCIPLINE_PAGE_SIZE)
    context = {
        "rows": rows,
        "appeals": sel.appeals_to_decide(viewer, limit=settings.DISCIPLINE_PAGE_SIZE),
        "next_after": rows[-1].pk if len(rows) >= settings.DISCIPLINE_PAGE_SIZE else None,
    }
    return render(request, "discipline/inbox.html", context)


@member_required(*READER_ROLES)
def records(request: HttpRequest) -> HttpResponse:
    viewer = request.member  # type: ignore[attr-defined]
    params = clean_query(request)
    status = params.get("status", "")
    status = status if status in Status.values else ""
    rows = sel.sanction_list(
        viewer, status=status, after=id_param(params.get("after")), limit=settings.DISCIPLINE_PAGE_SIZE
    )
    today = local_today()
    context = {
        "rows": rows,
        "status": status,
        "statuses": Status.choices,
        "next_after": rows[-1].pk if len(rows) >= settings.DISCIPLINE_PAGE_SIZE else None,
        "month_start": today.replace(day=1).isoformat(),
        "today": today.isoformat(),
    }
    return render(request, "discipline/records.html", context)


@member_required(*READER_ROLES, *LEAD_ROLES)
def record(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = request.member  # type: ignore[attr-defined]
    s = _get(request, pk)
    appeal = getattr(s, "appeal", None)
    side = REWARD_KINDS if s.is_reward else PENALTY_KINDS
    context = {
        "s": s,
        "reasons": sel.reasoning(s),
        "appeal": appeal,
        "can_decide": svc.can_decide(viewer, s),
        "can_appeal": svc.can_appeal(viewer, s),
        "can_decide_appeal": appeal is not None and svc.can_decide_appeal(viewer, appeal),
        "deadline": svc.appeal_deadline(s),
        "kinds": [(k.value, k.label) for k in Kind if k in side],
    }
    return render(request, "discipline/record.html", context)


@require_POST
@member_required(*LEAD_ROLES)
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    s = _get(request, pk)
    action, reason = request.POST.get("action", ""), request.POST.get("reason", "")
    try:
        if action == "approve":
            svc.sanction_approve(actor=request.member, sanction=s, reason=reason)  # type: ignore[attr-defined]
        elif action == "change":
            svc.sanction_change(
                actor=request.member,  # type: ignore[attr-defined]
                sanction=s,
                kind=request.POST.get("kind", ""),
                amount=request.POST.get("amount", ""),
                reason=reason,
            )
        elif action == "reject":
            svc.sanction_reject(actor=request.member, sanction=s, reason=reason)  # type: ignore[attr-defined]
        else:
            raise Http404
        messages.success(request, _("Decision recorded."))
    except DomainError as exc:
        _fail(request, exc)
    return redirect("discipline:record", pk=s.pk)


@require_POST
@member_required(*READER_ROLES)
def appeal(request: HttpRequest, pk: int) -> HttpResponse:
    s = _get(request, pk)
    try:
        svc.appeal_submit(actor=request.member, sanction=s, text=request.POST.get("text", ""))  # type: ignore[attr-defined]
        messages.success(request, _("Your appeal was sent."))
    except DomainError as exc:
        _fail(request, exc)
    return redirect("discipline:record", pk=s.pk)


@require_POST
@member_required(*LEAD_ROLES)
def appeal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    s = _get(request, pk)
    a = getattr(s, "appeal", None)
    if a is None:
        raise Http404
    try:
        svc.appeal_decide(
            actor=request.member,  # type: ignore[attr-defined]
            appeal=a,
            uphold=request.POST.get("outcome") == "uphold",
            reason=request.POST.get("reason", ""),
        )
        messages.success(request, _("Decision recorded."))
    except DomainError as exc:
        _fail(request, exc)
    return redirect("discipline:record", pk=s.pk)


def _policy_context(policy: SanctionPolicy | None, data: dict[str, Any] | None = None) -> dict[str, Any]:
    articles = Article.objects.filter(version__status=VersionStatus.PUBLISHED).select_related("version")
    return {
        "policy": policy,
        "data": data,
        "kinds": [(k.value, k.label) for k in Kind if k in PENALTY_KINDS],
        "categories": Category.choices,
        "severities": Severity.choices,
        "articles": [
            (a.pk, f"《{a.version.policy.title}》{a.label}") for a in articles.order_by("version_id", "order")[:500]
        ],
    }


@member_required(*POLICY_EDITORS)
def policies(request: HttpRequest) -> HttpResponse:
    viewer = request.member  # type: ignore[attr-defined]
    if request.method == "POST":
        try:
            if request.POST.get("action") == "defaults":
                svc.policy_defaults(actor=viewer)
            else:
                svc.policy_save(actor=viewer, data=_form_data(request))
            messages.success(request, _("Saved."))
            return redirect("discipline:policies")
        except DomainError as exc:
            _fail(request, exc)
    context = _policy_context(None) | {"rows": sel.policy_list(viewer), "new": SanctionPolicy()}
    return render(request, "discipline/policies.html", context)


@member_required(*POLICY_EDITORS)
def policy_edit(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = request.member  # type: ignore[attr-defined]
    try:
        policy = sel.policy_get_for(viewer, pk)
    except NotFound:
        raise Http404 from None
    if request.method == "POST":
        try:
            svc.policy_save(actor=viewer, policy=policy, data=_form_data(request))
            messages.success(request, _("Saved."))
            return redirect("discipline:policies")
        except DomainError as exc:
            _fail(request, exc)
    return render(request, "discipline/policy_edit.html", _policy_context(policy))


def _form_data(request: HttpRequest) -> dict[str, Any]:
    p = request.POST
    data: dict[str, Any] = {k: p.get(k, "") for k in (
        "name", "category", "severity", "first_kind", "again_kind", "loss_kind", "impact_kind", "serious_kind",
        "fine_amount", "serious_loss", "repeat_threshold", "window_days",
    )}  # fmt: skip
    data["article_id"] = id_param(p.get("article_id"))
    data["active"] = p.get("active") == "on"
    data["refer_at_once"] = p.get("refer_at_once") == "on"
    return data


@member_required(*READER_ROLES)
def export(request: HttpRequest) -> HttpResponse:
    params = clean_query(request)
    today = local_today()
    try:
        start = dt.date.fromisoformat(params.get("start", ""))
    except ValueError:
        start = today.replace(day=1)
    try:
        end = dt.date.fromisoformat(params.get("end", ""))
    except ValueError:
        end = today
    rows = sel.period_sanctions(request.member, start, end, limit=settings.DISCIPLINE_EXPORT_MAX_ROWS)  # type: ignore[attr-defined]
    response = HttpResponse(sanctions_xlsx(rows), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="sanctions-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"'
    return response
