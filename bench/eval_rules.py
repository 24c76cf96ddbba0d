"""Precision and recall per category of the default rule pack on our labelled sales chats.

    .venv/bin/python bench/eval_rules.py

Data: the development splits bench/data/chats_dev.jsonl and chats_dev2.jsonl (for tuning; errors
listed with --errors) and the held-out splits chats_test.jsonl and chats_test2.jsonl (never tuned on:
figures only), plus dev3 (the recall session's own check, figures only), archive records with
`labels` (see bench/data/README.md); a split whose file is
missing is skipped. `--splits dev,dev2` measures only the development splits while working. Every
record goes through `message_from_archive` (side from the sender id, single/group from roomid) and
`Engine.scan`.

Multi-label scoring: a finding of category C on a message is a true positive when C is in the
message's labels, a false positive otherwise (several findings of C on one message count once); a
label C without a finding of C is a false negative. Per category: precision, recall, F1, support
(messages labelled C); micro totals over all categories; and per split the share of hard negatives
with any finding. Categories the engine does not report yet appear with recall 0.

Two engines in the same run:
* full: `Engine(default_rules())`, the product's pipeline (terms, patterns, detectors, classifier,
  scopes, allow phrases);
* terms: the same rules with patterns and detectors removed (rules left without terms dropped),
  the plain term-list baseline.
A third, "model off", is the full pack without the category classifier's rules (the rules whose
detectors are "model:<category>", data/model_rules.json): its table shows what the classifier adds.

COLD: the offensive-language F1 of the pack's `abuse` rules (scopes removed, as in
bench/eval_abuse.py) on the COLD test split when it exists, else on the dev split (the model is
trained on train; dev was not used to pick its threshold); skipped when ../shared/data/cold is
missing. The errors (false positives and negatives) are kept (and printed with --errors) for the
development splits only, so that nobody tunes on a held-out split. Ends with one
`RESULT key=value …` line and writes bench/results/eval_rules.json.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, Timer, machine, result_line, shared_dir, write_results

from zhidu.compliance.engine import CATEGORIES, Engine, Message, Rule, Scope, default_rules, message_from_archive

DATA = ROOT / "bench" / "data"
# development splits: errors listed, tuned on; held-out splits: figures only, never tuned on.
# A split whose file does not exist (dev2, test2 before they are written) is skipped with a note.
DEVELOPMENT = ("dev", "dev2")
HELD_OUT = ("test", "test2")
# dev3: written by the recall session before it changed anything and kept out of training and tuning;
# measured like a held-out split (figures only, no errors), but it is not a formal held-out split.
OWN_CHECK = ("dev3",)
SPLITS = (*DEVELOPMENT, *HELD_OUT, *OWN_CHECK)
ALL_CATEGORIES = tuple(CATEGORIES)  # the data set labels every category the engine knows
TARGET_PRECISION = 0.95
TARGET_RECALL = 0.90
TARGET_COLD_F1 = 0.80


def load_split(name: str) -> list[dict[str, Any]]:
    path = DATA / f"chats_{name}.jsonl"
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def terms_only(rules: Sequence[Rule]) -> list[Rule]:
    out = []
    for r in rules:
        if r.terms:
            out.append(dataclasses.replace(r, patterns=(), detectors=()))
    return out


def model_off(rules: Sequence[Rule]) -> list[Rule]:
    """The pack without the category classifier's rules."""
    return [r for r in rules if not any(d.startswith("model:") for d in r.detectors)]


