"""Demo step "group-conventions": department heads designate the admins WeCom already shows in customer groups
(through the real service, audited), then every group is checked, so the group pages show groups that keep
their conventions and groups that break them (names, '部门+姓名' nicknames, admins) from the synced data."""

from __future__ import annotations

from django.db import transaction

from zhidu.core.errors import DomainError
from zhidu.org.models import Member

from .conventions import Context, conventions_check_all, group_admin_designate
from .models import GroupAdminDesignation, GroupChat, GroupKind, GroupMember, MemberType

DEMO_DESIGNATIONS_MAX = 200


def demo_conventions() -> dict[str, int]:
    ctx = Context.load()
    heads = {m.pk: m for m in Member.objects.filter(pk__in=set(ctx.heads.values()) | {ctx.director_id or 0})}
    admins = (
        GroupMember.objects.filter(
            group__kind=GroupKind.CUSTOMER, type=MemberType.STAFF, is_admin=True, left_at=None, member__isnull=False
        )
        .exclude(group_id__in=GroupAdminDesignation.objects.values("group_id"))
        .select_related("group", "group__owner")
        .order_by("group_id", "id")[:DEMO_DESIGNATIONS_MAX]
    )
    designated = 0
    for row in admins:
        group: GroupChat = row.group
        head = heads.get(ctx.head(group.owner.department_id if group.owner else None) or 0)
        if head is None or row.member_id is None:
            continue
        try:
            with transaction.atomic():
                group_admin_designate(actor=head, group_id=group.pk, member_id=row.member_id)
            designated += 1
        except DomainError:
            continue
    counts = conventions_check_all()
    counts["designated"] = designated
    return counts
