"""Report pages: my reports (the ones due now with a "write" button, my history; for leads the inbox and the
completeness of their teams' periods), a report (draft editing with the period's figures, the submitted view,
comments, the lead's review) and the templates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zhidu.core.access import member_required
from zhidu.core.errors import DomainError, NotFound
from zhidu.core.text import clean_query, id_param
from zhidu.org.models import Department, Member

from . import reports_periods as periods
from . import reports_selectors as sel
from . import reports_services as svc
from .models import Report, ReportKind, ReportStatus
from .reports_figures import figure_rows
from .reports_forms import ReportCommentForm, ReportForm, ReportTemplateForm, sections_text


def _member(request: HttpRequest) -> Member:
    return request.member  # type: ignore[attr-defined,no-any-return]


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


@member_required()
def report_home(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    params = clean_query(request)
    is_lead = sel.can_see_completeness(member)
    view = params.get("view", "mine")
    if view not in ("mine", "inbox", "completeness") or (view != "mine" and not is_lead):
        view = "mine"
    context: dict[str, Any] = {"view": view, "is_lead": is_lead, "kinds": ReportKind.choices}
    context.update(_VIEWS[view](member, params))
    if is_lead:
        context["unread"] = sel.inbox_unread_count(member)
    return render(request, "work/reports.html", context)


def _mine(member: Member, params: dict[str, str]) -> dict[str, Any]:
    rows = sel.report_page(member, box="mine", before=id_param(params.get("before")))
    return {
        "due": sel.reports_due_for(member, limit=settings.WORK_REPORT_DUE_SHOWN),
        "rows": rows,
        "more": len(rows) >= sel.page_size(),
    }


def _inbox(member: Member, params: dict[str, str]) -> dict[str, Any]:
    status = params.get("status", "")
    rows = sel.report_page(member, box="inbox", status=status, before=id_param(params.get("before")))
    return {"rows": rows, "status": status, "more": len(rows) >= sel.page_size()}


def _completeness(member: Member, params: dict[str, str]) -> dict[str, Any]:
    kind = params.get("kind", ReportKind.DAILY)
    kind = kind if kind in ReportKind.values else ReportKind.DAILY
    cal = svc.member_calendar(member)
    default = periods.latest_past_due(kind, timezone.now(), cal, periods.default_due_hour(kind))
    period = periods.period_of(kind, _date(params.get("period", "")) or default or timezone.localdate())
    teams, next_after = sel.completeness(member, kind=kind, period_start=period, after=id_param(params.get("after")))
    return {"kind": kind, "period": period, "teams": teams, "next_after": next_after}


_VIEWS = {"mine": _mine, "inbox": _inbox, "completeness": _completeness}


@require_POST
@member_required()
def report_write(request: HttpRequest) -> HttpResponse:
    """Open (make on first use) the member's report for a period, then show it."""
    period = _date(request.POST.get("period", ""))
    try:
        if period is None:
            raise DomainError(svc.E.ERR_REPORT_PERIOD)
        r = svc.report_draft(actor=_member(request), kind=request.POST.get("kind", ""), period_start=period)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("work:reports")
    return redirect("work:report", r.pk)


def _links(rows: list[Any]) -> list[tuple[Any, Any, str]]:
    out = []
    for figure, value in rows:
        try:
            url = reverse(figure.url_name) if figure.url_name else ""
        except NoReverseMatch:
            url = ""
        out.append((figure, value, url))
    return out


@member_required()
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    member = _member(request)
    try:
        r = sel.report_get_for(member, report_id)
    except NotFound:
        raise Http404 from None
    if request.method == "POST":
        return _post(request, member, r)
    return _render_detail(request, member, r)


