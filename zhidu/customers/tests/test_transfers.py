"""Customer transfers without WeCom: who may start, see, assign and cancel them (pages and API over the canonical
actors), bad input in Chinese naming the field, limits screened before sending, the resigned flow opened by a
member's removal, and the audit trail. Sending and polling are tested against the simulator in
zhidu/wecom/tests/test_transfers.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from conftest import ACTOR_NAMES
from zhidu.core.errors import DomainError
from zhidu.core.models import AuditEvent
from zhidu.customers import transfer_results as reports
from zhidu.customers import transfers as svc
from zhidu.customers.models import (
    FollowEnd,
    FollowRelation,
    ItemReason,
    ItemStatus,
    Transfer,
    TransferItem,
    TransferKind,
    TransferStatus,
)
from zhidu.customers.tests.factories import FollowFactory
from zhidu.org import services as org
from zhidu.org.models import Role
from zhidu.org.tests.factories import MemberFactory

# May move the customers of `sales` to their teammate.
MAY_START = {"director", "manager", "supervisor"}
# Sees the transfer from `sales` to their teammate.
SEES = {"director", "manager", "supervisor", "sales", "compliance"}
PAGE_READERS = {"director", "manager", "supervisor", "supervisor_b", "sales", "sales_b", "compliance", "outsider"}


@pytest.fixture
def team(actors):  # type: ignore[no-untyped-def]
    mate = MemberFactory(
        name="郑同事", role=Role.SALES, department=actors.dept1, reports_to=actors.supervisor, user__username="mate"
    )
    customers = [FollowFactory(member=actors.sales, customer__name=f"转接客户{i}").customer for i in range(3)]
    return mate, customers


def start(actors, team, actor=None, **kwargs):  # type: ignore[no-untyped-def]
    mate, customers = team
    options = {
        "actor": actor or actors.supervisor,
        "kind": TransferKind.ONJOB,
        "handover": actors.sales,
        "takeover": mate,
        "customers": customers,
    }
    options.update(kwargs)
    return svc.transfer_create(**options)


@pytest.mark.parametrize("actor_name", ACTOR_NAMES)
def test_who_may_start_a_transfer(actors, team, actor_name):  # type: ignore[no-untyped-def]
    actor = actors.by_name(actor_name)
    if actor_name in MAY_START:
        t = start(actors, team, actor=actor)
        assert t.status == TransferStatus.QUEUED and t.items.count() == 3
        assert set(t.items.values_list("status", flat=True)) == {ItemStatus.QUEUED}
        assert AuditEvent.objects.filter(verb="transfer.create", actor=actor, target_id=str(t.pk)).exists()
        return
    with pytest.raises(DomainError) as err:
        start(actors, team, actor=actor)
    assert err.value.code == "forbidden"
    assert not Transfer.objects.exists()


def test_a_lead_cannot_hand_customers_to_someone_outside_their_scope(actors, team):  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as err:
        start(actors, team, takeover=actors.sales_b)
    assert err.value.field == "takeover"


@pytest.mark.parametrize(
    ("change", "field", "zh"),
    [
        ({"customers": []}, "customers", "至少选择一个客户或客户群"),
        ({"takeover": "handover"}, "takeover", "接替人"),
        ({"kind": TransferKind.RESIGNED}, "handover", "尚未离职"),
        ({"customers": "foreign"}, "customers", "不是"),
    ],
    ids=["empty", "same-person", "resigned-for-active", "not-followed"],
)
def test_bad_input_names_the_field_in_chinese(actors, team, change, field, zh):  # type: ignore[no-untyped-def]
    if change.get("takeover") == "handover":
        change = {"takeover": actors.sales}
    if change.get("customers") == "foreign":
        change = {"customers": [FollowFactory(member=actors.sales_b).customer]}
    with pytest.raises(DomainError) as err:
        start(actors, team, **change)
    assert err.value.field == field
    with translation.override("zh-hans"):
        assert zh in err.value.message, err.value.message
    assert not Transfer.objects.exists()


def test_over_the_limit_is_not_sent_and_says_why(actors, team, settings):  # type: ignore[no-untyped-def]
    mate, customers = team
    limited, busy, fine = customers
    # `limited` was transferred on the job twice within the window; `busy` is moving in another transfer.
    for _ in range(settings.TRANSFER_ONJOB_LIMIT):
        old = Transfer.objects.create(
            kind=TransferKind.ONJOB, status=TransferStatus.DONE, handover=actors.sales, takeover=mate
        )
        TransferItem.objects.create(
            transfer=old,
            customer=limited,
            external_id=limited.external_userid,
            status=ItemStatus.SUCCEEDED,
            attempted_at=timezone.now() - dt.timedelta(days=settings.TRANSFER_ONJOB_WINDOW_DAYS - 1),
        )
    other = Transfer.objects.create(
        kind=TransferKind.ONJOB, status=TransferStatus.IN_PROGRESS, handover=actors.sales, takeover=mate
    )
    TransferItem.objects.create(
        transfer=other, customer=busy, external_id=busy.external_userid, status=ItemStatus.WAITING
    )
    t = start(actors, team)
    by_customer = {i.customer_id: i for i in t.items.all()}
    assert (by_customer[limited.pk].status, by_customer[limited.pk].reason) == (ItemStatus.NOT_SENT, ItemReason.LIMIT)
    assert (by_customer[busy.pk].status, by_customer[busy.pk].reason) == (ItemStatus.NOT_SENT, ItemReason.IN_TRANSFER)
    assert by_customer[fine.pk].status == ItemStatus.QUEUED
    with translation.override("zh-hans"):
        assert "90" in by_customer[limited.pk].reason_label
    assert AuditEvent.objects.filter(verb="transfer_item.not_sent").count() == 2


def test_transfers_older_than_the_window_do_not_count(actors, team, settings):  # type: ignore[no-untyped-def]
    mate, customers = team
    old = Transfer.objects.create(
        kind=TransferKind.ONJOB, status=TransferStatus.DONE, handover=actors.sales, takeover=mate
    )
    for _ in range(settings.TRANSFER_ONJOB_LIMIT):
        TransferItem.objects.create(
            transfer=Transfer.objects.create(
                kind=TransferKind.ONJOB, status=TransferStatus.DONE, handover=actors.sales, takeover=mate
            ),
            customer=customers[0],
            external_id=customers[0].external_userid,
            status=ItemStatus.SUCCEEDED,
            attempted_at=timezone.now() - dt.timedelta(days=settings.TRANSFER_ONJOB_WINDOW_DAYS + 1),
        )
    assert old.pk
    t = start(actors, team, customers=customers[:1])
    assert t.items.get().status == ItemStatus.QUEUED


def test_a_batch_larger_than_the_setting_is_refused(actors, team, settings):  # type: ignore[no-untyped-def]
    settings.TRANSFER_BATCH_MAX = 2
    with pytest.raises(DomainError) as err:
        start(actors, team)
    assert err.value.field == "customers"


def test_removing_a_member_opens_a_pending_resigned_transfer(actors, team, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    mate, customers = team
    with django_capture_on_commit_callbacks(execute=True):
        org.member_remove(actor=actors.supervisor, member=actors.sales, reason="离职")
    t = Transfer.objects.get(handover=actors.sales)
    assert (t.kind, t.status, t.takeover) == (TransferKind.RESIGNED, TransferStatus.PENDING, None)
    assert set(t.items.values_list("customer_id", flat=True)) == {c.pk for c in customers}
    assert AuditEvent.objects.filter(verb="transfer.open", target_id=str(t.pk), actor=None).exists()
    # The supervisor is told on WeCom (outbox) and in zhidu.
    assert actors.supervisor.notifications.filter(url=reverse("customers:transfer_detail", args=[t.pk])).exists()
    # One customer ended meanwhile: it is not sent when the lead chooses the receiver.
    FollowRelation.objects.filter(customer=customers[0], member=actors.sales).update(
        deleted=True, end_reason=FollowEnd.BY_CUSTOMER
    )
    svc.transfer_assign(actor=actors.supervisor, transfer=t, takeover=mate)
    t.refresh_from_db()
    assert (t.status, t.takeover) == (TransferStatus.QUEUED, mate)
    statuses = dict(t.items.values_list("customer_id", "status"))
    assert statuses[customers[0].pk] == ItemStatus.NOT_SENT
    assert {statuses[c.pk] for c in customers[1:]} == {ItemStatus.QUEUED}
    assert AuditEvent.objects.filter(verb="transfer.assign", actor=actors.supervisor).exists()
    with pytest.raises(DomainError) as err:
        svc.transfer_assign(actor=actors.supervisor, transfer=t, takeover=mate)
    assert err.value.code == "conflict"


def test_a_pending_transfer_can_be_cancelled_by_a_lead_only(actors, team, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        org.member_remove(actor=actors.supervisor, member=actors.sales, reason="离职")
    t = Transfer.objects.get(handover=actors.sales)
    with pytest.raises(DomainError):
        svc.transfer_cancel(actor=actors.supervisor_b, transfer=t)
    svc.transfer_cancel(actor=actors.manager, transfer=t, reason="客户已由公司统一维护")
    t.refresh_from_db()
    assert t.status == TransferStatus.CANCELLED
    assert AuditEvent.objects.filter(verb="transfer.cancel", actor=actors.manager).exists()


def test_poll_results_move_follows_once(actors, team):  # type: ignore[no-untyped-def]
    """The state transitions the WeCom poller drives, applied twice: the second time changes nothing."""
    mate, customers = team
    t = start(actors, team)
    ids = [c.external_userid for c in customers]
    reports.transfer_items_claim(transfer_id=t.pk, external_ids=ids)
    reports.transfer_record_sent(transfer_id=t.pk, results={ids[0]: 0, ids[1]: 0, ids[2]: 40129})
    results = {ids[0]: (1, 1_764_000_000), ids[1]: (3, 1_764_000_000)}
    assert reports.transfer_apply_results(transfer_id=t.pk, results=results) == {
        "succeeded": 1,
        "refused": 1,
        "failed": 0,
        "waiting": 0,
    }
    audits = AuditEvent.objects.count()
    assert reports.transfer_apply_results(transfer_id=t.pk, results=results)["succeeded"] == 0
    assert not reports.transfer_fail_reported(
        external_userid=ids[1], userid=mate.wecom_userid, fail_reason="customer_refused"
    )
    assert AuditEvent.objects.count() == audits
    t.refresh_from_db()
    assert t.status == TransferStatus.DONE
    moved = FollowRelation.objects.get(customer=customers[0], member=actors.sales)
    assert moved.deleted and moved.end_reason == FollowEnd.BY_TRANSFER
    assert FollowRelation.objects.get(customer=customers[0], member=mate).remark == moved.remark
    assert not FollowRelation.objects.get(customer=customers[1], member=actors.sales).deleted
    failed = t.items.get(external_id=ids[2])
    assert (failed.status, failed.errcode) == (ItemStatus.FAILED, 40129)


@pytest.mark.parametrize("actor_name", ACTOR_NAMES)
def test_pages_by_actor(actors, team, login, actor_name, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    t = start(actors, team)
    client = login(actors.by_name(actor_name))
    with django_assert_max_num_queries(15):
        listing = client.get(reverse("customers:transfers"))
    detail = client.get(reverse("customers:transfer_detail", args=[t.pk]))
    new = client.get(reverse("customers:transfer_start"))
    if actor_name not in PAGE_READERS:
        assert listing.status_code == detail.status_code == new.status_code == 403
        return
    assert listing.status_code == 200
    assert new.status_code == (
        200 if actors.by_name(actor_name).role in (Role.DIRECTOR, Role.MANAGER, Role.SUPERVISOR) else 403
    )
    if actor_name in SEES:
        assert detail.status_code == 200
        body = detail.content.decode()
        assert "转接客户0" in body and "在职转接" in body
        assert f'href="{reverse("customers:transfer_detail", args=[t.pk])}"' in listing.content.decode()
    else:
        assert detail.status_code == 404


@pytest.mark.parametrize("actor_name", ACTOR_NAMES)
def test_api_by_actor(actors, team, login, actor_name):  # type: ignore[no-untyped-def]
    mate, customers = team
    client = login(actors.by_name(actor_name))
    body = {"handover_id": actors.sales.pk, "takeover_id": mate.pk, "customer_ids": [c.pk for c in customers]}
    created = client.post("/api/customers/transfers/", body, content_type="application/json")
    if actor_name in MAY_START:
        assert created.status_code == 201, created.content
        assert created.json()["counts"]["queued"] == 3
    else:
        assert created.status_code in (403, 404), (actor_name, created.status_code)
        assert not Transfer.objects.exists()
    t = Transfer.objects.first() or start(actors, team)
    listing = client.get("/api/customers/transfers/?limit=1")
    detail = client.get(f"/api/customers/transfers/{t.pk}")
    items = client.get(f"/api/customers/transfers/{t.pk}/items?limit=2")
    if actor_name == "admin":
        assert listing.status_code == detail.status_code == 403
        return
    assert listing.status_code == 200
    if actor_name in SEES:
        assert listing.json()["total"] == 1 and listing.json()["items"][0]["id"] == t.pk
        assert detail.status_code == 200 and detail.json()["handover_id"] == actors.sales.pk
        assert items.status_code == 200 and items.json()["total"] == 3 and len(items.json()["items"]) == 2
    else:
        assert listing.json() == {"total": 0, "items": []}
        assert detail.status_code == items.status_code == 404


def test_the_start_page_creates_a_transfer(actors, team, login):  # type: ignore[no-untyped-def]
    mate, customers = team
    client = login(actors.supervisor)
    page = client.get(reverse("customers:transfer_start"), {"handover": actors.sales.pk})
    assert page.status_code == 200 and "转接客户1" in page.content.decode()
    assert client.get(reverse("customers:transfer_start"), {"handover": actors.sales_b.pk}).status_code == 404
    response = client.post(
        reverse("customers:transfer_start"),
        {"handover": actors.sales.pk, "takeover": mate.pk, "customers": [customers[0].pk, customers[1].pk]},
    )
    t = Transfer.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("customers:transfer_detail", args=[t.pk])
    assert t.items.count() == 2 and t.created_by == actors.supervisor
    # Bad input comes back as a Chinese message on the page, nothing written.
    response = client.post(
        reverse("customers:transfer_start"),
        {"handover": actors.sales.pk, "takeover": actors.sales.pk, "customers": [customers[2].pk]},
        follow=True,
    )
    assert "接替人" in response.content.decode() and Transfer.objects.count() == 1


def test_customer_detail_shows_its_transfer_history(actors, team, login, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    mate, customers = team
    t = start(actors, team)
    client = login(actors.supervisor)
    with django_assert_max_num_queries(20):
        body = client.get(reverse("customers:detail", args=[customers[0].pk])).content.decode()
    assert 'data-testid="transfer-history"' in body
    assert f'href="{reverse("customers:transfer_detail", args=[t.pk])}"' in body and mate.name in body
    # A salesperson of another team sees neither the customer nor the transfer.
    assert login(actors.sales_b).get(reverse("customers:detail", args=[customers[0].pk])).status_code == 404