def predict(engine: Engine, records: Sequence[dict[str, Any]]) -> dict[str, set[str]]:
    """msgid → categories found."""
    msgs = [m for m in (message_from_archive(r) for r in records) if m is not None]
    found: dict[str, set[str]] = {r["msgid"]: set() for r in records}
    for f in engine.scan(msgs):
        found[f.msgid].add(f.category)
    return found


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def score(records: Sequence[dict[str, Any]], found: dict[str, set[str]]) -> dict[str, Any]:
    per: dict[str, Any] = {}
    tot_tp = tot_fp = tot_fn = 0
    for c in ALL_CATEGORIES:
        tp = fp = fn = 0
        for r in records:
            gold = c in r["labels"]
            hit = c in found[r["msgid"]]
            tp += gold and hit
            fp += hit and not gold
            fn += gold and not hit
        p = _ratio(tp, tp + fp)
        rec = _ratio(tp, tp + fn)
        f1 = round(2 * p * rec / (p + rec), 4) if p and rec else 0.0
        per[c] = {"support": tp + fn, "tp": tp, "fp": fp, "fn": fn, "precision": p, "recall": rec, "f1": f1}
        per[c]["meets_target"] = bool(
            p is not None and rec is not None and p >= TARGET_PRECISION and rec >= TARGET_RECALL
        )
        tot_tp, tot_fp, tot_fn = tot_tp + tp, tot_fp + fp, tot_fn + fn
    micro_p = _ratio(tot_tp, tot_tp + tot_fp)
    micro_r = _ratio(tot_tp, tot_tp + tot_fn)
    # the same totals over the categories the engine has today (the new ones only add misses)
    own = [per[c] for c in CATEGORIES]
    own_tp, own_fp, own_fn = (sum(v[k] for v in own) for k in ("tp", "fp", "fn"))
    hard = [r for r in records if r.get("kind") == "hard_negative"]
    negatives = [r for r in records if not r["labels"]]
    positives = [r for r in records if r["labels"]]
    return {
        "messages": len(records),
        "categories": per,
        "micro": {
            "tp": tot_tp,
            "fp": tot_fp,
            "fn": tot_fn,
            "precision": micro_p,
            "recall": micro_r,
            "f1": round(2 * micro_p * micro_r / (micro_p + micro_r), 4) if micro_p and micro_r else 0.0,
        },
        "micro_engine_categories": {
            "precision": _ratio(own_tp, own_tp + own_fp),
            "recall": _ratio(own_tp, own_tp + own_fn),
        },
        "macro_f1": round(sum(v["f1"] for v in per.values()) / len(per), 4),
        "categories_meeting_target": sum(v["meets_target"] for v in per.values()),
        "hard_negatives": len(hard),
        "hard_negatives_flagged": sum(1 for r in hard if found[r["msgid"]]),
        "negatives_flagged": sum(1 for r in negatives if found[r["msgid"]]),
        "positives_with_any_finding": sum(1 for r in positives if found[r["msgid"]]),
        "positives": len(positives),
    }


def _text(r: dict[str, Any]) -> str:
    if r.get("msgtype") == "file":
        return f"[file] {r['file']['filename']}"
    return str(r.get("text", {}).get("content", ""))


def errors(records: Sequence[dict[str, Any]], found: dict[str, set[str]]) -> list[dict[str, Any]]:
    out = []
    for r in records:
        gold, got = set(r["labels"]), found[r["msgid"]]
        if gold != got:
            out.append(
                {
                    "msgid": r["msgid"],
                    "text": _text(r),
                    "labels": sorted(gold),
                    "found": sorted(got),
                    "missed": sorted(gold - got),
                    "extra": sorted(got - gold),
                }
            )
    return out


def cold_abuse() -> dict[str, Any]:
    base = shared_dir()
    folder = base / "data" / "cold" if base else None
    if folder is None or not folder.is_dir():
        return {"skipped": "COLD not found ($ZHIDU_SHARED_DIR/data/cold or ../shared/data/cold)"}
    split = "test" if (folder / "test.csv").exists() else "dev"
    path = folder / f"{split}.csv"
    if not path.exists():
        return {"skipped": f"no test.csv or dev.csv in {folder}"}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    texts = [r["TEXT"] for r in rows]
    # test.csv carries fine-grained labels (1, 2 = offensive; 0, 3 = safe), train/dev a binary label
    if split == "test" and "fine-grained-label" in rows[0]:
        gold = [r["fine-grained-label"] in ("1", "2") for r in rows]
    else:
        gold = [r["label"] == "1" for r in rows]
    rules = [dataclasses.replace(r, scope=Scope()) for r in default_rules() if r.category == "abuse"]
    out: dict[str, Any] = {"split": split, "source": str(path), "texts": len(texts)}
    for name, engine in (("full", Engine(rules)), ("terms", Engine(terms_only(rules)))):
        msgs = [Message(msgid=str(i), text=t) for i, t in enumerate(texts)]
        with Timer() as t:
            hit = {int(f.msgid) for f in engine.scan(msgs) if f.category == "abuse"}
        tp = sum(1 for i, g in enumerate(gold) if g and i in hit)
        fp = sum(1 for i, g in enumerate(gold) if not g and i in hit)
        fn = sum(1 for i, g in enumerate(gold) if g and i not in hit)
        p, rec = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
        f1 = round(2 * p * rec / (p + rec), 4) if p and rec else 0.0
        out[name] = {"precision": p, "recall": rec, "f1": f1, "texts_per_s": round(len(texts) / t.cpu)}
    return out


