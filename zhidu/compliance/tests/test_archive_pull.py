"""Pulling the simulator's chat archive over real HTTP: decryption, idempotence, key versions, refusals."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.management import CommandError, call_command

from wecomsim import SimulatorServer
from wecomsim.archive import internal_share
from zhidu.compliance.models import ArchiveAgreement, ArchiveCursor, ArchiveMessage, Violation
from zhidu.compliance.services import archive_ingest, archive_pull, archive_pull_schedule, client_agree_checker
from zhidu.core.models import EventDelivery
from zhidu.wecom.archive import SimulatorArchiveSource, load_private_keys, simulator_decrypt_data
from zhidu.wecom.tests.conftest import client_for, make_sim

ARCHIVED = 300
TOTAL = ARCHIVED + internal_share(ARCHIVED)  # the simulator adds staff talk in internal groups to a chunk


def _pem() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


@pytest.fixture(scope="module")
def pem() -> bytes:
    return _pem()


@pytest.fixture(scope="module")
def sim(pem: bytes) -> Iterator[SimulatorServer]:
    server = make_sim(pem, archive_messages=ARCHIVED).start()
    yield server
    server.stop()


@pytest.fixture
def synced(db, sim, settings):
    """Django pointed at the simulator, with its organisation and groups synced (members own the chats)."""
    from zhidu.wecom.sync import sync_all

    settings.WECOM_API_BASE = sim.url
    settings.WECOM_CORP_ID = sim.company.corp_id
    for kind, name in [("contact", "CONTACT"), ("customer", "CUSTOMER"), ("app", "APP"), ("archive", "ARCHIVE")]:
        setattr(settings, f"WECOM_{name}_SECRET", sim.secrets[kind])
    settings.WECOM_ARCHIVE_PRIVATE_KEYS = json.dumps({"1": sim.archive_private_key_pem.decode()})
    settings.WECOM_MAX_TRIES = 2
    settings.WECOM_BACKOFF_BASE = 0.005
    settings.WECOM_BACKOFF_MAX = 0.01
    sync_all(what=("contacts", "groups"))
    return sim


def source_for(sim: SimulatorServer, keys: dict[int, bytes]) -> SimulatorArchiveSource:
    client = client_for(sim, sim.secrets["archive"])
    return SimulatorArchiveSource(
        client=client, private_keys=load_private_keys({v: k.decode() for v, k in keys.items()})
    )


def labels(sim: SimulatorServer) -> list[dict]:
    return sim.archive.labels()


def test_pull_decrypts_stores_and_is_idempotent(synced, pem):
    sim = synced
    source = source_for(sim, {1: pem})
    checker = client_agree_checker(source.client)
    first = archive_ingest(source=source, limit=100, agree_checker=checker)
    assert first.error == "" and first.problems == []
    refused = sum(1 for item in labels(sim) if item["disagreed"])
    assert first.fetched == TOTAL and first.stored + first.refused == TOTAL
    assert first.refused == refused
    assert ArchiveCursor.objects.get(source="simulator").seq == TOTAL
    plain = {p["msgid"]: p for p in sim.archive.plain(0, TOTAL)}
    for m in ArchiveMessage.objects.all()[:50]:
        assert m.raw == {k: v for k, v in plain[m.msgid].items() if k != "seq"} and m.seq == plain[m.msgid]["seq"]
    assert ArchiveMessage.objects.exclude(member=None).count() > 0
    before = (ArchiveMessage.objects.count(), Violation.objects.count())
    second = archive_ingest(source=source, limit=100, agree_checker=checker)
    assert (second.fetched, second.stored) == (0, 0)
    ArchiveCursor.objects.update(seq=0)
    third = archive_ingest(source=source, limit=100, agree_checker=checker)
    assert third.stored == 0 and (ArchiveMessage.objects.count(), Violation.objects.count()) == before


def test_refusals_come_from_check_single_agree(synced, pem):
    sim = synced
    source = source_for(sim, {1: pem})
    archive_ingest(source=source, agree_checker=client_agree_checker(source.client))
    refusing = {c.external_userid for c in sim.company.customers.values() if c.agree_status == "Disagree"}
    assert not ArchiveMessage.objects.filter(chat_type="single", customer_id__in=refusing).exists()
    if any(item["disagreed"] for item in labels(sim)):
        assert ArchiveAgreement.objects.filter(status="Disagree").exists()


def test_unknown_key_version_stops_without_advancing(synced):
    other = _pem()
    report = archive_ingest(source=source_for(synced, {2: other}))
    assert "publickey_ver 1" in report.error and "WECOM_ARCHIVE_PRIVATE_KEYS" in report.error
    assert ArchiveCursor.objects.get(source="simulator").seq == 0 and ArchiveMessage.objects.count() == 0


def test_wrong_key_for_the_version_stops_without_advancing(synced):
    report = archive_ingest(source=source_for(synced, {1: _pem()}))
    assert "cannot decrypt" in report.error
    assert ArchiveCursor.objects.get(source="simulator").seq == 0 and ArchiveMessage.objects.count() == 0


def test_key_rotation_mid_archive(db, pem):
    server = make_sim(pem, archive_messages=40).start()
    try:
        new_pem = _pem()
        public = (
            serialization.load_pem_private_key(new_pem, password=None)
            .public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        )
        server.archive.set_public_key(public, 2)
        server.archive.append(10, notify=False)
        total = len(server.archive)
        old_only = archive_ingest(source=source_for(server, {1: pem}), limit=25)
        assert "publickey_ver 2" in old_only.error
        cursor = ArchiveCursor.objects.get(source="simulator")
        assert cursor.seq == 40 and old_only.fetched == 40  # stopped right before the first version-2 record
        both = archive_ingest(source=source_for(server, {1: pem, 2: new_pem}), limit=25)
        assert both.error == "" and both.fetched == total - 40
        cursor.refresh_from_db()
        assert cursor.seq == total
    finally:
        server.stop()


def test_archive_pull_from_settings_and_command(synced):
    report = archive_pull(kind="simulator", limit=200, max_batches=1)
    assert report.fetched == 200 and report.error == ""
    call_command("archive", "pull", "--source", "simulator", "--limit", "1000")
    assert ArchiveCursor.objects.get(source="simulator").seq == TOTAL


def test_command_waits_for_no_one_while_another_pull_holds_the_lock(synced):
    """Two pulls started by hand (or one beside the scheduler's task) do not both fetch everything (#7 defect 12)."""
    from django.core.cache import cache

    from zhidu.compliance.tasks import PULL_LOCK_KEY, archive_pull_lock, archive_pull_task

    with archive_pull_lock() as held:
        assert held
        with pytest.raises(CommandError, match="another archive pull is running"):
            call_command("archive", "pull", "--source", "simulator")
        assert archive_pull_task(kind="simulator") == "busy"
        assert ArchiveMessage.objects.count() == 0 and not ArchiveCursor.objects.filter(seq__gt=0).exists()
    assert cache.get(PULL_LOCK_KEY) is None  # released: the next pull runs
    call_command("archive", "pull", "--source", "simulator", "--max-batches", "1", "--limit", "10")
    assert ArchiveCursor.objects.get(source="simulator").seq == 10
    assert cache.get(PULL_LOCK_KEY) is None


def test_command_reports_key_errors(synced, settings):
    settings.WECOM_ARCHIVE_PRIVATE_KEYS = ""
    with pytest.raises(CommandError, match="publickey_ver 1"):
        call_command("archive", "pull", "--source", "simulator")
    assert ArchiveMessage.objects.count() == 0


def test_pull_schedule_runs_after_commit(synced, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        archive_pull_schedule()
        assert ArchiveMessage.objects.count() == 0
    # one callback pulls; each stored batch then publishes `compliance.customer_chats` (one more callback each)
    # and looks up the room ids it does not know (internal groups)
    batches = EventDelivery.objects.filter(name="compliance.customer_chats").count()
    rooms = sum(1 for c in callbacks if "_discover_rooms" in c.__qualname__)
    # and each batch's reviewer notifications (violations, behaviour findings) queue their outbox rows
    outbox = sum(1 for c in callbacks if "outbox_enqueue" in c.__qualname__)
    assert batches >= 1 and rooms >= 1 and len(callbacks) == 1 + batches + rooms + outbox
    assert ArchiveCursor.objects.get(source="simulator").seq == TOTAL


def test_decrypt_scheme_matches_the_simulator():
    from wecomsim.archive import sim_encrypt_data

    key = b"0123456789abcdef0123456789abcdef"
    assert simulator_decrypt_data(key, sim_encrypt_data(key, '{"a":"中文"}'.encode())) == '{"a":"中文"}'.encode()


def test_agree_checker_survives_pairs_wecom_will_not_answer(sim):
    client = client_for(sim, sim.secrets["archive"])
    customer = next(c for c in sim.company.customers.values() if c.follows)
    good = (next(iter(customer.follows)), customer.external_userid)
    check = client_agree_checker(client)
    answers = check([("nobody", "wmNoSuchCustomer"), good, (good[0], "wmNoSuchCustomerEither")])
    assert list(answers) == [good] and answers[good][0] == customer.agree_status


def test_decrypt_worker_process_gives_the_same_result(synced, pem):
    sim = synced
    source = SimulatorArchiveSource(
        client=client_for(sim, sim.secrets["archive"]),
        decrypt_workers=1,
        private_keys=load_private_keys({1: pem.decode()}),
    )
    try:
        report = archive_ingest(source=source, limit=100)
    finally:
        source.close()
    assert report.error == "" and report.fetched == TOTAL
    assert ArchiveMessage.objects.count() == TOTAL - report.refused


def test_decrypt_worker_reports_a_missing_key_version(synced):
    source = SimulatorArchiveSource(
        client=client_for(synced, synced.secrets["archive"]),
        decrypt_workers=1,
        private_keys=load_private_keys({7: _pem().decode()}),
    )
    try:
        report = archive_ingest(source=source, limit=100)
    finally:
        source.close()
    assert "publickey_ver 1" in report.error and ArchiveCursor.objects.get(source="simulator").seq == 0


def test_pull_task(synced, settings):
    from zhidu.compliance.tasks import archive_pull_task

    assert "stored=" in archive_pull_task.apply(kwargs={"limit": 500}).get()
    settings.WECOM_API_BASE = "https://qyapi.weixin.qq.com"
    settings.WECOM_FINANCE_SDK_PATH = "/nonexistent/libWeWorkFinanceSdk_C.so"
    assert archive_pull_task.apply().get().startswith("unavailable: The WeCom Finance SDK library was not found")
    settings.WECOM_CORP_ID = ""
    assert archive_pull_task.apply().get() == "not configured"
