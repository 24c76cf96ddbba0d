"""Group convention pages: the overview of groups with open issues, the per-department convention editor, and the
actions on a group page (designate or revoke an admin, remind one issue or all)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhidu.core.access import member_required
from zhidu.core.errors import DomainError, NotFound
from zhidu.core.text import id_param
from zhidu.org.models import Department, Member, Role

from . import conventions, selectors
from .forms import ConventionForm
from .models import GroupChat, IssueKind, MemberType

READERS = (Role.DIRECTOR, Role.MANAGER, Role.SUPERVISOR, Role.SALES, Role.COMPLIANCE)
EDITORS = (Role.DIRECTOR, Role.MANAGER)


def conventions_context(viewer: Member, group: GroupChat) -> dict[str, Any]:
    """What the conventions section of a group page shows (`groups/_conventions_section.html`)."""
    can_designate = conventions.can_designate(viewer, group)
    candidates = []
    if can_designate:
        staff = group.members.filter(type=MemberType.STAFF, left_at=None, member__isnull=False).select_related("member")
        candidates = [row.member for row in staff.order_by("id")[:200]]
    return {
        "issues": selectors.group_issues(group=group),
        "designations": selectors.group_designations(group=group),
        "can_designate": can_designate,
        "can_remind": conventions.can_remind(viewer),
        "candidates": candidates,
    }


@member_required(*READERS)
def overview(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    kind = kind if kind in IssueKind.values else ""
    groups = selectors.convention_overview(viewer=request.member, after=id_param(request.GET.get("after")), kind=kind)  # type: ignore[attr-defined]
    context = {
        "groups": groups,
        "kind": kind,
        "kinds": IssueKind.choices,
        "next_after": groups[-1].pk if groups else None,
        "page_size": settings.GROUP_CONVENTION_PAGE_SIZE,
    }
    return render(request, "groups/conventions.html", context)


@member_required(*EDITORS)
def departments(request: HttpRequest) -> HttpResponse:
    rows = selectors.convention_departments(viewer=request.member)  # type: ignore[attr-defined]
    return render(request, "groups/convention_departments.html", {"rows": rows})


@member_required(*EDITORS)
def convention_edit(request: HttpRequest, department_id: int) -> HttpResponse:
    dept = Department.objects.visible_to(request.member).filter(pk=department_id).first()  # type: ignore[attr-defined]
    if dept is None or not conventions.can_edit_convention(request.member, dept.pk):  # type: ignore[attr-defined]
        raise NotFound
    effective = conventions.convention_effective(department_id=dept.pk)
    form = ConventionForm(
        request.POST or None, initial={f: getattr(effective, f) for f in conventions.CONVENTION_FIELDS}
    )
    if request.method == "POST" and form.is_valid():
        try:
            conventions.convention_save(actor=request.member, department_id=dept.pk, **form.cleaned_data)  # type: ignore[attr-defined]
            messages.success(request, _("Conventions saved."))
            return redirect("groups:convention_departments")
        except DomainError as exc:
            form.add_error(None, exc.message)
    return render(request, "groups/convention_edit.html", {"dept": dept, "form": form, "effective": effective})


@require_POST
@member_required(*EDITORS)
def convention_reset(request: HttpRequest, department_id: int) -> HttpResponse:
    if not Department.objects.visible_to(request.member).filter(pk=department_id).exists():  # type: ignore[attr-defined]
        raise NotFound
    try:
        if conventions.convention_reset(actor=request.member, department_id=department_id):  # type: ignore[attr-defined]
            messages.success(request, _("The department inherits its conventions again."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("groups:convention_departments")


def _back(group_id: int) -> HttpResponse:
    return redirect(reverse("groups:detail", args=[group_id]) + "#conventions")


@require_POST
@member_required(*EDITORS)
def designate(request: HttpRequest, group_id: int) -> HttpResponse:
    try:
        member_id = id_param(request.POST.get("member")) or 0
        conventions.group_admin_designate(actor=request.member, group_id=group_id, member_id=member_id)  # type: ignore[attr-defined]
        messages.success(request, _("Admin designated."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return _back(group_id)


@require_POST
@member_required(*EDITORS)
def revoke(request: HttpRequest, group_id: int, member_id: int) -> HttpResponse:
    try:
        conventions.group_admin_revoke(actor=request.member, group_id=group_id, member_id=member_id)  # type: ignore[attr-defined]
        messages.success(request, _("Designation revoked."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return _back(group_id)


@require_POST
@member_required(*READERS)
def remind(request: HttpRequest, issue_id: int) -> HttpResponse:
    issue = selectors.issue_list(viewer=request.member, include_resolved=True).filter(pk=issue_id).first()  # type: ignore[attr-defined]
    if issue is None:
        raise NotFound
    try:
        conventions.issue_remind(actor=request.member, issue_id=issue_id)  # type: ignore[attr-defined]
        messages.success(request, _("Reminder sent."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return _back(issue.group_id)


@require_POST
@member_required(*READERS)
def remind_all(request: HttpRequest, group_id: int) -> HttpResponse:
    try:
        sent = conventions.group_remind_all(actor=request.member, group_id=group_id)  # type: ignore[attr-defined]
        messages.success(request, _("Reminders sent: %(n)d.") % {"n": sent})
    except DomainError as exc:
        messages.error(request, exc.message)
    return _back(group_id)
