"""The labelled chats in bench/data/ (issue #8): the dev and test splits (evaluation) and the train
split (fitting the category classifier only), and the independently written evaluation sets dev2
and test2 (test2 held out).
They parse, their labels are known categories, and they meet the minimums the issue sets; no split
shares a message with another. No engine results are asserted here: bench/eval_rules.py measures
those."""

from __future__ import annotations

import importlib.util
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from zhidu.compliance.engine import CATEGORIES, message_from_archive

DATA = Path(__file__).resolve().parents[3] / "bench" / "data"
KNOWN = frozenset(CATEGORIES)
MINIMUM = {"dev": 600, "test": 300, "dev2": 480, "test2": 480, "dev3": 300}
# written later by another author, without reading the engine's lists or the other splits
INDEPENDENT = ("dev2", "test2", "dev3")
SPLITS = (*MINIMUM, "train")
TRAIN_POSITIVES_PER_CATEGORY = 60
KINDS = {"positive", "hard_negative", "negative"}


def _load(split: str) -> list[dict[str, Any]]:
    with (DATA / f"chats_{split}.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def _text(rec: dict[str, Any]) -> str:
    return rec["file"]["filename"] if rec["msgtype"] == "file" else rec["text"]["content"]


@pytest.fixture(scope="module")
def splits() -> dict[str, list[dict[str, Any]]]:
    return {s: _load(s) for s in SPLITS}


@pytest.mark.parametrize("split", sorted(SPLITS))
def test_records_parse_as_archive_messages(splits, split):
    for rec in splits[split]:
        assert {"msgid", "action", "from", "tolist", "roomid", "msgtime", "msgtype", "labels", "kind", "note"} <= set(
            rec
        ), rec
        assert rec["msgtype"] in ("text", "file"), rec
        msg = message_from_archive(rec)
        assert msg is not None, rec
        assert msg.text == _text(rec)
        assert msg.chat_type == ("group" if rec["roomid"] else "single")


@pytest.mark.parametrize("split", sorted(SPLITS))
def test_labels_and_kinds_are_consistent(splits, split):
    for rec in splits[split]:
        assert isinstance(rec["labels"], list)
        assert set(rec["labels"]) <= KNOWN, rec
        assert len(set(rec["labels"])) == len(rec["labels"]), rec
        assert rec["kind"] in KINDS, rec
        assert (rec["kind"] == "positive") == bool(rec["labels"]), rec


@pytest.mark.parametrize("split", sorted(MINIMUM))
def test_counts_meet_the_minimums(splits, split):
    recs = splits[split]
    assert len(recs) >= MINIMUM[split]
    kinds = Counter(r["kind"] for r in recs)
    assert kinds["hard_negative"] >= 0.4 * len(recs)
    labelled = Counter(c for r in recs for c in r["labels"])
    assert set(labelled) == KNOWN, KNOWN - set(labelled)
    chats = Counter(bool(r["roomid"]) for r in recs)
    assert chats[True] and chats[False]
    # single and group chats both among the violations and among the hard negatives
    for kind in ("positive", "hard_negative"):
        assert {bool(r["roomid"]) for r in recs if r["kind"] == kind} == {True, False}
    assert any(len(r["labels"]) > 1 for r in recs), "no multi-label message"
    assert any(r["msgtype"] == "file" and "malware" in r["labels"] for r in recs)
    assert any(r["msgtype"] == "file" and not r["labels"] for r in recs)
    assert {r["from"][:2] == "wm" for r in recs} == {True, False}, "customers and staff both speak"


def test_train_split_counts(splits):
    """At least 60 positives per category, and at least as many hard negatives and as many ordinary
    negatives as positives; single and group chats, staff and customers."""
    recs = splits["train"]
    labelled = Counter(c for r in recs for c in r["labels"])
    assert set(labelled) == KNOWN
    assert min(labelled.values()) >= TRAIN_POSITIVES_PER_CATEGORY, labelled
    kinds = Counter(r["kind"] for r in recs)
    assert kinds["hard_negative"] >= kinds["positive"] and kinds["negative"] >= kinds["positive"], kinds
    for kind in KINDS:
        assert {bool(r["roomid"]) for r in recs if r["kind"] == kind} == {True, False}, kind
    assert {r["from"][:2] == "wm" for r in recs} == {True, False}


def test_ids_unique_and_test_split_held_out(splits):
    ids = [r["msgid"] for s in splits.values() for r in s]
    assert len(ids) == len(set(ids))
    dev_texts = {_text(r) for r in splits["dev"]}
    test_texts = {_text(r) for r in splits["test"]}
    # counts only: the held-out messages are never printed
    assert sum(t in dev_texts for t in test_texts) == 0
    train_texts = {_text(r) for r in splits["train"]}
    assert len(train_texts & dev_texts) == 0, "train shares messages with dev"
    assert len(train_texts & test_texts) == 0, "train shares messages with test"


@pytest.mark.parametrize("split", INDEPENDENT)
def test_independent_sets_share_no_message(splits, split):
    """dev2 and test2 share no message text with any other split (counts only, texts are never printed)."""
    mine = {_text(r) for r in splits[split]}
    for other, recs in splits.items():
        if other != split:
            shared = sum(_text(r) in mine for r in recs)
            assert shared == 0, f"{split} shares {shared} messages with {other}"


def test_jsonl_files_are_built_from_the_sources(splits):
    """The JSONL files are what bench/data/build_chats.py makes of the hand-written sources."""
    spec = importlib.util.spec_from_file_location("build_chats", DATA / "build_chats.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    for split, recs in splits.items():
        lines = (DATA / "src" / f"chats_{split}.txt").read_text(encoding="utf-8").splitlines()
        built = [
            mod.parse_line(line, n, split)
            for n, line in enumerate(lines, 1)
            if line.strip() and not line.lstrip().startswith("#")
        ]
        assert built == recs, split
