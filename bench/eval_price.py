"""Precision and recall of the price-authority check on a small labelled set.

    .venv/bin/python bench/eval_price.py

Data: bench/data/price_catalogue.json (five invented products, their policies, the company defaults)
and bench/data/price_chats.jsonl (72 hand-written messages, each with the sender's role, side, the
member's products, a label — 1 when the message quotes a price or discount beyond the sender's
authority — and a kind: positive, hard_negative or negative; see bench/data/README.md). The `dev`
split was used to tune the check; `test` was written at the same time, before any tuning, and is
only measured: its errors are never printed.

The engine is the product's: `Engine(default_rules(), price_policy=snapshot)`; a message counts as
flagged when the `price.authority` rule reports it. Ends with one `RESULT key=value …` line and
writes bench/results/eval_price.json.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, machine, result_line, write_results

from zhidu.compliance.engine import Engine, Message, default_rules, snapshot_from_rows

DATA = ROOT / "bench" / "data"
RULE = "price.authority"


def load() -> tuple[Any, list[dict[str, Any]]]:
    cat = json.loads((DATA / "price_catalogue.json").read_text(encoding="utf-8"))
    snapshot = snapshot_from_rows(
        [(p["code"], p["name"], p["aliases"], p["list_price"], p["floor"], p["max_discount"]) for p in cat["products"]],
        cat["defaults"],
        allow=cat["allow"],
        min_share=cat["min_share"],
    )
    with (DATA / "price_chats.jsonl").open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return snapshot, rows


def evaluate(engine: Engine, rows: list[dict[str, Any]]) -> tuple[dict[str, Any], list[tuple[str, dict[str, Any]]]]:
    msgs = [
        Message(
            msgid=r["id"],
            text=r["text"],
            sender="wmcustomer" if r["side"] == "customer" else "staff1",
            side=r["side"],
            role=r["role"] if r["side"] == "staff" else "",
            products=tuple(r["products"]),
        )
        for r in rows
    ]
    flagged = {f.msgid for f in engine.scan(msgs) if f.rule == RULE}
    tp = fp = fn = 0
    errors: list[tuple[str, dict[str, Any]]] = []
    hard = hard_flagged = 0
    for r in rows:
        hit = r["id"] in flagged
        if r["kind"] == "hard_negative":
            hard += 1
            hard_flagged += hit
        if hit and r["label"]:
            tp += 1
        elif hit:
            fp += 1
            errors.append(("FP", r))
        elif r["label"]:
            fn += 1
            errors.append(("FN", r))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return {
        "messages": len(rows),
        "positives": tp + fn,
        "hard_negatives": hard,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "hard_negatives_flagged": hard_flagged,
    }, errors


def main() -> None:
    snapshot, rows = load()
    engine = Engine(default_rules(), price_policy=snapshot)
    result: dict[str, Any] = {}
    for split in ("dev", "test"):
        part = [r for r in rows if r["split"] == split]
        scores, errors = evaluate(engine, part)
        result[split] = scores
        print(
            f"{split:>4}: {scores['messages']} messages, {scores['positives']} positives, "
            f"{scores['hard_negatives']} hard negatives | precision {scores['precision']:.3f} "
            f"recall {scores['recall']:.3f} (tp {scores['tp']}, fp {scores['fp']}, fn {scores['fn']}); "
            f"hard negatives flagged {scores['hard_negatives_flagged']}"
        )
        if split == "dev":  # never list the held-out split's errors
            for kind, r in errors:
                print(f"      {kind} [{r['role']}/{r['side']}] {r['text']}  ({r['note']})")
    write_results("eval_price", {**result, **machine()})
    print(
        result_line(
            {
                "dev_precision": result["dev"]["precision"],
                "dev_recall": result["dev"]["recall"],
                "test_precision": result["test"]["precision"],
                "test_recall": result["test"]["recall"],
                "messages": len(rows),
            }
        )
    )


if __name__ == "__main__":
    main()