def _render_detail(
    request: HttpRequest, member: Member, r: Report, form: ReportForm | None = None, status: int = 200
) -> HttpResponse:
    mine, may_review = r.member_id == member.pk, svc.can_review(member, r)
    if mine and r.is_draft and form is None:
        form = ReportForm(sections=r.sections)
    context = {
        "r": r,
        "mine": mine,
        "form": form if mine and r.is_draft else None,
        "figures": _links(figure_rows(r.figures)),
        "comments": sel.report_comments(r),
        "may_comment": not r.is_draft and (mine or may_review),
        "may_review": may_review and r.status == ReportStatus.SUBMITTED,
        "comment_form": ReportCommentForm(),
    }
    return render(request, "work/report_detail.html", context, status=status)


def _post(request: HttpRequest, member: Member, r: Report) -> HttpResponse:
    action = request.POST.get("action", "")
    if action not in _DONE:
        raise PermissionDenied
    form = ReportForm(request.POST, sections=r.sections)
    try:
        if action in ("comment", "review"):
            _lead_action(request, member, r, action)
        elif form.is_valid():
            _author_action(member, r, action, form)
        else:
            return _render_detail(request, member, r, form, status=400)
    except DomainError as exc:
        if exc.code == "forbidden":
            raise PermissionDenied from None
        messages.error(request, exc.message)
        fresh = sel.report_get_for(member, r.pk)
        return _render_detail(request, member, fresh, form, status=409 if exc.code == "conflict" else 400)
    messages.success(request, str(_DONE[action]))
    return redirect("work:report", r.pk)


def _lead_action(request: HttpRequest, member: Member, r: Report, action: str) -> None:
    cform = ReportCommentForm(request.POST)
    text = cform.cleaned_data["text"] if cform.is_valid() else ""
    if action == "comment":
        svc.report_comment(actor=member, report=r, text=text)
    else:
        svc.report_review(actor=member, report=r, text=text)


def _author_action(member: Member, r: Report, action: str, form: ReportForm) -> None:
    if action == "refresh":
        svc.report_refresh(actor=member, report=r)
    elif action == "save":
        svc.report_save(actor=member, report=r, texts=form.texts())
    else:
        svc.report_submit(actor=member, report=r, texts=form.texts())


_DONE = {
    "refresh": gettext_lazy("The figures are up to date."),
    "save": gettext_lazy("Draft saved."),
    "submit": gettext_lazy("Your report is submitted."),
    "comment": gettext_lazy("Comment added."),
    "review": gettext_lazy("The report is marked reviewed."),
}


@member_required()
def report_templates(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    params = clean_query(request)
    departments = sel.editable_departments(member)
    form = _template_form(request, member, departments, params) if departments else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid() and _save_template(request, member, form):
            return redirect(reverse("work:report_templates"))
    context = {"templates": sel.templates_for(member), "form": form}
    return render(
        request, "work/report_templates.html", context, status=400 if form is not None and form.errors else 200
    )


def _template_form(
    request: HttpRequest, member: Member, departments: list[tuple[int | None, str]], params: dict[str, str]
) -> ReportTemplateForm:
    initial: dict[str, Any] = {"kind": ReportKind.DAILY, "due_hour": periods.default_due_hour(ReportKind.DAILY)}
    initial["roles"] = ["sales"]
    dept = id_param(params.get("department"))
    kind = params.get("kind", "")
    if kind in ReportKind.values:
        t = sel.template_exact(dept, kind)
        initial.update(department=dept or "", kind=kind, due_hour=periods.default_due_hour(kind))
        if t is not None:
            initial.update(sections=sections_text(t.sections), due_hour=t.due_hour, roles=t.roles)
    data = request.POST if request.method == "POST" else None
    return ReportTemplateForm(data, initial=initial, departments=departments, company_label=_("Whole company"))


def _save_template(request: HttpRequest, member: Member, form: ReportTemplateForm) -> bool:
    d = form.cleaned_data
    department = Department.objects.filter(pk=d["department"]).first() if d["department"] else None
    try:
        svc.template_save(
            actor=member,
            department=department,
            kind=d["kind"],
            sections=form.section_list(),
            due_hour=d["due_hour"],
            roles=d["roles"],
        )
    except DomainError as exc:
        if exc.code == "forbidden":
            raise PermissionDenied from None
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return False
    messages.success(request, _("The report template is saved."))
    return True
