"""Every engine category fires on the demo company's chat archive (the one `make run` ingests: seed 42,
size small, 2000 archived messages), and the hard negatives added with the rarer lines stay clean.

The pure tests scan the simulator's archive with the engine; the last one pulls it over real HTTP and
ingests it as the demo does."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from wecomsim import SimulatorServer
from wecomsim.archive import internal_share
from wecomsim.conversations import PRODUCTS, RARE_HARD_NEGATIVES, RARE_VIOLATIONS
from zhidu.compliance.engine import CATEGORIES, Engine, Finding, Message, default_rules, message_from_archive
from zhidu.wecom.tests.conftest import SIM_EPOCH, client_for, make_sim

DEMO_MESSAGES = 2000  # scripts/run.sh: --seed 42 --size small --archive-messages 2000
CTX = {"p": "修护面霜", "day": "明天", "n": 50}


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(default_rules())


def demo_archive(epoch: int) -> tuple[list[dict], dict[str, set[str]]]:
    sim = SimulatorServer(seed=42, size="small", corp_id="wwzhidudemo", epoch=epoch, archive_messages=DEMO_MESSAGES)
    records = sim.archive.plain(0, len(sim.archive))
    labels = {item["msgid"]: set(item["labels"]) for item in sim.archive.labels()}
    return records, labels


def scan(engine: Engine, records: list[dict]) -> tuple[dict[str, Message], list[Finding]]:
    messages = {m.msgid: m for m in (message_from_archive(r) for r in records) if m is not None}
    return messages, engine.scan(list(messages.values()))


# the demo's epoch is today's midnight; two fixed days stand for it
@pytest.mark.parametrize("epoch", [SIM_EPOCH, SIM_EPOCH + 5 * 86_400])
def test_every_category_fires_on_the_demo_archive(engine: Engine, epoch: int) -> None:
    records, labels = demo_archive(epoch)
    assert len(records) == DEMO_MESSAGES + internal_share(DEMO_MESSAGES)  # customer chats + staff talk
    messages, findings = scan(engine, records)
    assert {f.category for f in findings} == set(CATEGORIES)
    by_rule: dict[str, list[Finding]] = {}
    for f in findings:
        by_rule.setdefault(f.rule, []).append(f)
    internal = by_rule["ads.internal"]
    assert all(messages[f.msgid].internal and messages[f.msgid].side == "staff" for f in internal)
    files = by_rule["malware.file"]
    assert all(messages[f.msgid].msgtype == "file" for f in files)
    assert any(".exe" in messages[f.msgid].text for f in files)
    # nothing on the clean messages; on labelled ones, only two older lines fire a second category
    # (a competitor called 骗子 → abuse, a rumour introduced by 内部消息 → secret)
    assert all(labels[f.msgid] for f in findings)
    stray = {(f.category, messages[f.msgid].text) for f in findings if f.category not in labels[f.msgid]}
    assert {c for c, _ in stray} <= {"abuse", "secret", "counterfeit", "unfair_competition"}, stray
    rare_hard = {tpl.removeprefix("FILE:").format_map(CTX) for _, _, tpl in RARE_HARD_NEGATIVES}
    clean_texts = {m.text for m in messages.values() if not labels[m.msgid]}
    assert rare_hard & clean_texts, "the demo archive carries some of the new hard negatives"


def _messages(tpl: str, role: str, where: str) -> list[Message]:
    """The messages a rare line becomes, with every product, in the chats it goes to."""
    chats = ["single", "group"] if where == "any" else [where]
    return [_message(tpl, role, chat, {**CTX, "p": p[0]}) for chat in chats for p in PRODUCTS]


def _message(tpl: str, role: str, chat: str, ctx: dict) -> Message:
    """The message a rare line becomes in `chat` ("single", "group" or "internal")."""
    staff = role == "s"
    return Message(
        msgid="m",
        text=tpl.removeprefix("FILE:").format_map(ctx),
        sender="sales1" if staff else "wmCustomer1",
        side="staff" if staff else "customer",
        chat_type="single" if chat == "single" else "group",
        roomid="" if chat == "single" else "wrRoom1",
        msgtype="file" if tpl.startswith("FILE:") else "text",
        internal=chat == "internal",
    )


# What the pack gets wrong on the demo's rare lines, written down so that a change for better or worse shows:
# lines it misses, and a second category it reports beside the right one.
KNOWN_MISSES = {
    "这套课程我这有破解版，不用花钱",  # 破解版 moved to malware (cracked tools); a pirated course is not caught
    "三无产品价格低，要不要试试",  # the bare term 三无产品 was dropped from counterfeit (too broad on dev)
}
KNOWN_EXTRAS = {
    "听说公司要裁员一半，以后售后没人管了": {"secret"},  # an "internal news" pattern also reads it as a leak
    "谁敢在群里卖假货我就杀你全家": {"counterfeit"},  # 卖假货 is quoted inside a threat
    "少数民族就是事多，别接他们的单": {"unfair_competition"},  # the classifier reads 别接…单 as turning business away
    # the classifier (prohibited, threshold 0.85) reads "…的纯棉四件套，要的话跟我说" as an offer of illicit goods
    "我私人代购的{p}，要的话跟我说": {"prohibited"},
}


@pytest.mark.parametrize("line", RARE_VIOLATIONS, ids=lambda v: v[3][:12])
def test_each_rare_line_fires_its_category_only(engine: Engine, line: tuple) -> None:
    labels, role, where, tpl = line
    for msg in _messages(tpl, role, where):
        found = {f.category for f in engine.scan([msg])}
        if tpl in KNOWN_MISSES:
            assert not set(labels) <= found, f"{tpl} is caught now: take it off KNOWN_MISSES"
            continue
        assert set(labels) <= found <= set(labels) | KNOWN_EXTRAS.get(tpl, set()), (msg.chat_type, msg.internal, tpl)


@pytest.mark.parametrize("line", RARE_HARD_NEGATIVES, ids=lambda v: v[2][:12])
def test_each_rare_hard_negative_is_clean(engine: Engine, line: tuple) -> None:
    role, where, tpl = line
    for msg in _messages(tpl, role, where):
        assert engine.scan([msg]) == [], (msg.chat_type, msg.internal, msg.text)


# --- end to end: the demo archive pulled over HTTP and ingested ------------------------------------


@pytest.fixture(scope="module")
def demo_sim() -> Iterator[SimulatorServer]:
    pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    server = make_sim(pem, corp_id="wwzhidudemo", archive_messages=DEMO_MESSAGES).start()
    yield server
    server.stop()


@pytest.mark.django_db
def test_demo_archive_ingested_over_http_has_every_category(demo_sim: SimulatorServer, settings: Any) -> None:
    from zhidu.compliance.models import ArchiveMessage, Violation
    from zhidu.compliance.services import archive_ingest, client_agree_checker, rules_seed_default
    from zhidu.groups.models import ModerationCase
    from zhidu.wecom.archive import SimulatorArchiveSource, load_private_keys
    from zhidu.wecom.sync import sync_all

    sim = demo_sim
    key = sim.archive_private_key_pem
    assert key is not None
    settings.WECOM_API_BASE = sim.url
    settings.WECOM_CORP_ID = sim.company.corp_id
    for kind, name in [("contact", "CONTACT"), ("customer", "CUSTOMER"), ("app", "APP"), ("archive", "ARCHIVE")]:
        setattr(settings, f"WECOM_{name}_SECRET", sim.secrets[kind])
    settings.WECOM_ARCHIVE_PRIVATE_KEYS = json.dumps({"1": key.decode()})
    sync_all(what=("contacts", "groups"))
    rules_seed_default(actor=None)
    client = client_for(sim, sim.secrets["archive"])
    source = SimulatorArchiveSource(client=client, private_keys=load_private_keys({1: key.decode()}))
    report = archive_ingest(source=source, agree_checker=client_agree_checker(client))
    assert report.error == "" and report.fetched == DEMO_MESSAGES + internal_share(DEMO_MESSAGES)

    violations = list(Violation.objects.select_related("message", "rule"))
    # behaviour checks judge timing and volume, which the labels do not cover: the staff flooding in the simulator's
    # internal groups is among them; late replies sit on the customer's unanswered message
    assert "flood" in {v.category for v in violations}
    violations = [v for v in violations if v.detector != "behaviour"]
    # what customers wrote is a moderation case for the owner, never a member's violation
    assert all(v.message.side == "staff" for v in violations)
    cases = [c for c in ModerationCase.objects.all() if c.source == "scan"]
    assert cases and all(c.offender_type == "customer" for c in cases)
    assert {v.category for v in violations} | {c.category for c in cases} == set(CATEGORIES)
    labels = {item["msgid"]: set(item["labels"]) for item in sim.archive.labels()}
    assert all(labels[v.message.msgid] for v in violations)  # nothing on the clean chats
    internal = [v for v in violations if v.rule.code == "ads.internal"]
    assert internal and all(v.message.roomid and v.message.side == "staff" for v in internal)
    assert not ArchiveMessage.objects.filter(roomid__in=[v.message.roomid for v in internal], side="customer")
    files = [v for v in violations if v.rule.code == "malware.file"]
    assert files and all(v.message.msgtype == "file" for v in files)
