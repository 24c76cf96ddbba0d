"""Moderation against the simulator over real HTTP: a banned customer re-joining a customer group (the
`change_external_chat` add_member callback) raises an alert; a group's new rules go out through its robot webhook."""

from __future__ import annotations

import httpx
import pytest

from zhidu.core.models import Notification
from zhidu.groups import moderation
from zhidu.groups.models import AnnouncementMethod, AnnouncementStatus, BanAlert, GroupChat, RulesAnnouncement
from zhidu.groups.tests.moderation_fixtures import announced_next_version, regulation_in_force
from zhidu.org.models import Member
from zhidu.wecom.sync import sync_all
from zhidu.wecom.tests.conftest import delivered

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sim(pushing_sim):  # type: ignore[no-untyped-def]
    return pushing_sim


def _customer_group(sim):  # type: ignore[no-untyped-def]
    owner = next(u for u in sim.company.active_users() if u.role == "sales" and sim.company.customers_of(u.userid))
    customer = sim.company.customers_of(owner.userid)[0]
    result = sim.mutate("group_create", owner=owner.userid, name="一部-新品-客户群", member_ids=[customer])
    delivered(result)
    return GroupChat.objects.get(chat_id=result["chat_id"]), Member.objects.get(wecom_userid=owner.userid), customer


def test_banned_customer_rejoining_raises_an_alert(sim):  # type: ignore[no-untyped-def]
    group, owner, customer = _customer_group(sim)
    assert owner.reports_to is not None
    decider = owner.reports_to
    article = regulation_in_force().articles.get(number=3)
    action = moderation.moderation_action_order(
        actor=decider, group=group, kind="ban", target_userid=customer, article=article, reason="多次发广告"
    )
    moderation.moderation_action_confirm(actor=owner, action_id=action.pk)
    delivered(sim.mutate("group_update", chat_id=group.chat_id, remove_members=[customer], quit_scene=1))
    assert group.members.get(userid=customer).left_at is not None
    assert not BanAlert.objects.exists()
    delivered(sim.mutate("group_update", chat_id=group.chat_id, add_members=[customer], join_scene=3))
    alert = BanAlert.objects.get()
    assert (alert.group, alert.userid) == (group, customer)
    recipients = set(Notification.objects.filter(dedupe_key=f"banalert:{alert.pk}").values_list("recipient", flat=True))
    assert recipients == {owner.pk, decider.pk}
    sync_all(what=("groups",))  # the full sync writes the same members: no second alert
    assert BanAlert.objects.count() == 1


def test_new_group_rules_go_out_through_the_robot(sim):  # type: ignore[no-untyped-def]
    group, owner, _customer = _customer_group(sim)
    version = regulation_in_force()
    moderation.group_rules_link(actor=owner, policy=version.policy, group=group)
    moderation.group_robot_set(actor=owner, group=group, webhook=sim.robot_keys[0])
    sim.control({"clear_sent": True})
    v2 = announced_next_version()
    assert moderation.rules_announcements_due() == 1
    ann = RulesAnnouncement.objects.get()
    assert (ann.method, ann.status) == (AnnouncementMethod.ROBOT, AnnouncementStatus.SENT)
    robot = httpx.get(f"{sim.url}/sim/sent", params={"channel": "robot"}).json()
    robot = robot.get("sent", robot) if isinstance(robot, dict) else robot
    assert len(robot) == 1 and robot[0]["key"] == sim.robot_keys[0]
    assert robot[0]["payload"] == {"msgtype": "text", "text": {"content": ann.text}}
    assert v2.title in ann.text


def test_demo_step_leaves_an_open_task_for_a_synced_customer_group(sim):  # type: ignore[no-untyped-def]
    from zhidu.groups.demo import demo_moderation
    from zhidu.groups.models import ActionStatus, ModerationAction
    from zhidu.org.models import Role
    from zhidu.policies.services import policy_load_demo

    policy_load_demo(actor=None)
    action = demo_moderation()
    assert action is not None
    assert (action.kind, action.status, action.decided_by.role) == ("mute", ActionStatus.PENDING, Role.SUPERVISOR)
    assert action.target_type == "customer" and action.assignee == action.group.owner
    assert action.citation.startswith("《销售团队管理制度》第二十二条")
    assert action.group.kind == "customer" and action.group.owner.reports_to == action.decided_by
    assert demo_moderation() is None and ModerationAction.objects.count() == 1
