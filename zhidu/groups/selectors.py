"""Reads of groups (customer and internal), always through the asking member's scope."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery

from zhidu.core.errors import NotFound
from zhidu.org.models import Department, Member

from .conventions import Context, Effective
from .models import ConventionIssue, GroupAdminDesignation, GroupChat, GroupKind, GroupMember, GroupStatus


def group_list(*, viewer: Member, q: str = "", kind: str = "", include_dismissed: bool = False) -> QuerySet[GroupChat]:
    """Groups in `viewer`'s scope, newest first; `kind` customer or internal ("" or anything else: both)."""
    qs = GroupChat.objects.visible_to(viewer).select_related("owner")
    if kind in GroupKind.values:
        qs = qs.filter(kind=kind)
    if not include_dismissed:
        qs = qs.exclude(status=GroupStatus.DISMISSED)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(chat_id=q) | Q(owner__name__icontains=q))
    return qs.annotate(
        open_issues=open_issue_count(),
        present_count=Count("members", filter=Q(members__left_at=None)),
        customer_count=Count("members", filter=Q(members__left_at=None, members__type="customer")),
    ).order_by("-id")


def group_page(
    *, viewer: Member, q: str = "", kind: str = "", after: int | None = None, size: int
) -> tuple[list[GroupChat], int | None]:
    """One keyset page of `group_list` (ids below `after`) and the `after` of the next page (None: last)."""
    qs = group_list(viewer=viewer, q=q, kind=kind)
    if after is not None:
        qs = qs.filter(pk__lt=after)
    rows = list(qs[: size + 1])
    return rows[:size], (rows[size - 1].pk if len(rows) > size else None)


def group_get_for(viewer: Member, group_id: int) -> GroupChat:
    try:
        return GroupChat.objects.visible_to(viewer).select_related("owner").get(pk=group_id)
    except (GroupChat.DoesNotExist, ValueError, TypeError):
        raise NotFound from None


def group_members(*, group: GroupChat, include_left: bool = False) -> list[GroupMember]:
    qs = group.members.select_related("member", "customer")
    if not include_left:
        qs = qs.filter(left_at=None)
    return list(qs.order_by("-is_admin", "type", "join_time", "id"))


def group_creator(group: GroupChat) -> Member | None:
    """The member who created an internal group (they may have left it since)."""
    if not group.creator_userid:
        return None
    return Member.objects.filter(wecom_userid=group.creator_userid).first()


# --- conventions ---------------------------------------------------------------------------------------------------


def open_issue_count() -> Subquery:
    """Annotation: a group's open convention issues (a subquery, so it does not multiply other counts)."""
    rows = (
        ConventionIssue.objects.filter(group=OuterRef("pk"), resolved_at=None)
        .order_by()
        .values("group")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Subquery(rows, output_field=IntegerField())


def convention_overview(*, viewer: Member, after: int | None = None, kind: str = "") -> list[GroupChat]:
    """Groups in the viewer's scope with open convention issues, newest id first, one page (keyset on id)."""
    qs = GroupChat.objects.visible_to(viewer).exclude(status=GroupStatus.DISMISSED)
    issues = ConventionIssue.objects.filter(resolved_at=None)
    if kind:
        issues = issues.filter(kind=kind)
    qs = qs.filter(pk__in=issues.values("group_id")).select_related("owner").annotate(open_issues=open_issue_count())
    if after:
        qs = qs.filter(pk__lt=after)
    groups = list(qs.order_by("-id")[: settings.GROUP_CONVENTION_PAGE_SIZE])
    kinds: dict[int, set[str]] = {}
    for group_id, issue_kind in issues.filter(group_id__in=[g.pk for g in groups]).values_list("group_id", "kind"):
        kinds.setdefault(group_id, set()).add(issue_kind)
    for g in groups:
        g.issue_kinds = sorted(kinds.get(g.pk, set()))  # type: ignore[attr-defined]
    return groups


def group_issues(*, group: GroupChat, include_resolved: bool = False) -> list[ConventionIssue]:
    qs = group.convention_issues.select_related("member", "responsible")
    if not include_resolved:
        qs = qs.filter(resolved_at=None)
    return list(qs.order_by("resolved_at", "kind", "id")[: settings.GROUP_CONVENTION_PAGE_SIZE])


def issue_list(*, viewer: Member, group_id: int | None = None, include_resolved: bool = False) -> QuerySet:  # type: ignore[type-arg]
    qs = ConventionIssue.objects.visible_to(viewer).select_related("group", "member", "responsible")
    if group_id is not None:
        qs = qs.filter(group_id=group_id)
    if not include_resolved:
        qs = qs.filter(resolved_at=None)
    return qs


def group_designations(*, group: GroupChat) -> list[GroupAdminDesignation]:
    qs = group.admin_designations.filter(revoked_at=None).select_related("member", "designated_by")
    return list(qs.order_by("id"))


@dataclass(frozen=True, slots=True)
class ConventionRow:
    department: Department
    depth: int
    effective: Effective
    own: bool
    source_name: str


DEPARTMENTS_MAX = 500


def convention_departments(*, viewer: Member) -> list[ConventionRow]:
    """The departments whose conventions `viewer` may edit (director: all; manager: their subtree: the departments
    visible to a director or a manager), tree order,
    each with the convention that applies and where it comes from (bounded)."""
    ctx = Context.load()
    depts = {d.pk: d for d in Department.objects.visible_to(viewer).order_by("order", "id")[:DEPARTMENTS_MAX]}
    children: dict[int | None, list[int]] = {}
    for d in depts.values():
        parent = d.parent_id if d.parent_id in depts else None
        children.setdefault(parent, []).append(d.pk)
    rows: list[ConventionRow] = []

    def walk(parent: int | None, depth: int) -> None:
        for pk in children.get(parent, []):
            eff = ctx.effective(pk)
            source = ctx.departments[eff.source_id].name if eff.source_id in ctx.departments else ""
            rows.append(ConventionRow(depts[pk], depth, eff, eff.source_id == pk, source))
            if depth < 32:
                walk(pk, depth + 1)

    walk(None, 0)
    return rows
