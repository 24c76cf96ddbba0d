"""Archive ingestion finds internal groups (内部群): room ids that are no known group are read with
`msgaudit/groupchat/get` after the batch commits; one room failing does not stop the others, and a
customer group not synced yet is left alone."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.cache import cache

from wecomsim import SimulatorServer
from zhidu.compliance.models import ArchiveMessage
from zhidu.compliance.services import archive_ingest
from zhidu.groups.models import GroupChat, GroupKind, GroupMember
from zhidu.wecom.archive import SimulatorArchiveSource, load_private_keys
from zhidu.wecom.sync import sync_all
from zhidu.wecom.tests.conftest import client_for, make_sim


@pytest.fixture(scope="module")
def pem() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


@pytest.fixture
def sim(pem: bytes) -> Iterator[SimulatorServer]:
    server = make_sim(pem, archive_messages=400).start()
    yield server
    server.stop()


@pytest.fixture
def configured(db, sim, settings):  # type: ignore[no-untyped-def]
    settings.WECOM_API_BASE = sim.url
    settings.WECOM_CORP_ID = sim.company.corp_id
    for kind in ("contact", "customer", "app", "archive"):
        setattr(settings, f"WECOM_{kind.upper()}_SECRET", sim.secrets[kind])
    settings.WECOM_ARCHIVE_PRIVATE_KEYS = json.dumps({"1": sim.archive_private_key_pem.decode()})
    settings.WECOM_MAX_TRIES = 1
    settings.WECOM_BACKOFF_BASE = 0.005
    settings.WECOM_BACKOFF_MAX = 0.01
    cache.clear()  # refused room ids are remembered in the cache
    sync_all(what=("contacts",))  # customer groups are NOT synced: their room ids are refused
    return sim


def ingest(sim: SimulatorServer) -> None:
    client = client_for(sim, sim.secrets["archive"])
    keys = load_private_keys({1: sim.archive_private_key_pem.decode()})
    source = SimulatorArchiveSource(client=client, private_keys=keys)
    report = archive_ingest(source=source, limit=1000)
    assert report.error == "" and report.batches == 1


def room_calls(sim: SimulatorServer) -> int:
    return int(sim.stats()["calls"].get("msgaudit/groupchat/get", 0))


def test_ingest_discovers_internal_rooms(configured, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    sim = configured
    with django_capture_on_commit_callbacks(execute=True):
        ingest(sim)

    in_archive = set(ArchiveMessage.objects.exclude(roomid="").values_list("roomid", flat=True))
    assert set(sim.company.rooms) <= in_archive  # every internal group talked
    internal = {g.chat_id: g for g in GroupChat.objects.filter(kind=GroupKind.INTERNAL)}
    assert set(internal) == set(sim.company.rooms)
    assert not GroupChat.objects.filter(kind=GroupKind.CUSTOMER).exists()  # refused: left for the group sync
    assert room_calls(sim) == len(in_archive)
    for roomid, room in sim.company.rooms.items():
        members = set(GroupMember.objects.filter(group=internal[roomid]).values_list("userid", flat=True))
        assert members == set(room.member_ids) and internal[roomid].name == room.name

    # the next batch: known rooms and refused customer groups are not asked about again (only new ids are)
    sim.archive.append(150, notify=False)
    with django_capture_on_commit_callbacks(execute=True):
        ingest(sim)
    now_in_archive = set(ArchiveMessage.objects.exclude(roomid="").values_list("roomid", flat=True))
    assert room_calls(sim) == len(now_in_archive)


def test_one_failing_room_does_not_stop_the_others(configured, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    sim = configured
    asked = sorted({r["roomid"] for r in sim.archive.plain(0, len(sim.archive)) if r.get("roomid")})
    failing = next(r for r in asked if r in sim.company.rooms)
    sim.inject(60011, count=1, api="msgaudit/groupchat/get", after=asked.index(failing))
    with django_capture_on_commit_callbacks(execute=True):
        ingest(sim)
    internal = set(GroupChat.objects.filter(kind=GroupKind.INTERNAL).values_list("chat_id", flat=True))
    assert internal == set(sim.company.rooms) - {failing}
    assert ArchiveMessage.objects.filter(roomid=failing).exists()  # the archive is stored whatever the rooms did

    from zhidu.wecom.rooms import internal_rooms_sync

    assert internal_rooms_sync([failing])["rooms_synced"] == 1  # not remembered as refused: asked again
