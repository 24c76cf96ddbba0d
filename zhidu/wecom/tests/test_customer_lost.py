"""流失提醒 end to end: the simulator pushes `del_follow_user` (the customer deleted the salesperson) to our live
server; the relation's stage becomes 已流失 and the owner and their supervisor are notified through the outbox."""

from __future__ import annotations

import pytest

from zhidu.core.models import Notification
from zhidu.customers.development.services import development_update
from zhidu.customers.models import Development, FollowEnd, FollowRelation, Stage
from zhidu.org.models import Member
from zhidu.wecom.models import OutboxMessage
from zhidu.wecom.tests.test_sync_incremental import a_sales_user, delivered, sim  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def test_customer_deleting_the_salesperson_is_a_loss(sim):  # type: ignore[no-untyped-def]  # noqa: F811
    user = a_sales_user(sim)
    ext = sim.company.customers_of(user.userid)[0]
    member = Member.objects.get(wecom_userid=user.userid)
    follow = FollowRelation.objects.get(customer__external_userid=ext, member=member)
    development_update(actor=member, follow_id=follow.pk, stage=Stage.PROPOSAL)

    delivered(sim.mutate("customer_del_follow_user", userid=user.userid, external_userid=ext))

    follow.refresh_from_db()
    assert follow.deleted and follow.end_reason == FollowEnd.BY_CUSTOMER
    assert Development.objects.get(follow=follow).stage == Stage.LOST
    recipients = set(Notification.objects.filter(title__startswith="客户流失").values_list("recipient_id", flat=True))
    assert member.reports_to_id is not None  # the synced company has supervisors
    assert recipients == {member.pk, member.reports_to_id}
    # the WeCom channel queued an app message to both
    queued = {u for m in OutboxMessage.objects.all() for u in m.to_userids}
    assert {user.userid, member.reports_to.wecom_userid} <= queued
