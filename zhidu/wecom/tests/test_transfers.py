"""Customer transfers against the simulator over real HTTP: sent, polled until resolved, follow relations moved,
callbacks agreeing with the poll, limits, refusals, failures, the resigned flow, and restarts."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.db import OperationalError, connection

from zhidu.core import events
from zhidu.core.models import AuditEvent
from zhidu.customers import transfer_results as reports
from zhidu.customers import transfers as svc
from zhidu.customers.models import (
    Customer,
    FollowEnd,
    FollowRelation,
    ItemReason,
    ItemStatus,
    Transfer,
    TransferItem,
    TransferKind,
    TransferStatus,
)
from zhidu.org.models import Member, MemberStatus, Role
from zhidu.wecom.sync import sync_all
from zhidu.wecom.tests.conftest import client_for
from zhidu.wecom.transfers import on_transfer_submitted, transfers_poll_open

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # WeCom pushes callbacks to the live server while the test thread polls. With the in-memory SQLite test
    # database both threads share one connection, so they trip over each other's transactions ("cannot start a
    # transaction within a transaction"); these run in the PostgreSQL pass of the suite (make test-pg, .ci/run).
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"), reason="needs PostgreSQL: concurrent threads"
    ),
]


@pytest.fixture
def sim(pushing_sim):  # type: ignore[no-untyped-def]
    """A fresh simulated company, synced, pushing its callbacks to our live server."""
    return pushing_sim


def team_with_customers(min_customers: int = 1) -> tuple[Member, Member, Member]:
    """(lead, handover, takeover): two salespeople of one supervisor, the handover following customers."""
    for lead in Member.objects.filter(role=Role.SUPERVISOR, status=MemberStatus.ACTIVE).order_by("id"):
        team = list(lead.reports.filter(role=Role.SALES, status=MemberStatus.ACTIVE).order_by("id"))
        for handover in team:
            n = FollowRelation.objects.filter(member=handover, deleted=False).count()
            others = [m for m in team if m != handover]
            if n >= min_customers and others:
                return lead, handover, others[0]
    raise AssertionError("the simulated company has no team with customers")


def customers_of(member: Member, n: int) -> list[Customer]:
    ids = (
        FollowRelation.objects.filter(member=member, deleted=False).order_by("id").values_list("customer_id", flat=True)
    )
    return list(Customer.objects.filter(pk__in=list(ids)[:n]).order_by("id"))


def wait_until(check, timeout: float = 8.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


def poll_until_done(transfer: Transfer, sim, timeout: float = 8.0) -> Transfer:  # type: ignore[no-untyped-def]
    def done() -> bool:
        # On SQLite the live server's thread shares the test's in-memory database connection: a callback WeCom
        # pushes while this thread polls can make either side fail ("table is locked", "cannot start a
        # transaction within a transaction"). Let pushed callbacks land first, and retry a poll that met one
        # (it is idempotent). PostgreSQL gives each thread its own connection and never takes this branch.
        sim.wait_callbacks()
        try:
            transfers_poll_open()
        except OperationalError:
            if connection.vendor != "sqlite":
                raise
            return False
        transfer.refresh_from_db()
        return transfer.status == TransferStatus.DONE

    wait_until(done, timeout)
    sim.wait_callbacks()
    return transfer


def test_onjob_transfer_succeeds_and_moves_the_follow_relations(sim):  # type: ignore[no-untyped-def]
    lead, handover, takeover = team_with_customers(2)
    chosen = customers_of(handover, 2)
    transfer = svc.transfer_create(
        actor=lead, kind=TransferKind.ONJOB, handover=handover, takeover=takeover, customers=chosen, note="调岗"
    )
    transfer.refresh_from_db()
    # Sent after the commit (eager event): every customer is waiting for WeCom's takeover.
    assert transfer.status == TransferStatus.IN_PROGRESS
    assert set(transfer.items.values_list("status", flat=True)) == {ItemStatus.WAITING}
    assert all(i.takeover_time is not None for i in transfer.items.all())
    poll_until_done(transfer, sim)
    assert set(transfer.items.values_list("status", flat=True)) == {ItemStatus.SUCCEEDED}
    for c in chosen:
        old = FollowRelation.objects.get(customer=c, member=handover)
        assert old.deleted and old.end_reason == FollowEnd.BY_TRANSFER
        assert FollowRelation.objects.get(customer=c, member=takeover).deleted is False
    verbs = list(AuditEvent.objects.filter(target_type="customers.transferitem").values_list("verb", flat=True))
    assert verbs.count("transfer_item.waiting") == 2 and verbs.count("transfer_item.succeeded") == 2
    assert AuditEvent.objects.filter(verb="transfer.create", actor=lead).count() == 1
    assert AuditEvent.objects.filter(verb="transfer.done", target_id=str(transfer.pk)).count() == 1
    # Polling again, the callbacks WeCom pushed, and a full sync change nothing more.
    audits = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    transfers_poll_open()
    sync_all()
    for c in chosen:
        old = FollowRelation.objects.get(customer=c, member=handover)
        assert old.deleted and old.end_reason == FollowEnd.BY_TRANSFER
        assert FollowRelation.objects.get(customer=c, member=takeover).deleted is False
    assert AuditEvent.objects.filter(target_type="customers.transferitem").count() == 4
    assert AuditEvent.objects.filter(target_type="customers.transfer").count() == 3  # create, in progress, done
    assert not AuditEvent.objects.filter(pk__gt=audits, verb__startswith="follow.end").exists()


def test_a_refusing_customer_and_a_full_receiver(sim):  # type: ignore[no-untyped-def]
    lead, handover, takeover = team_with_customers(2)
    refuses, full = customers_of(handover, 2)
    sim.configure(transfer_outcomes={refuses.external_userid: 3, full.external_userid: 4})
    transfer = svc.transfer_create(
        actor=lead, kind=TransferKind.ONJOB, handover=handover, takeover=takeover, customers=[refuses, full]
    )
    poll_until_done(transfer, sim)
    by_ext = {i.external_id: i for i in transfer.items.all()}
    assert by_ext[refuses.external_userid].status == ItemStatus.REFUSED
    assert by_ext[refuses.external_userid].reason == ItemReason.REFUSED
    assert by_ext[full.external_userid].status == ItemStatus.FAILED
    assert by_ext[full.external_userid].reason == ItemReason.TAKEOVER_FULL
    for c in (refuses, full):  # nothing moved
        assert FollowRelation.objects.get(customer=c, member=handover).deleted is False
        assert not FollowRelation.objects.filter(customer=c, member=takeover, deleted=False).exists()


def test_onjob_limit_is_respected_and_shown(sim):  # type: ignore[no-untyped-def]
    lead, a, b = team_with_customers(2)
    c, other = customers_of(a, 2)
    first = svc.transfer_create(actor=lead, kind=TransferKind.ONJOB, handover=a, takeover=b, customers=[c])
    poll_until_done(first, sim)
    second = svc.transfer_create(actor=lead, kind=TransferKind.ONJOB, handover=b, takeover=a, customers=[c])
    poll_until_done(second, sim)
    # A third on-job transfer within 90 days is not sent; WeCom is not even asked.
    calls = sim.stats()["calls"].get("externalcontact/transfer_customer", 0)
    third = svc.transfer_create(actor=lead, kind=TransferKind.ONJOB, handover=a, takeover=b, customers=[c])
    item = third.items.get()
    assert (item.status, item.reason) == (ItemStatus.NOT_SENT, ItemReason.LIMIT)
    assert third.status == TransferStatus.DONE
    assert sim.stats()["calls"].get("externalcontact/transfer_customer", 0) == calls
    # Transfers made outside zhidu count too: WeCom answers 40128 and the item shows it.
    now = sim.state.clock()
    sim.state.transfer_counts[other.external_userid] = [now - 10, now - 5]
    fourth = svc.transfer_create(actor=lead, kind=TransferKind.ONJOB, handover=a, takeover=b, customers=[other])
    item = fourth.items.get()
    assert (item.status, item.errcode) == (ItemStatus.FAILED, 40128)
    assert "90" in item.reason_label
    fourth.refresh_from_db()
    assert fourth.status == TransferStatus.DONE


def test_a_refused_request_fails_its_items_with_the_code(sim):  # type: ignore[no-untyped-def]
    lead, handover, takeover = team_with_customers(1)
    sim.inject(60111, count=1, api="externalcontact/transfer_customer")
    transfer = svc.transfer_create(
        actor=lead, kind=TransferKind.ONJOB, handover=handover, takeover=takeover, customers=customers_of(handover, 1)
    )
    item = transfer.items.get()
    assert (item.status, item.errcode) == (ItemStatus.FAILED, 60111)
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.DONE
    assert FollowRelation.objects.filter(member=handover, customer=item.customer, deleted=False).exists()


def test_removing_a_member_opens_the_resigned_transfer(sim):  # type: ignore[no-untyped-def]
    lead, handover, takeover = team_with_customers(1)
    followed = set(FollowRelation.objects.filter(member=handover, deleted=False).values_list("customer_id", flat=True))
    result = sim.mutate("user_resign", userid=handover.wecom_userid)
    assert all(e["status"] == "delivered" for e in result["events"])
    handover.refresh_from_db()
    assert handover.status == MemberStatus.REMOVED
    pending = Transfer.objects.get(handover=handover, status=TransferStatus.PENDING)
    assert pending.kind == TransferKind.RESIGNED and pending.takeover is None
    assert set(pending.items.exclude(customer=None).values_list("customer_id", flat=True)) == followed
    assert AuditEvent.objects.filter(verb="transfer.open", target_id=str(pending.pk)).count() == 1
    # Removing again (a replayed sync) opens nothing more.
    svc.transfer_open_resigned(member_id=handover.pk)
    assert Transfer.objects.filter(handover=handover).count() == 1
    # The lead chooses the receiver; WeCom's resigned APIs do the rest.
    svc.transfer_assign(actor=lead, transfer=pending, takeover=takeover)
    poll_until_done(pending, sim)
    customers = pending.items.exclude(customer=None)
    assert set(customers.values_list("status", flat=True)) == {ItemStatus.SUCCEEDED}
    for item in customers:
        assert FollowRelation.objects.get(customer_id=item.customer_id, member=takeover).deleted is False
        old = FollowRelation.objects.get(customer_id=item.customer_id, member=handover)
        assert old.deleted and old.end_reason == FollowEnd.BY_TRANSFER
    groups = pending.items.exclude(group=None)
    assert set(groups.values_list("status", flat=True)) <= {ItemStatus.SUCCEEDED}


def test_polling_resumes_after_a_restart_without_duplicates(sim):  # type: ignore[no-untyped-def]
    lead, handover, takeover = team_with_customers(2)
    chosen = customers_of(handover, 2)
    # The worker dies after WeCom accepted the request and before the answer was stored.
    events.unsubscribe(svc.SUBMITTED_EVENT, on_transfer_submitted)
    try:
        transfer = svc.transfer_create(
            actor=lead, kind=TransferKind.ONJOB, handover=handover, takeover=takeover, customers=chosen
        )
    finally:
        events.subscribe(svc.SUBMITTED_EVENT, on_transfer_submitted)
    ids = [c.external_userid for c in chosen]
    assert reports.transfer_items_claim(transfer_id=transfer.pk, external_ids=ids) == ids
    client = client_for(sim)
    try:
        assert [
            r.errcode for r in client.transfer_customer(handover.wecom_userid, takeover.wecom_userid, ids).customer
        ] == [0, 0]
    finally:
        client.close()
    assert set(transfer.items.values_list("status", flat=True)) == {ItemStatus.QUEUED}
    # After the restart the periodic task reconciles from transfer_result instead of sending again.
    transfers_poll_open()
    items = list(transfer.items.all())
    assert {i.status for i in items} <= {ItemStatus.WAITING, ItemStatus.SUCCEEDED}
    assert not any(i.errcode for i in items)
    poll_until_done(transfer, sim)
    assert set(transfer.items.values_list("status", flat=True)) == {ItemStatus.SUCCEEDED}
    for item in items:
        verbs = list(
            AuditEvent.objects.filter(target_type="customers.transferitem", target_id=str(item.pk)).values_list(
                "verb", flat=True
            )
        )
        assert sorted(verbs) == ["transfer_item.succeeded", "transfer_item.waiting"] or verbs == [
            "transfer_item.succeeded"
        ]
        assert FollowRelation.objects.filter(customer_id=item.customer_id, member=takeover).count() == 1
    assert TransferItem.objects.filter(transfer=transfer).count() == 2
    assert sim.stats()["calls"]["externalcontact/transfer_customer"] == 1  # sent once, never again


def test_the_demo_step_leaves_a_transfer_in_progress(sim):  # type: ignore[no-untyped-def]
    from zhidu.customers.transfer_demo import demo_transfer

    sim.configure(transfer_delay=86400)  # as `make run` starts the simulator: WeCom's 24 h
    transfer = demo_transfer()
    assert transfer is not None
    transfers_poll_open()
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.IN_PROGRESS
    assert set(transfer.items.values_list("status", flat=True)) == {ItemStatus.WAITING}
    assert demo_transfer() is None and Transfer.objects.count() == 1
