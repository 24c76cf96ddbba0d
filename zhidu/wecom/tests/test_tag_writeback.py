"""Tags edited in zhidu go back to WeCom through `externalcontact/mark_tag`, over real HTTP to the simulator
(event `customers.tags_changed`, handled by zhidu.wecom after commit). A WeCom refusal leaves the event failed
for retry; zhidu's own change stands."""

from __future__ import annotations

import itertools

import pytest

from zhidu.core.models import DeliveryStatus, EventDelivery
from zhidu.customers.development.services import follow_bulk_tags, follow_tags_change
from zhidu.customers.tests.factories import CustomerFactory, FollowFactory, TagFactory, TagGroupFactory
from zhidu.org.models import Role
from zhidu.org.tests.factories import MemberFactory

pytestmark = pytest.mark.usefixtures("wecom_settings")
_groups = itertools.count(1)  # the simulator lives for the module: every test makes its own tag group


@pytest.fixture
def setup(actors, wecom_sim, wecom_client):  # type: ignore[no-untyped-def]
    name = f"回写测试{next(_groups)}"
    created = wecom_client.add_corp_tag(group_name=name, tags=["意向强", "已报价"]).tag_group
    group = TagGroupFactory(wecom_id=created.group_id, name=name)
    tags = [TagFactory(wecom_id=t.id, name=t.name, group=group) for t in created.tag]
    ext, userid = wecom_sim.company.follow_pairs()[0]
    member = MemberFactory(
        name="模拟销售", role=Role.SALES, department=actors.dept1, reports_to=actors.supervisor, wecom_userid=userid
    )
    follow = FollowFactory(member=member, customer=CustomerFactory(external_userid=ext))
    return follow, tags


def wecom_tags(wecom_client, follow):  # type: ignore[no-untyped-def]
    users = wecom_client.externalcontact_get_all(follow.customer.external_userid).follow_user
    mine = next(u for u in users if u.userid == follow.member.wecom_userid)
    return {t.tag_id for t in mine.tags}


def test_add_and_remove_reach_wecom(actors, setup, wecom_client, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    follow, (strong, quoted) = setup
    with django_capture_on_commit_callbacks(execute=True):
        assert follow_tags_change(actor=actors.supervisor, follow_id=follow.pk, add=[strong.pk, quoted.pk])
    assert {strong.wecom_id, quoted.wecom_id} <= wecom_tags(wecom_client, follow)
    with django_capture_on_commit_callbacks(execute=True):
        follow_tags_change(actor=actors.supervisor, follow_id=follow.pk, remove=[strong.pk])
    remote = wecom_tags(wecom_client, follow)
    assert quoted.wecom_id in remote and strong.wecom_id not in remote
    assert set(follow.tags.all()) == {quoted}
    assert set(EventDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.DONE}


def test_bulk_tags_reach_wecom(actors, setup, wecom_client, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    follow, (strong, _quoted) = setup
    with django_capture_on_commit_callbacks(execute=True):
        assert follow_bulk_tags(actor=actors.supervisor, follow_ids=[follow.pk], add=[strong.pk]) == 1
    assert strong.wecom_id in wecom_tags(wecom_client, follow)


def test_wecom_refusal_keeps_the_event_for_retry(actors, setup, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    follow, _tags = setup
    gone = TagFactory(wecom_id="etNoSuchTagInWeCom0001", name="已删除")
    with django_capture_on_commit_callbacks(execute=True):
        follow_tags_change(actor=actors.supervisor, follow_id=follow.pk, add=[gone.pk])
    delivery = EventDelivery.objects.get(name="customers.tags_changed")
    assert delivery.status == DeliveryStatus.FAILED and "40068" in delivery.last_error
    assert list(follow.tags.all()) == [gone]


def test_not_configured_wecom_is_skipped(actors, setup, settings, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    follow, (strong, _quoted) = setup
    settings.WECOM_CORP_ID = ""
    with django_capture_on_commit_callbacks(execute=True):
        follow_tags_change(actor=actors.supervisor, follow_id=follow.pk, add=[strong.pk])
    assert EventDelivery.objects.get().status == DeliveryStatus.DONE
