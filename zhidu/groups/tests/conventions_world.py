"""A small world for convention tests: the canonical actors plus a customer group and an internal group."""

from __future__ import annotations

from dataclasses import dataclass

from zhidu.groups.models import GroupChat, GroupKind, MemberType
from zhidu.groups.tests.factories import GroupChatFactory, GroupMemberFactory


@dataclass
class World:
    customer: GroupChat
    internal: GroupChat
    outside: GroupChat


def build_world(actors) -> World:  # type: ignore[no-untyped-def]
    """customer (owned by sales in 销售一部): its name follows, the owner's nickname follows, the supervisor's
    does not and the supervisor is an admin in WeCom without a designation. internal (created by the supervisor):
    a name outside '{部门}群'. outside: a group of 销售二部 that follows everything except having an admin."""
    customer = GroupChatFactory(name="销售一部-华为-服务群", owner=actors.sales, owner_userid=actors.sales.wecom_userid)
    staff = {"type": MemberType.STAFF}
    GroupMemberFactory(
        group=customer, userid=actors.sales.wecom_userid, member=actors.sales, group_nickname="销售一部周销售", **staff
    )
    GroupMemberFactory(
        group=customer,
        userid=actors.supervisor.wecom_userid,
        member=actors.supervisor,
        group_nickname="孙主管🌟",
        is_admin=True,
        **staff,
    )
    GroupMemberFactory(group=customer, name="顾客甲", group_nickname="阿甲")
    internal = GroupChatFactory(
        name="闲聊",
        kind=GroupKind.INTERNAL,
        creator_userid=actors.supervisor.wecom_userid,
        owner=actors.supervisor,
        owner_userid=actors.supervisor.wecom_userid,
    )
    GroupMemberFactory(
        group=internal, userid=actors.supervisor.wecom_userid, member=actors.supervisor, is_admin=True, **staff
    )
    GroupMemberFactory(group=internal, userid=actors.sales.wecom_userid, member=actors.sales, **staff)
    outside = GroupChatFactory(name="销售二部VIP群", owner=actors.outsider, owner_userid=actors.outsider.wecom_userid)
    GroupMemberFactory(
        group=outside,
        userid=actors.outsider.wecom_userid,
        member=actors.outsider,
        group_nickname="销售二部-冯外人",
        **staff,
    )
    return World(customer, internal, outside)
