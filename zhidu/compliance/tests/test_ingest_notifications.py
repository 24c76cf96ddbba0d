"""Defect 8: ingestion never delivers notifications itself; it queues them and the outbox worker sends them.

An archive import with WeCom unreachable must not try any HTTP delivery (it used to retry with back-off in each
batch's post-commit hook, crawling at 38 msgs/s); the queued messages go out on a later outbox flush.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
from django.core.management import call_command

from wecomsim import SimulatorServer
from zhidu.compliance.models import Violation
from zhidu.core.models import Notification
from zhidu.org.models import Member, Role
from zhidu.wecom.models import OutboxMessage, OutboxStatus
from zhidu.wecom.sync import sync_all
from zhidu.wecom.tasks import outbox_flush_task
from zhidu.wecom.tests.conftest import make_sim

from .factories import make_rule, text_record, write_jsonl


class DeadEndpoint:
    """A TCP port that accepts and drops every connection, counting them: WeCom "unreachable", observably."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.connections = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def dead_endpoint() -> Iterator[DeadEndpoint]:
    endpoint = DeadEndpoint()
    yield endpoint
    endpoint.close()


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorServer]:
    server = make_sim(b"").start()
    yield server
    server.stop()


@pytest.fixture
def team(sim, settings, db):  # type: ignore[no-untyped-def]
    """The simulator's organisation synced; two salespeople with (WeCom-reachable) supervisors."""
    settings.WECOM_API_BASE = sim.url
    settings.WECOM_CORP_ID = sim.company.corp_id
    settings.WECOM_CONTACT_SECRET = sim.secrets["contact"]
    settings.WECOM_APP_SECRET = sim.secrets["app"]
    settings.WECOM_AGENT_ID = sim.state.agent_id
    settings.WECOM_MAX_TRIES = 2
    settings.WECOM_BACKOFF_BASE = 0.005
    settings.WECOM_BACKOFF_MAX = 0.01
    sync_all(what=("contacts",))
    sales = list(
        Member.objects.filter(role=Role.SALES, reports_to__isnull=False)
        .exclude(reports_to__wecom_userid=None)
        .order_by("pk")[:2]
    )
    assert len(sales) == 2
    return sales


def test_import_with_wecom_unreachable_queues_and_a_later_flush_delivers(
    team, sim, settings, tmp_path, dead_endpoint, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    make_rule()
    records = []
    for i, member in enumerate(team):
        customer = f"wmCustomerD{i:04d}"
        records += [
            text_record(member.wecom_userid, customer, "您好"),
            text_record(member.wecom_userid, customer, "今天报名是全网最低价"),
        ]
    path = write_jsonl(tmp_path / "archive.jsonl", records)
    settings.WECOM_API_BASE = dead_endpoint.url

    with django_capture_on_commit_callbacks(execute=True):  # every post-commit hook of every batch runs
        call_command("archive", "import", str(path), "--limit", "2")

    assert Violation.objects.count() == 2
    supervisors = {m.reports_to_id for m in team}
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == supervisors
    queued = list(OutboxMessage.objects.all())
    assert len(queued) == len(supervisors)
    assert {(m.status, m.attempts, m.last_error) for m in queued} == {(OutboxStatus.PENDING, 0, "")}
    assert dead_endpoint.connections == 0  # nothing tried to reach WeCom during the import

    settings.WECOM_API_BASE = sim.url  # WeCom is back: the scheduler's outbox-flush sends them
    outbox_flush_task.apply()
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}
    userids = set(Member.objects.filter(pk__in=supervisors).values_list("wecom_userid", flat=True))
    sent = [s for s in sim.sent if s["channel"] == "app"]
    assert {u for s in sent for u in s["touser"]} == userids
    assert all("/compliance/violations/" in s["payload"]["textcard"]["url"] for s in sent)
