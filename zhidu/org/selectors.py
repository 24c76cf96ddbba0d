"""Reads of the organisation, always through the asking member's scope."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from zhidu.core.errors import NotFound

from .models import ApplicationStatus, Department, Member, MembershipApplication


def member_list(*, viewer: Member, department_id: int | None = None, q: str = "", status: str = "") -> QuerySet[Member]:
    """Members in the viewer's scope, filtered; a queryset, so callers bound it (API paging, page limits)."""
    qs = Member.objects.visible_to(viewer).select_related("department", "reports_to")
    if department_id:
        qs = qs.filter(department_id=department_id)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(wecom_userid__icontains=q) | Q(position__icontains=q))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("department_id", "role", "name")


def member_get_for(viewer: Member, member_id: int) -> Member:
    try:
        return Member.objects.visible_to(viewer).select_related("department", "reports_to").get(pk=member_id)
    except (Member.DoesNotExist, ValueError, TypeError):
        raise NotFound from None


def department_get_for(viewer: Member, department_id: int) -> Department:
    try:
        return Department.objects.visible_to(viewer).get(pk=department_id)
    except (Department.DoesNotExist, ValueError, TypeError):
        raise NotFound from None


def department_tree(*, viewer: Member) -> list[dict[str, object]]:
    """Visible departments as nested dicts {department, members_count, children}, roots first."""
    depts = list(
        Department.objects.visible_to(viewer).annotate(
            members_count=Count("members", filter=Q(members__status="active"))
        )
    )
    by_parent: dict[int | None, list[Department]] = {}
    ids = {d.pk for d in depts}
    for d in depts:
        by_parent.setdefault(d.parent_id if d.parent_id in ids else None, []).append(d)

    def build(parent_id: int | None, depth: int) -> list[dict[str, object]]:
        if depth > 32:
            return []
        return [
            {"department": d, "members_count": d.members_count, "children": build(d.pk, depth + 1)}  # type: ignore[attr-defined]
            for d in by_parent.get(parent_id, [])
        ]

    return build(None, 0)


def application_list(*, viewer: Member, status: str = ApplicationStatus.PENDING) -> QuerySet[MembershipApplication]:
    """Applications the viewer may decide or see; a queryset, so callers bound it."""
    qs = MembershipApplication.objects.visible_to(viewer).select_related("department", "lead", "decided_by")
    if status:
        qs = qs.filter(status=status)
    return qs


def application_get_for(viewer: Member, application_id: int) -> MembershipApplication:
    try:
        return MembershipApplication.objects.visible_to(viewer).get(pk=application_id)
    except (MembershipApplication.DoesNotExist, ValueError, TypeError):
        raise NotFound from None
