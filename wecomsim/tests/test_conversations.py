"""The seeded sales-chat generator that feeds the simulator's archive."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from wecomsim.conversations import CustomerInfo, RoomInfo, StaffInfo, generate_messages
from zhidu.compliance.engine import CATEGORIES, Engine, default_rules, extract_text, message_from_archive
from zhidu.compliance.engine.records import KNOWN_MSGTYPES

STAFF = [StaffInfo(f"sales{i}", n) for i, n in enumerate(["张伟", "李娜", "王芳", "刘洋"])]
CUSTOMERS = [CustomerInfo(f"wmCustomer{i:04d}", f"客户{i}", f"sales{i % 4}") for i in range(60)]
ROOMS = [
    RoomInfo(
        f"wrRoom{i}",
        f"福利群{i}",
        f"sales{i % 4}",
        (f"sales{(i + 1) % 4}", *(f"wmCustomer{j:04d}" for j in range(i * 10, i * 10 + 12))),
    )
    for i in range(4)
]
ROOT = Path(__file__).resolve().parents[2]
START = 1_714_960_800_000  # 2024-05-06 10:00 Asia/Shanghai


def generate(count: int, seed: int = 1, **kw: object) -> list[tuple[dict, tuple[str, ...]]]:
    args = {"staff": STAFF, "customers": CUSTOMERS, "rooms": ROOMS, **kw}
    return list(generate_messages(seed=seed, count=count, start_ms=START, **args))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def corpus() -> list[tuple[dict, tuple[str, ...]]]:
    return generate(20_000, seed=11)


def test_deterministic_per_seed() -> None:
    assert generate(500, seed=3) == generate(500, seed=3)
    assert generate(500, seed=3) != generate(500, seed=4)


def test_same_corpus_in_every_process() -> None:
    """Python salts str hashes per process: iteration over a set of slot names must not change the corpus."""
    code = (
        "import hashlib, orjson\n"
        "from wecomsim.tests.test_conversations import generate\n"
        "print(hashlib.sha256(orjson.dumps(generate(3000, seed=5))).hexdigest())\n"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": str(hash_seed), "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for hash_seed in (1, 2, 3)
    }
    assert len(digests) == 1, digests


def test_records_follow_the_archive_schema(corpus: list) -> None:
    ids = [r["msgid"] for r, _ in corpus]
    assert len(ids) == len(set(ids)) == 20_000
    last = 0
    people = {s.userid for s in STAFF} | {c.external_userid for c in CUSTOMERS}
    for record, _ in corpus:
        assert record["action"] in ("send", "recall")
        assert record["msgtype"] in KNOWN_MSGTYPES
        assert record["msgtime"] >= last
        last = record["msgtime"]
        assert record["from"] in people and record["from"] not in record["tolist"]
        if record["roomid"]:
            assert len(record["tolist"]) > 1
        else:
            assert len(record["tolist"]) == 1
        if record["action"] == "recall":
            assert record["msgtype"] == "revoke" and record["revoke"]["pre_msgid"] in set(ids)
    types = Counter(r["msgtype"] for r, _ in corpus)
    assert types["text"] > 0.8 * len(corpus)
    assert {"image", "link", "mixed", "file", "redpacket", "revoke"} <= types.keys()


def test_labelled_share_and_categories(corpus: list) -> None:
    labelled = [labels for _, labels in corpus if labels]
    share = len(labelled) / len(corpus)
    assert 0.05 <= share <= 0.07
    seen = Counter(c for labels in labelled for c in labels)
    assert set(seen) == set(CATEGORIES)
    assert all(c in CATEGORIES for c in seen)


def test_shares_are_parameters() -> None:
    none = generate(3000, violation_share=0.0, hard_negative_share=0.0)
    assert not any(labels for _, labels in none)
    many = generate(3000, violation_share=0.5)
    share = sum(1 for _, labels in many if labels) / 3000
    assert 0.45 <= share <= 0.55


def test_hard_negatives_are_present_and_clean(corpus: list) -> None:
    texts = [extract_text(r) for r, labels in corpus if not labels]
    for needle in ("最佳保质期", "追求最好的服务", "第一次", "收货电话", "企业微信"):
        assert any(needle in t for t in texts), needle


def test_engine_agrees_with_labels(corpus: list) -> None:
    engine = Engine(default_rules())
    msgs, labels = [], {}
    for record, lab in corpus:
        m = message_from_archive(record)
        if m is not None:
            msgs.append(m)
            labels[m.msgid] = set(lab)
    found: dict[str, set[str]] = {}
    for f in engine.scan(msgs):
        found.setdefault(f.msgid, set()).add(f.category)
    tp = sum(len(labels[i] & found.get(i, set())) for i in labels)
    fn = sum(len(labels[i] - found.get(i, set())) for i in labels)
    fp = sum(len(found.get(i, set()) - labels[i]) for i in labels)
    assert tp / (tp + fn) >= 0.97
    assert tp / (tp + fp) >= 0.97


def test_single_chats_only_and_group_only() -> None:
    single = generate(3000, rooms=[], internal_rooms=[])
    assert all(not r["roomid"] for r, _ in single)
    assert not {c for _, labels in single for c in labels} & {"ads", "prohibited"}
    group = generate(2000, customers=[])
    assert group and all(r["roomid"] for r, _ in group)
    assert generate(10, customers=[], rooms=[]) == []


def test_mostly_business_hours(corpus: list) -> None:
    hours = Counter((r["msgtime"] // 1000 + 8 * 3600) // 3600 % 24 for r, _ in corpus)
    night = sum(n for h, n in hours.items() if h >= 22 or h < 8)
    assert night < 0.02 * len(corpus)