def _f(v: float | None) -> str:
    return "   —  " if v is None else f"{v:6.3f}"


def print_table(split: str, full: dict[str, Any], terms: dict[str, Any]) -> None:
    print(
        f"\n{split}: {full['messages']} messages, {full['positives']} labelled, {full['hard_negatives']} hard negatives"
    )
    print(f"{'category':<19}{'support':>8}  {'P':>6} {'R':>6} {'F1':>6}  | terms only {'P':>6} {'R':>6}  target")
    for c in ALL_CATEGORIES:
        a, b = full["categories"][c], terms["categories"][c]
        mark = "met" if a["meets_target"] else ""
        print(
            f"{c:<19}{a['support']:>8}  {_f(a['precision'])} {_f(a['recall'])} {_f(a['f1'])}  |"
            f"            {_f(b['precision'])} {_f(b['recall'])}  {mark}"
        )
    m, n = full["micro"], terms["micro"]
    print(
        f"{'micro':<19}{m['tp'] + m['fn']:>8}  {_f(m['precision'])} {_f(m['recall'])} {_f(m['f1'])}  |"
        f"            {_f(n['precision'])} {_f(n['recall'])}"
    )
    e, t = full["micro_engine_categories"], terms["micro_engine_categories"]
    print(
        f"micro over the engine's own {len(CATEGORIES)} categories: P {_f(e['precision'])} R {_f(e['recall'])}"
        f"  (terms only P {_f(t['precision'])} R {_f(t['recall'])})"
    )
    print(
        f"macro F1 {full['macro_f1']:.3f} (terms only {terms['macro_f1']:.3f}); categories meeting "
        f"P ≥ {TARGET_PRECISION} and R ≥ {TARGET_RECALL}: {full['categories_meeting_target']}/{len(ALL_CATEGORIES)}; "
        f"hard negatives flagged {full['hard_negatives_flagged']}/{full['hard_negatives']} "
        f"(terms only {terms['hard_negatives_flagged']}); labelled messages with any finding "
        f"{full['positives_with_any_finding']}/{full['positives']}"
    )


