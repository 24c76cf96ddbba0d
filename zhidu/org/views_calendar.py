"""Meetings and training: the calendar list (with the Excel import and each department's setting whether
messages sent during sessions are flagged), and the form to plan, edit or cancel a session."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhidu.core.access import member_required
from zhidu.core.errors import DomainError
from zhidu.core.text import clean_query

from . import calendar as cal
from . import selectors
from .forms import CalendarImportForm, SessionForm
from .models import CalendarEntry, Member, Role

READERS = (Role.DIRECTOR, Role.MANAGER, Role.SUPERVISOR, Role.SALES, Role.COMPLIANCE, Role.ADMIN)


def _page(request: HttpRequest, viewer: Member, **extra: Any) -> HttpResponse:
    cursor = clean_query(request).get("cursor", "")
    entries, next_cursor = cal.calendar_page(viewer, cursor=cursor)
    context = {
        "entries": entries,
        "next_cursor": next_cursor,
        "can_plan": bool(cal.plannable_departments(viewer)),
        "can_edit_flags": cal.can_edit_flags(viewer),
        "flags": cal.flag_rows(viewer),
        "import_form": CalendarImportForm(),
    }
    return render(request, "org/calendar.html", context | extra)


@member_required(*READERS)
def calendar(request: HttpRequest) -> HttpResponse:
    return _page(request, request.member)  # type: ignore[attr-defined]


def _input(form: SessionForm) -> cal.SessionInput:
    d = form.cleaned_data
    return cal.SessionInput(
        title=d["title"],
        kind=d["kind"],
        department=d["department"],
        starts_at=d["starts_at"],
        ends_at=d["ends_at"],
        participants=tuple(d["participants"]),
    )


@member_required(*cal.PLANNERS)
def session_new(request: HttpRequest) -> HttpResponse:
    viewer = request.member  # type: ignore[attr-defined]
    form = SessionForm(request.POST or None, departments=cal.plannable_departments(viewer))
    if request.method == "POST" and form.is_valid():
        try:
            cal.session_create(actor=viewer, data=_input(form))
            messages.success(request, _("Session saved."))
            return redirect("org:calendar")
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return render(request, "org/calendar_form.html", {"form": form, "entry": None})


@member_required(*cal.PLANNERS)
def session_edit(request: HttpRequest, entry_id: int) -> HttpResponse:
    viewer = request.member  # type: ignore[attr-defined]
    entry = cal.calendar_get_for(viewer, entry_id)
    initial = {"participants": list(entry.participants.all())} | {
        f: getattr(entry, f) for f in ("title", "kind", "department", "starts_at", "ends_at")
    }
    form = SessionForm(request.POST or None, initial=initial, departments=cal.plannable_departments(viewer))
    if request.method == "POST" and form.is_valid():
        try:
            cal.session_update(actor=viewer, entry=entry, data=_input(form))
            messages.success(request, _("Session saved."))
            return redirect("org:calendar")
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return render(request, "org/calendar_form.html", {"form": form, "entry": entry})


@require_POST
@member_required(*cal.PLANNERS)
def session_cancel(request: HttpRequest, entry_id: int) -> HttpResponse:
    viewer = request.member  # type: ignore[attr-defined]
    entry: CalendarEntry = cal.calendar_get_for(viewer, entry_id)
    try:
        cal.session_cancel(actor=viewer, entry=entry)
        messages.success(request, _("Session cancelled."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("org:calendar")


@require_POST
@member_required(*cal.PLANNERS)
def calendar_import(request: HttpRequest) -> HttpResponse:
    viewer = request.member  # type: ignore[attr-defined]
    form = CalendarImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, viewer, import_form=form)
    try:
        result = cal.calendar_import(actor=viewer, content=form.cleaned_data["file"].read())
    except DomainError as exc:
        form.add_error("file", exc.message)
        return _page(request, viewer, import_form=form)
    if result.errors:
        return _page(request, viewer, import_form=form, import_errors=result.errors)
    messages.success(request, _("%(count)d sessions imported.") % {"count": len(result.created)})
    return redirect("org:calendar")


@require_POST
@member_required(*cal.FLAG_EDITORS)
def meeting_flag(request: HttpRequest, department_id: int) -> HttpResponse:
    viewer = request.member  # type: ignore[attr-defined]
    department = selectors.department_get_for(viewer, department_id)
    cal.meeting_flag_set(actor=viewer, department=department, flag=request.POST.get("flag") == "on")
    messages.success(request, _("Setting saved."))
    return redirect("org:calendar")
