"""Group order end to end over real HTTP: the simulator's archive carries a member's flood, a repeat and a
customer's flood (`archive_burst`); pulling it in small batches reports each once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from wecomsim import SimulatorServer
from zhidu.compliance.models import Violation
from zhidu.compliance.services import archive_ingest
from zhidu.groups.models import GroupChat
from zhidu.org.models import Member
from zhidu.wecom.tests.conftest import make_sim

from .test_archive_pull import _pem, source_for
from .test_archive_pull import synced as synced


@pytest.fixture(scope="module")
def pem() -> bytes:
    return _pem()


@pytest.fixture(scope="module")
def sim(pem: bytes) -> Iterator[SimulatorServer]:
    server = make_sim(pem, archive_messages=30).start()
    yield server
    server.stop()


def floods() -> list[Violation]:
    return list(Violation.objects.filter(category="flood").select_related("rule", "message", "member"))


def test_bursts_from_the_simulator(synced, pem):
    sim = synced
    source = source_for(sim, {1: pem})
    archive_ingest(source=source, limit=50)
    before = {v.pk for v in floods()}
    group = GroupChat.objects.filter(owner__isnull=False).select_related("owner").order_by("pk").first()
    assert group is not None
    owner: Member = group.owner
    sim.mutate("archive_burst", userid=owner.wecom_userid, roomid=group.chat_id, count=12, seconds=1)
    sim.mutate(
        "archive_burst", userid=owner.wecom_userid, roomid=group.chat_id, count=3, seconds=30, text="今晚八点 直播"
    )
    customer = next(m.userid for m in sim.company.groups[group.chat_id].members if m.type == 2)
    sim.mutate("archive_burst", userid=customer, roomid=group.chat_id, count=10, seconds=2)
    report = archive_ingest(source=source, limit=4)  # the bursts split across batches
    new = [v for v in floods() if v.pk not in before]
    assert sorted((v.rule.code, v.member_id, v.message.roomid) for v in new) == [
        ("behaviour.flood", owner.pk, group.chat_id),
        ("behaviour.repeat", owner.pk, group.chat_id),
    ]
    flood = next(v for v in new if v.rule.code == "behaviour.flood")
    assert (flood.detail["count"], flood.detail["window_seconds"]) == (10, 30)
    assert flood.detail["first_msgid"].endswith("-0") and flood.detail["last_msgid"].endswith("-9")
    assert flood.supervisor_id == owner.reports_to_id
    [finding] = report.customer_findings
    assert (finding.kind, finding.external_userid, finding.roomid, finding.owner_id) == (
        "flood", customer, group.chat_id, owner.pk
    )  # fmt: skip


def test_simulator_activity_posts_bursts(sim):
    before = len(sim.archive)
    sim.activity._group_burst()
    sim.activity._group_burst()
    added = sim.archive.plain(before, 100)
    assert len(added) in (6, 15, 24) and all(m["roomid"] for m in added)