def print_model_table(split: str, full: dict[str, Any], off: dict[str, Any]) -> None:
    print(f"\n{split}: full pack vs model off (without the category classifier's rules)")
    print(f"{'category':<19}{'support':>8}  {'P':>6} {'R':>6} {'F1':>6}  | model off {'P':>6} {'R':>6} {'F1':>6}")
    for c in ALL_CATEGORIES:
        a, b = full["categories"][c], off["categories"][c]
        print(
            f"{c:<19}{a['support']:>8}  {_f(a['precision'])} {_f(a['recall'])} {_f(a['f1'])}  |"
            f"           {_f(b['precision'])} {_f(b['recall'])} {_f(b['f1'])}"
        )
    m, n = full["micro"], off["micro"]
    print(
        f"{'micro':<19}{m['tp'] + m['fn']:>8}  {_f(m['precision'])} {_f(m['recall'])} {_f(m['f1'])}  |"
        f"           {_f(n['precision'])} {_f(n['recall'])} {_f(n['f1'])}"
    )
    print(
        f"categories meeting target: {full['categories_meeting_target']} (model off "
        f"{off['categories_meeting_target']}); hard negatives flagged {full['hard_negatives_flagged']} "
        f"(model off {off['hard_negatives_flagged']})"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--no-cold", action="store_true", help="skip the COLD offensive-language figure")
    parser.add_argument(
        "--splits",
        default=",".join(SPLITS),
        help="comma-separated splits to measure (default: all; e.g. --splits dev while tuning)",
    )
    parser.add_argument(
        "--errors", action="store_true", help="print the errors of the development splits (never of held-out ones)"
    )
    args = parser.parse_args(argv)
    splits = [s for s in args.splits.split(",") if s]

    rules = default_rules()
    engines = {"full": Engine(rules), "terms": Engine(terms_only(rules)), "model_off": Engine(model_off(rules))}
    result: dict[str, Any] = {
        "categories": list(ALL_CATEGORIES),
        "engine_categories": list(CATEGORIES),
        "targets": {"precision": TARGET_PRECISION, "recall": TARGET_RECALL, "cold_abuse_f1": TARGET_COLD_F1},
        "scoring": "multi-label; a finding of category C is a TP when C is among the message's labels",
    }
    for split in splits:
        if split not in SPLITS:
            parser.error(f"unknown split {split!r} (known: {', '.join(SPLITS)})")
        if not (DATA / f"chats_{split}.jsonl").exists():
            print(f"\n{split}: bench/data/chats_{split}.jsonl not found, skipped")
            continue
        records = load_split(split)
        found = {name: predict(engine, records) for name, engine in engines.items()}
        scores = {name: score(records, f) for name, f in found.items()}
        print_table(split, scores["full"], scores["terms"])
        print_model_table(split, scores["full"], scores["model_off"])
        result[split] = scores
        if split in DEVELOPMENT:
            result[f"{split}_errors"] = errors(records, found["full"])
            if args.errors:
                print(f"\n{split} errors (missed / extra):")
                for e in result[f"{split}_errors"]:
                    print(f"  {e['msgid']}  -{','.join(e['missed'])} +{','.join(e['extra'])}  {e['text']}")
    if args.no_cold:
        cold: dict[str, Any] = {"skipped": "--no-cold"}
    else:
        cold = cold_abuse()
    result["cold_abuse"] = cold
    if "skipped" in cold:
        print(f"\nCOLD skipped: {cold['skipped']}")
    else:
        print(
            f"\nCOLD {cold['split']} split ({cold['texts']} texts), abuse rules without scope: "
            f"full P {cold['full']['precision']} R {cold['full']['recall']} F1 {cold['full']['f1']}; "
            f"terms only F1 {cold['terms']['f1']} (target F1 ≥ {TARGET_COLD_F1} on the test split)"
        )
    result.update(machine())
    path = write_results("eval_rules", result)
    print(f"wrote {path.relative_to(ROOT)}")
    line: dict[str, Any] = {}
    for split in splits:
        if split not in result:
            continue
        full = result[split]["full"]
        line.update(
            {
                f"{split}_micro_precision": full["micro"]["precision"],
                f"{split}_micro_recall": full["micro"]["recall"],
                f"{split}_macro_f1": full["macro_f1"],
                f"{split}_categories_met": full["categories_meeting_target"],
                f"{split}_hard_neg_flagged": full["hard_negatives_flagged"],
            }
        )
        if split in HELD_OUT or split in OWN_CHECK:
            line.update(
                {
                    f"{split}_engine_cats_precision": full["micro_engine_categories"]["precision"],
                    f"{split}_engine_cats_recall": full["micro_engine_categories"]["recall"],
                    f"terms_{split}_micro_precision": result[split]["terms"]["micro"]["precision"],
                    f"terms_{split}_micro_recall": result[split]["terms"]["micro"]["recall"],
                    f"model_off_{split}_micro_precision": result[split]["model_off"]["micro"]["precision"],
                    f"model_off_{split}_micro_recall": result[split]["model_off"]["micro"]["recall"],
                }
            )
    line.update(
        {
            "categories": len(ALL_CATEGORIES),
            "cold_split": cold.get("split", "skipped"),
            "cold_abuse_f1": cold["full"]["f1"] if "full" in cold else "skipped",
        }
    )
    print(result_line(line))


if __name__ == "__main__":
    main()
