"""Demo step: one open moderation task, so `make run` shows the ledger at work.

A supervisor orders a customer muted in a customer group synced from the simulator (citing the demo regulation's
article on ads); the group owner finds it in "my moderation tasks". When the archive was already scanned and a
customer's ad in a group became a case, that case and its message are used. Idempotent: nothing happens once any
moderation action exists, or when there is no customer group or regulation in force (the direct demo company)."""

from __future__ import annotations

from django.db import transaction

from zhidu.org.models import Role
from zhidu.policies.models import Article
from zhidu.policies.selectors import article_resolve

from .models import GroupChat, GroupKind, GroupStatus, MemberType, ModerationAction, ModerationCase
from .moderation import article_in_force, moderation_action_order

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
