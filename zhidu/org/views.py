"""Organisation pages: tree and members, member lifecycle, applications inbox, applying, API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from zhidu.core.access import member_required
from zhidu.core.errors import DomainError, NotFound
from zhidu.core.text import FILTER_MAX, clean_query, clean_text, id_param, model_max_length

from . import profiles, selectors, services, throttle
from .calendars import calendar_can_edit, calendar_department_for, calendar_initial, calendar_rows, calendar_save_form
from .forms import ApplyForm, CalendarForm, ReasonForm
from .models import ApiToken, ApplicationStatus, ReviewStatus, Role

LEADS_AND_ADMIN = (Role.DIRECTOR, Role.MANAGER, Role.SUPERVISOR, Role.ADMIN)
PAGE_ROWS_MAX = 200  # rows a page lists at most; past that it asks to narrow by department or search


def _bounded(qs: Any) -> tuple[list[Any], bool]:
    """At most PAGE_ROWS_MAX rows of `qs` (one query) and whether there were more."""
    rows = list(qs[: PAGE_ROWS_MAX + 1])
    return rows[:PAGE_ROWS_MAX], len(rows) > PAGE_ROWS_MAX


@member_required()
def tree(request: HttpRequest) -> HttpResponse:
    viewer = request.member  # type: ignore[attr-defined]
    params = clean_query(request)
    dept, q = params.get("department"), params.get("q", "")
    members, truncated = _bounded(
        selectors.member_list(viewer=viewer, department_id=int(dept) if dept and dept.isdigit() else None, q=q)
    )
    return render(
        request,
        "org/tree.html",
        {
            "tree": selectors.department_tree(viewer=viewer),
            "members": members,
            "q": q,
            "department": dept,
            "truncated": truncated,
            "rows_max": PAGE_ROWS_MAX,
        },
    )


@member_required()
def member_detail(request: HttpRequest, member_id: int) -> HttpResponse:
    viewer = request.member  # type: ignore[attr-defined]
    member = selectors.member_get_for(viewer, member_id)
    return render(
        request,
        "org/member_detail.html",
        {
            "m": member,
            "can_manage": services.can_manage(viewer, member),
            "form": ReasonForm(),
            "reports": member.reports.all(),
            "profile": profiles.approved_profile_of(member),
            "can_edit_profile": services.can_manage(viewer, member) and viewer.role != Role.ADMIN,
        },
    )


@require_POST
@member_required(*LEADS_AND_ADMIN)
def member_transition(request: HttpRequest, member_id: int, action: str) -> HttpResponse:
    viewer = request.member  # type: ignore[attr-defined]
    member = selectors.member_get_for(viewer, member_id)
    if action not in services.MEMBER_TRANSITIONS:
        raise NotFound
    try:
        reason = clean_text(request.POST.get("reason", ""), field="reason")
        services.MEMBER_TRANSITIONS[action](actor=viewer, member=member, reason=reason)
        messages.success(request, _("Done."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("org:member", member_id=member.pk)


@member_required(*LEADS_AND_ADMIN)
def applications(request: HttpRequest) -> HttpResponse:
    viewer = request.member  # type: ignore[attr-defined]
    status = clean_query(request, max_length=FILTER_MAX).get("status", ApplicationStatus.PENDING)
    items, truncated = _bounded(selectors.application_list(viewer=viewer, status=status).order_by("-pk"))
    context = {"items": items, "status": status, "statuses": ApplicationStatus.choices, "truncated": truncated}
    return render(request, "org/applications.html", context | {"rows_max": PAGE_ROWS_MAX})


@require_POST
@member_required(*LEADS_AND_ADMIN)
def application_decide(request: HttpRequest, application_id: int, decision: str) -> HttpResponse:
    viewer = request.member  # type: ignore[attr-defined]
    app = selectors.application_get_for(viewer, application_id)
    try:
        reason = clean_text(request.POST.get("reason", ""), field="reason")
        if decision == "approve":
            member = services.application_approve(actor=viewer, application=app, reason=reason)
            messages.success(request, _("%(name)s has joined the team.") % {"name": member.name})
        elif decision == "reject":
            services.application_reject(actor=viewer, application=app, reason=reason)
            messages.success(request, _("Application rejected."))
        else:
            raise NotFound
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("org:applications")


def apply(request: HttpRequest) -> HttpResponse:
    """Public: a person applies to join a team."""
    form = ApplyForm(request.POST or None)
    if request.method == "POST" and not throttle.application_allowed(request):
        form.add_error(None, _(throttle.ERR_RATE_LIMITED))
        return render(request, "org/apply.html", {"form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.application_submit(
                name=d["name"],
                username=d["username"],
                password=d["password"],
                department=d["department"],
                lead=d["lead"],
                wecom_userid=d["wecom_userid"],
                mobile=d["mobile"],
                note=d["note"],
            )
            return render(request, "org/apply_done.html")
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return render(request, "org/apply.html", {"form": form})


@member_required()
def tokens(request: HttpRequest) -> HttpResponse:
    viewer = request.member  # type: ignore[attr-defined]
    new_key = None
    if request.method == "POST":
        if "revoke" in request.POST:
            raw = request.POST.get("revoke", "")
            token = ApiToken.objects.filter(member=viewer, pk=int(raw)).first() if raw.isdigit() else None
            if token is None:
                raise NotFound
            services.api_token_revoke(actor=viewer, token=token)
        else:
            try:
                name = clean_text(
                    request.POST.get("name", ""), field="name", max_length=model_max_length(ApiToken, "name")
                )
                _token, new_key = services.api_token_create(actor=viewer, name=name)
            except DomainError as exc:
                messages.error(request, exc.message)
    return render(request, "org/tokens.html", {"tokens": ApiToken.objects.filter(member=viewer), "new_key": new_key})


def _before(request: HttpRequest) -> int | None:
    """`?before=<id>` of a keyset-paged list, or None (the first page)."""
    return id_param(request.GET.get("before"))


REVIEW_FILTERS = [("open", _lazy("Awaiting decision")), *ReviewStatus.choices]


@member_required()
def profile_reviews(request: HttpRequest) -> HttpResponse:
    viewer = request.member  # type: ignore[attr-defined]
    status = clean_query(request, max_length=FILTER_MAX).get("status", "open")
    status = status if status in dict(REVIEW_FILTERS) else "open"
    rows, next_before = profiles.review_page(viewer, status=status, before=_before(request))
    context = {"items": rows, "next_before": next_before, "status": status, "statuses": REVIEW_FILTERS}
    return render(request, "org/profile_reviews.html", context)


@member_required()
def profile_review(request: HttpRequest, review_id: int) -> HttpResponse:
    viewer = request.member  # type: ignore[attr-defined]
    review = profiles.review_get_for(viewer, review_id)
    context = {"r": review, "rows": profiles.comparison(review), "can_decide": profiles.can_decide(viewer, review)}
    return render(request, "org/profile_review.html", context)


@require_POST
@member_required()
def profile_review_decide(request: HttpRequest, review_id: int, decision: str) -> HttpResponse:
    viewer = request.member  # type: ignore[attr-defined]
    review = profiles.review_get_for(viewer, review_id)
    actions = {"approve": profiles.profile_review_approve, "restore": profiles.profile_review_request_restore}
    if decision not in actions:
        raise NotFound
    try:
        reason = clean_text(request.POST.get("reason", ""), field="reason")
        actions[decision](actor=viewer, review=review, reason=reason)
        messages.success(request, _("Done."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("org:profile_review", review_id=review.pk)


# --------------------------------------------------------------------------------------------- working calendars

CALENDAR_EDITORS = (Role.DIRECTOR, Role.MANAGER, Role.ADMIN)


@member_required(*CALENDAR_EDITORS)
def calendars(request: HttpRequest) -> HttpResponse:
    viewer = request.member  # type: ignore[attr-defined]
    rows = calendar_rows(viewer=viewer)
    return render(request, "org/calendars.html", {"rows": rows, "can_default": calendar_can_edit(viewer, None)})


@member_required(*CALENDAR_EDITORS)
def calendar_edit(request: HttpRequest, department_id: int | None = None) -> HttpResponse:
    viewer = request.member  # type: ignore[attr-defined]
    department = calendar_department_for(viewer, department_id)
    form = CalendarForm(request.POST or None, initial=calendar_initial(department))
    if request.method == "POST" and form.is_valid():
        try:
            calendar_save_form(actor=viewer, department=department, data=form.cleaned_data)
            messages.success(request, _("Working calendar saved."))
            return redirect("org:calendars")
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return render(request, "org/calendar_edit.html", {"form": form, "department": department})
