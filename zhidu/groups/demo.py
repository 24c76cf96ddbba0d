"""Demo step "group-conventions": department heads designate the admins WeCom already shows in customer groups
(through the real service, audited), then every group is checked, so the group pages show groups that keep
their conventions and groups that break them (names, '部门+姓名' nicknames, admins) from the synced data.

Demo step "moderation": one open moderation task, so `make run` shows the ledger at work.

A supervisor orders a customer muted in a customer group synced from the simulator (citing the demo regulation's
article on ads); the group owner finds it in "my moderation tasks". When the archive was already scanned and a
customer's ad in a group became a case, that case and its message are used. Idempotent: nothing happens once any
moderation action exists, or when there is no customer group or regulation in force (the direct demo company)."""

from __future__ import annotations

from django.db import transaction

from zhidu.core.errors import DomainError
from zhidu.org.models import Member, Role
from zhidu.policies.models import Article
from zhidu.policies.selectors import article_resolve

from .conventions import Context, conventions_check_all, group_admin_designate
from .models import (
    GroupAdminDesignation,
    GroupChat,
    GroupKind,
    GroupMember,
    GroupStatus,
    MemberType,
    ModerationAction,
    ModerationCase,
)
from .moderation import article_in_force, moderation_action_order

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


DEMO_ARTICLE = "sales-conduct#22"
DEMO_REASON = "客户在群内发布广告，按群规禁言"


def _article() -> Article | None:
    found = article_resolve(DEMO_ARTICLE, published_only=True)
    article = found.article if found is not None else None
    return article if article is not None and article_in_force(article) else None


@transaction.atomic
def demo_moderation() -> ModerationAction | None:
    if ModerationAction.objects.exists():
        return None
    article = _article()
    if article is None:
        return None
    case = ModerationCase.objects.filter(group__isnull=False, category="ads").select_related("group").first()
    groups = GroupChat.objects.filter(
        kind=GroupKind.CUSTOMER, status=GroupStatus.NORMAL, owner__reports_to__role=Role.SUPERVISOR
    ).select_related("owner__reports_to")
    group = case.group if case is not None else None
    if group is None or group.owner is None or group.owner.reports_to is None:
        group = next((g for g in groups if g.members.filter(type=MemberType.CUSTOMER, left_at=None).exists()), None)
        case = None
    if group is None or group.owner is None or group.owner.reports_to is None:
        return None
    target = case.offender_userid if case is not None else None
    if target is None:
        target = group.members.filter(type=MemberType.CUSTOMER, left_at=None).values_list("userid", flat=True)[0]
    return moderation_action_order(
        actor=group.owner.reports_to,
        group=group,
        kind="mute",
        target_userid=target,
        article=article,
        reason=DEMO_REASON,
        msgid=case.msgid if case is not None else "",
        message_text=case.text if case is not None else "",
        case=case,
    )
