"""A supervisor follows a transfer on a phone (390×844): per-customer status and reasons in Chinese, no sideways
scroll; then completes a resigned transfer by choosing the receiver."""

from __future__ import annotations

import pytest
from django.utils import timezone

from zhidu.customers import transfer_results as reports
from zhidu.customers import transfers as svc
from zhidu.customers.models import ItemStatus, Transfer, TransferKind, TransferStatus
from zhidu.customers.tests.factories import FollowFactory
from zhidu.org import services as org
from zhidu.org.models import Role
from zhidu.org.tests.factories import PASSWORD, MemberFactory

from .test_membership import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_transfer_detail_on_a_phone(live_server, browser, actors):  # type: ignore[no-untyped-def]
    mate = MemberFactory(name="郑同事", role=Role.SALES, department=actors.dept1, reports_to=actors.supervisor)
    customers = [
        FollowFactory(member=actors.sales, customer__name=f"一位名字相当长的重要客户{i}号").customer for i in range(3)
    ]
    # No WeCom is configured here (the handler leaves transfers queued): drive the states as the poller would.
    t = svc.transfer_create(
        actor=actors.supervisor, kind=TransferKind.ONJOB, handover=actors.sales, takeover=mate, customers=customers
    )
    ids = [c.external_userid for c in customers]
    reports.transfer_items_claim(transfer_id=t.pk, external_ids=ids)
    reports.transfer_record_sent(transfer_id=t.pk, results={ids[0]: 0, ids[1]: 0, ids[2]: 40128})
    ts = int(timezone.now().timestamp()) + 86400
    reports.transfer_apply_results(transfer_id=t.pk, results={ids[0]: (3, ts), ids[1]: (2, ts)})

    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.set_default_timeout(15000)
        log_in(page, live_server.url, "supervisor", PASSWORD)
        page.goto(f"{live_server.url}/customers/transfers/{t.pk}/")
        page.wait_for_selector("[data-testid=items]")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert "进行中" in page.locator("[data-testid=transfer-status]").inner_text()
        assert "客户拒绝" in page.locator(f"[data-testid=item-{ids[0]}]").inner_text()
        assert "等待接替" in page.locator(f"[data-testid=item-{ids[1]}]").inner_text()
        failed = page.locator(f"[data-testid=item-{ids[2]}]").inner_text()
        assert "失败" in failed and "90天内最多在职转接2次" in failed

        # The removed member's customers wait for a receiver; the supervisor chooses one on the phone.
        org.member_remove(actor=actors.supervisor, member=actors.sales, reason="离职")
        pending = Transfer.objects.get(handover=actors.sales, status=TransferStatus.PENDING)
        page.goto(f"{live_server.url}/customers/transfers/{pending.pk}/")
        page.wait_for_selector("[data-testid=assign]")
        assert "待指定接替人" in page.locator("[data-testid=transfer-status]").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.select_option("[data-testid=assign] select[name=takeover]", str(mate.pk))
        with page.expect_navigation():
            page.click("[data-testid=assign] button.primary")
        assert "转接已开始" in page.content()
        pending.refresh_from_db()
        assert (pending.takeover, pending.status) == (mate, TransferStatus.QUEUED)
        # The customer still waiting in the first transfer is not sent twice.
        assert pending.items.get(customer=customers[1]).status == ItemStatus.NOT_SENT
    finally:
        context.close()
