"""The moderation ledger: who may order, the owner task lifecycle, audit rows, citations in force, bans."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from conftest import ACTOR_NAMES
from zhidu.core.errors import DomainError, NotFound
from zhidu.core.models import AuditEvent, Notification
from zhidu.groups import moderation
from zhidu.groups.models import ActionStatus, Ban, BanAlert, CaseStatus, GroupMember, ModerationAction, ModerationCase
from zhidu.groups.tests.factories import GroupChatFactory, GroupMemberFactory

from .moderation_fixtures import CUSTOMER, announced_next_version, build_world

pytestmark = pytest.mark.django_db

# sales owns the group; sales_b is a member of it (so sales_b and supervisor_b see it, may not order); outsider and
# admin do not see it
OUTCOME = {
    "director": "ok",
    "manager": "ok",
    "supervisor": "ok",
    "supervisor_b": "forbidden",  # sees the group through sales_b, but the owner is not in their scope
    "sales": "ok",
    "sales_b": "forbidden",
    "compliance": "ok",
    "admin": "notfound",
    "outsider": "notfound",
}


@pytest.fixture
def world(actors):  # type: ignore[no-untyped-def]
    return build_world(actors)


def order(actor, world, kind="mute", **kw):  # type: ignore[no-untyped-def]
    return moderation.moderation_action_order(
        actor=actor,
        group=world.group,
        kind=kind,
        target_userid=kw.pop("target", CUSTOMER),
        article=kw.pop("article", world.article),
        reason=kw.pop("reason", "在群里发广告"),
        **kw,
    )


@pytest.mark.parametrize("actor_name", ACTOR_NAMES)
def test_who_may_order(actors, world, actor_name):  # type: ignore[no-untyped-def]
    actor = actors.by_name(actor_name)
    audits = AuditEvent.objects.count()
    expected = OUTCOME[actor_name]
    if expected == "notfound":
        with pytest.raises(NotFound):
            order(actor, world)
    elif expected == "forbidden":
        with pytest.raises(DomainError) as err:
            order(actor, world)
        assert err.value.code == "forbidden"
    else:
        action = order(actor, world)
        assert action.citation == "《测试管理制度》第三条"
        assert AuditEvent.objects.filter(verb="moderation_action.order", target_id=str(action.pk)).exists()
        return
    assert not ModerationAction.objects.exists() and AuditEvent.objects.count() == audits


def test_mute_is_a_task_for_the_owner_who_confirms_it(actors, world):  # type: ignore[no-untyped-def]
    action = order(actors.supervisor, world)
    assert (action.status, action.assignee, action.target_type, action.target_name) == (
        ActionStatus.PENDING,
        actors.sales,
        "customer",
        "发广告的客户",
    )
    task = Notification.objects.get(recipient=actors.sales)
    assert "发广告的客户" in task.title
    with pytest.raises(DomainError) as err:
        moderation.moderation_action_confirm(actor=actors.supervisor, action_id=action.pk)
    assert err.value.code == "forbidden"
    with pytest.raises(NotFound):
        moderation.moderation_action_confirm(actor=actors.outsider, action_id=action.pk)
    done = moderation.moderation_action_confirm(actor=actors.sales, action_id=action.pk)
    assert (done.status, done.done_by) == (ActionStatus.DONE, actors.sales)
    assert Notification.objects.filter(recipient=actors.supervisor).exists()  # the decider is told
    event = AuditEvent.objects.get(verb="moderation_action.confirm")
    assert (event.actor, event.before["status"], event.after["status"]) == (actors.sales, "pending", "done")
    with pytest.raises(DomainError) as again:
        moderation.moderation_action_confirm(actor=actors.sales, action_id=action.pk)
    assert again.value.code == "conflict"


def test_decline_needs_a_reason_and_lifts_the_ban(actors, world):  # type: ignore[no-untyped-def]
    action = order(actors.manager, world, kind="ban")
    assert Ban.objects.get(action=action).lifted_at is None
    with pytest.raises(DomainError):
        moderation.moderation_action_decline(actor=actors.sales, action_id=action.pk, reason=" ")
    declined = moderation.moderation_action_decline(actor=actors.sales, action_id=action.pk, reason="客户已道歉")
    assert (declined.status, declined.decline_reason) == (ActionStatus.DECLINED, "客户已道歉")
    assert Ban.objects.get(action=action).lifted_at is not None
    assert AuditEvent.objects.get(verb="moderation_action.decline").reason == "客户已道歉"
    assert Notification.objects.filter(recipient=actors.manager).exists()


def test_warning_to_a_colleague_is_sent_directly(actors, world):  # type: ignore[no-untyped-def]
    action = order(actors.supervisor, world, kind="warn", target=actors.sales_b.wecom_userid)
    assert action.status == ActionStatus.DONE and action.target_type == "staff"
    assert Notification.objects.filter(recipient=actors.sales_b).exists()
    assert not Notification.objects.filter(recipient=actors.sales).exists()  # no task for the owner


def test_owner_records_their_own_action_as_done(actors, world):  # type: ignore[no-untyped-def]
    action = order(actors.sales, world, kind="delete")
    assert (action.status, action.done_by) == (ActionStatus.DONE, actors.sales)


def test_article_must_belong_to_a_regulation_in_force(actors, world):  # type: ignore[no-untyped-def]
    upcoming = announced_next_version()  # published, but in force only in 7 days
    with pytest.raises(DomainError) as err:
        order(actors.supervisor, world, article=upcoming.articles.get(number=3))
    assert err.value.field == "article"
    with pytest.raises(DomainError):
        order(actors.supervisor, world, article=None)
    assert moderation.article_in_force(world.article)
    assert world.article.pk in {a.pk for a in moderation.articles_in_force()}
    assert not ModerationAction.objects.exists()


def test_person_must_be_in_the_group_and_kind_known(actors, world):  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError):
        order(actors.supervisor, world, target="wmSomeoneElse")
    with pytest.raises(DomainError):
        order(actors.supervisor, world, kind="shoot")
    with pytest.raises(DomainError):
        order(actors.supervisor, world, reason="  ")


def _rejoin(row: GroupMember, when: dt.datetime) -> None:
    GroupMember.objects.filter(pk=row.pk).update(left_at=None, join_time=when)


def test_banned_person_rejoining_alerts_owner_and_decider_once(actors, world):  # type: ignore[no-untyped-def]
    action = order(actors.supervisor, world, kind="ban")
    assert moderation.bans_check(group=world.group) == []  # still there from before: the removal task covers it
    moderation.moderation_action_confirm(actor=actors.sales, action_id=action.pk)
    GroupMember.objects.filter(pk=world.customer.pk).update(left_at=timezone.now())
    assert moderation.bans_check(group=world.group) == []
    _rejoin(world.customer, timezone.now() + dt.timedelta(seconds=5))
    alerts = moderation.bans_check(group=world.group)
    assert [(a.userid, a.group) for a in alerts] == [(CUSTOMER, world.group)]
    assert moderation.bans_check(group=world.group) == []  # once per join
    recipients = set(
        Notification.objects.filter(dedupe_key=f"banalert:{alerts[0].pk}").values_list("recipient", flat=True)
    )
    assert recipients == {actors.sales.pk, actors.supervisor.pk}
    assert AuditEvent.objects.filter(verb="ban.rejoin_alert").count() == 1


def test_company_wide_ban_alerts_in_another_group(actors, world):  # type: ignore[no-untyped-def]
    order(actors.director, world, kind="ban", company_wide=True)
    other = GroupChatFactory(name="客户群B", owner=actors.sales_b, owner_userid=actors.sales_b.wecom_userid)
    GroupMemberFactory(group=other, userid=CUSTOMER, join_time=timezone.now() + dt.timedelta(seconds=5))
    assert [a.group for a in moderation.bans_check(group=other)] == [other]
    assert moderation.bans_check_all() == []  # already raised
    per_group = order(actors.director, world, kind="ban", target=actors.sales_b.wecom_userid)
    assert not per_group.company_wide
    GroupMemberFactory(group=other, userid=actors.sales_b.wecom_userid, join_time=timezone.now())
    assert moderation.bans_check(group=other) == []  # banned from the first group only
    assert BanAlert.objects.filter(group=other, userid=actors.sales_b.wecom_userid).count() == 0


def test_case_is_idempotent_per_message_and_closable(actors, world):  # type: ignore[no-untyped-def]
    kwargs = {
        "group": world.group,
        "offender_userid": CUSTOMER,
        "offender_type": "customer",
        "reason": "客户刷屏",
        "category": "flood",
        "msgid": "m1",
        "text": "买买买",
        "occurred_at": timezone.now(),
    }
    case, created = moderation.moderation_case_open(**kwargs)
    again, created_again = moderation.moderation_case_open(**kwargs)
    assert created and not created_again and again.pk == case.pk
    assert (case.assignee, case.offender_name) == (actors.sales, "发广告的客户")
    with pytest.raises(DomainError):
        moderation.moderation_case_close(actor=actors.sales_b, case=case)
    action = order(actors.supervisor, world, case=case)
    moderation.moderation_action_confirm(actor=actors.sales, action_id=action.pk)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert ModerationCase.objects.visible_to(actors.outsider).count() == 0
    assert ModerationCase.objects.visible_to(actors.supervisor).count() == 1


def test_rejoin_with_the_same_join_time_is_still_a_rejoin(actors, world):  # type: ignore[no-untyped-def]
    """WeCom reports join times in seconds: leaving and coming back within the second the person first joined must
    still alert, because the check saw them out of the group since the ban."""
    first_join = timezone.now()
    GroupMember.objects.filter(pk=world.customer.pk).update(join_time=first_join)
    order(actors.supervisor, world, kind="ban")
    GroupMember.objects.filter(pk=world.customer.pk).update(left_at=timezone.now())
    assert moderation.bans_check(group=world.group) == []
    _rejoin(world.customer, first_join)
    assert [a.userid for a in moderation.bans_check(group=world.group)] == [CUSTOMER]
    assert moderation.bans_check(group=world.group) == []
