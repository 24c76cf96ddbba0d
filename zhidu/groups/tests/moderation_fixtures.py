"""A customer group owned by `sales` with a customer, a colleague and a regulation in force to cite."""

from __future__ import annotations

from dataclasses import dataclass

from zhidu.groups.models import GroupChat, GroupMember, MemberType
from zhidu.groups.tests.factories import GroupChatFactory, GroupMemberFactory
from zhidu.policies import services as policy_services
from zhidu.policies.models import Article, PolicyVersion, VersionStatus
from zhidu.policies.tests.factories import SMALL, SMALL_V2, make_version

CUSTOMER = "wmCustomerAd001"


@dataclass
class World:
    group: GroupChat
    customer: GroupMember
    version: PolicyVersion
    article: Article


def regulation_in_force() -> PolicyVersion:
    v1 = make_version(text=SMALL, status=VersionStatus.APPROVED, code="group-rules")
    return policy_services.version_publish_demo_seed(version=v1, effective_date=policy_services.today_local())


def announced_next_version() -> PolicyVersion:
    """v2 of the same regulation, published with the minimum notice (in force in 7 days)."""
    return make_version(text=SMALL_V2, status=VersionStatus.PUBLISHED, code="group-rules")


def build_world(actors) -> World:  # type: ignore[no-untyped-def]
    group = GroupChatFactory(name="客户群A", owner=actors.sales, owner_userid=actors.sales.wecom_userid)
    GroupMemberFactory(group=group, userid=actors.sales.wecom_userid, type=MemberType.STAFF, member=actors.sales)
    GroupMemberFactory(
        group=group, userid=actors.sales_b.wecom_userid, type=MemberType.STAFF, member=actors.sales_b, name="吴销售"
    )
    customer = GroupMemberFactory(group=group, userid=CUSTOMER, type=MemberType.CUSTOMER, name="发广告的客户")
    version = regulation_in_force()
    article = version.articles.get(number=3)
    return World(group=group, customer=customer, version=version, article=article)
