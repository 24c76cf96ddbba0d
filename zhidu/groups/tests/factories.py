from __future__ import annotations

import factory

from zhidu.groups.models import GroupChat, GroupMember, MemberType


class GroupChatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroupChat

    chat_id = factory.Sequence(lambda n: f"wrchat{n:06d}")
    name = factory.Sequence(lambda n: f"客户群{n}")


class GroupMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroupMember

    group = factory.SubFactory(GroupChatFactory)
    userid = factory.Sequence(lambda n: f"wmguest{n:06d}")
    type = MemberType.CUSTOMER
