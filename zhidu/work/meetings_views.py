"""Meeting pages: the list (upcoming and past, paged by key), the form to schedule or reschedule, a meeting's
page (agenda, participants, attendance, minutes with action items and their tasks, .ics download), the cancel
action and the member's calendar feed (.ics)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhidu.core.access import member_required
from zhidu.core.errors import DomainError, NotFound
from zhidu.core.text import clean_query, id_param
from zhidu.org.models import SALES_ROLES, Member

from . import meetings_ics as ics
from . import meetings_selectors as sel
from . import meetings_services as svc
from .meetings_forms import AttendanceForm, CancelForm, MeetingForm, MinutesForm
from .models import Meeting, MeetingKind, MeetingStatus


def _get(member: Member, meeting_id: int) -> Meeting:
    try:
        return sel.meeting_get_for(member, meeting_id)
    except NotFound:
        raise Http404 from None


def _form_error(form: Any, exc: DomainError) -> None:
    if exc.code == "forbidden" and exc.field is None:
        raise PermissionDenied from None
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@member_required()
def meeting_list(request: HttpRequest) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    params = clean_query(request)
    when = params.get("when", "upcoming") if params.get("when") in sel.WHEN else "upcoming"
    rows = sel.meeting_page(member, when=when, cursor=id_param(params.get("cursor")))
    context = {
        "rows": rows,
        "when": when,
        "more": len(rows) >= sel.page_size(),
        "can_create": member.role in SALES_ROLES,
    }
    return render(request, "work/meetings.html", context)


def _meeting_form(request: HttpRequest, member: Member, **kw: Any) -> MeetingForm:
    members = svc.invitable_members(member)
    return MeetingForm(
        request.POST or None, organizer=member, members=members, customers=svc.own_customers(member), **kw
    )


def _input(form: MeetingForm) -> svc.MeetingInput:
    d = form.cleaned_data
    return svc.MeetingInput(
        title=d["title"], kind=d["kind"], starts_at=d["starts_at"], ends_at=d["ends_at"], agenda=d["agenda"],
        place=d["place"], online_url=d["online_url"], participant_ids=[m.pk for m in d["participants"]],
        customer_id=d["customer"].pk if d.get("customer") else None,
    )  # fmt: skip


@member_required(*SALES_ROLES)
def meeting_new(request: HttpRequest) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    customer = id_param(clean_query(request).get("customer"))
    initial = {"kind": MeetingKind.FOLLOWUP, "customer": customer} if customer else {}
    form = _meeting_form(request, member, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            m = svc.meeting_create(actor=member, data=_input(form))
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The meeting is scheduled."))
            return redirect("work:meeting", m.pk)
    return render(request, "work/meeting_form.html", {"form": form, "m": None}, status=400 if form.errors else 200)


@member_required()
def meeting_edit(request: HttpRequest, meeting_id: int) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    m = _get(member, meeting_id)
    if not svc.can_manage(member, m) or m.status != MeetingStatus.SCHEDULED:
        raise PermissionDenied
    initial = {f: getattr(m, f) for f in ("title", "kind", "agenda", "starts_at", "ends_at", "place", "online_url")}
    initial |= {"customer": m.customer_id, "participants": [p.member_id for p in sel.participants_of(m)]}
    form = _meeting_form(request, m.organizer, initial=initial)
    form.fields["kind"].disabled = form.fields["customer"].disabled = True  # a meeting keeps its kind and customer
    if request.method == "POST" and form.is_valid():
        try:
            svc.meeting_reschedule(actor=member, meeting=m, data=_input(form))
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The meeting is changed."))
            return redirect("work:meeting", m.pk)
    return render(request, "work/meeting_form.html", {"form": form, "m": m}, status=400 if form.errors else 200)


def _detail(request: HttpRequest, m: Meeting, status: int = 200, **forms: Any) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    participants = sel.participants_of(m)
    manage = svc.can_manage(member, m)
    started = manage and m.status != MeetingStatus.CANCELLED and m.starts_at <= timezone.now()
    attendance = forms.get("attendance") or (AttendanceForm(participants=participants) if started else None)
    minutes = forms.get("minutes") or (
        MinutesForm(participants=participants, initial={"minutes": m.minutes}) if started else None
    )
    context = {
        "m": m,
        "participants": participants,
        "items": sel.action_items_of(m),
        "customer": sel.meeting_customer(member, m),
        "followups": sel.customer_followups(member, m),
        "can_edit": manage and m.status == MeetingStatus.SCHEDULED,
        "attendance_form": attendance,
        "minutes_form": minutes,
        "cancel_form": CancelForm() if manage and m.status == MeetingStatus.SCHEDULED else None,
    }
    return render(request, "work/meeting_detail.html", context, status=status)


@member_required()
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return _detail(request, _get(request.member, meeting_id))  # type: ignore[attr-defined]


def _managed(request: HttpRequest, meeting_id: int) -> Meeting:
    m = _get(request.member, meeting_id)  # type: ignore[attr-defined]
    if not svc.can_manage(request.member, m):  # type: ignore[attr-defined]
        raise PermissionDenied
    return m


@require_POST
@member_required()
def meeting_attendance(request: HttpRequest, meeting_id: int) -> HttpResponse:
    m = _managed(request, meeting_id)
    form = AttendanceForm(request.POST, participants=sel.participants_of(m))
    if form.is_valid():
        try:
            svc.attendance_record(actor=request.member, meeting=m, marks=form.marks())  # type: ignore[attr-defined]
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Attendance is saved."))
            return redirect("work:meeting", m.pk)
    return _detail(request, m, status=400, attendance=form)


@require_POST
@member_required()
def meeting_minutes(request: HttpRequest, meeting_id: int) -> HttpResponse:
    m = _managed(request, meeting_id)
    form = MinutesForm(request.POST, participants=sel.participants_of(m))
    if form.is_valid():
        items = [svc.ActionItemInput(title=t, assignee_id=a, due_at=d) for t, a, d in form.items()]
        try:
            svc.minutes_record(actor=request.member, meeting=m, minutes=form.cleaned_data["minutes"], items=items)  # type: ignore[attr-defined]
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The minutes are recorded."))
            return redirect("work:meeting", m.pk)
    return _detail(request, m, status=400, minutes=form)


@require_POST
@member_required()
def meeting_cancel(request: HttpRequest, meeting_id: int) -> HttpResponse:
    m = _managed(request, meeting_id)
    form = CancelForm(request.POST)
    try:
        svc.meeting_cancel(actor=request.member, meeting=m, reason=form.data.get("reason", "")[:500])  # type: ignore[attr-defined]
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The meeting is cancelled."))
    return redirect("work:meeting", m.pk)


def ics_response(body: str, filename: str) -> HttpResponse:
    response = HttpResponse(body.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@member_required()
def meeting_ics(request: HttpRequest, meeting_id: int) -> HttpResponse:
    m = _get(request.member, meeting_id)  # type: ignore[attr-defined]
    body = ics.calendar([sel.meeting_feed_item(m)], name=m.title, now=timezone.now())
    return ics_response(body, f"meeting-{m.pk}.ics")


@member_required()
def meetings_ics(request: HttpRequest) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    body = ics.calendar(sel.calendar_feed(member), name=_("My meetings"), now=timezone.now())
    return ics_response(body, "meetings.ics")
