from __future__ import annotations

import factory

from zhidu.customers.models import Customer, FollowRelation, Tag, TagGroup


class TagGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TagGroup

    wecom_id = factory.Sequence(lambda n: f"etgroup{n}")
    name = factory.Sequence(lambda n: f"标签组{n}")


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    wecom_id = factory.Sequence(lambda n: f"ettag{n}")
    group = factory.SubFactory(TagGroupFactory)
    name = factory.Sequence(lambda n: f"标签{n}")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    external_userid = factory.Sequence(lambda n: f"wmcustomer{n:06d}")
    name = factory.Sequence(lambda n: f"客户{n}")


class FollowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowRelation

    customer = factory.SubFactory(CustomerFactory)
    remark = factory.Sequence(lambda n: f"备注{n}")
