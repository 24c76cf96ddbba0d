"""Offensive-language evaluation on the COLD dev split: classifier, lexicon, combined.

    .venv/bin/python bench/eval_abuse.py

Reads $ZHIDU_SHARED_DIR/data/cold/dev.csv or ../shared/data/cold/dev.csv; when it is missing the
script says so and exits 0. Label 1 = offensive.

* classifier: the shipped model (zhidu/compliance/engine/data/abuse_model.json.gz), probability ≥ 0.5;
* lexicon: the terms and allow phrases of the default pack's `abuse.insult` rule through the engine;
* combined: lexicon OR classifier (≥ 0.5);
* engine: the shipped `abuse.insult` rule as the product runs it (lexicon + "abuse_model" detector,
  which only reports probabilities ≥ ENGINE_THRESHOLD), scope removed.
Speeds are texts per second of process CPU time, normalisation included.

Also, without COLD: the classifier on generated sales chats (`generate_messages`, seed 42, 450k
records, the bench corpus's company): how many staff messages that are NOT abusive (clean ones, and
violations of other categories) reach each threshold, and the highest probability among them, which
is what ENGINE_THRESHOLD is chosen from (see abuse.py). The shipped threshold before this change was
0.8; the COLD figures for the engine rule at 0.8 are given as `engine_at_0.8` (lexicon OR p ≥ 0.8).
Ends with one `RESULT key=value …` line and writes bench/results/eval_abuse.json.
"""

from __future__ import annotations

import csv
import dataclasses
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Timer, machine, result_line, shared_dir, write_results
from scan import START_MS, company

from wecomsim.conversations import generate_messages
from zhidu.compliance.engine import Engine, Message, Scope, default_rules, message_from_archive
from zhidu.compliance.engine.abuse import ENGINE_THRESHOLD, SALES_MARGIN, load_model

THRESHOLDS = (0.5, 0.6, 0.7, 0.75, 0.8)
OLD_THRESHOLD = 0.8


def prf(pred: list[bool], gold: list[int]) -> dict[str, float]:
    tp = sum(1 for p, g in zip(pred, gold, strict=True) if p and g)
    fp = sum(1 for p, g in zip(pred, gold, strict=True) if p and not g)
    fn = sum(1 for p, g in zip(pred, gold, strict=True) if not p and g)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def flagged(engine: Engine, texts: list[str]) -> list[bool]:
    msgs = [Message(msgid=str(i), text=t) for i, t in enumerate(texts)]
    hit = {int(f.msgid) for f in engine.scan(msgs)}
    return [i in hit for i in range(len(texts))]


def sales_sample(records: int = 450_000, seed: int = 42) -> dict:
    """Classifier hits on staff messages of generated sales chats that are not abusive."""
    staff, customers, rooms = company(seed)
    groups: dict[str, list[str]] = {"clean": [], "other_violation": [], "abuse": []}
    gen = generate_messages(seed=seed, staff=staff, customers=customers, rooms=rooms, count=records, start_ms=START_MS)
    for rec, labels in gen:
        m = message_from_archive(rec)
        if m is None or m.side != "staff":
            continue
        groups["clean" if not labels else "abuse" if "abuse" in labels else "other_violation"].append(m.text)
    model = load_model()
    out: dict = {"records": records, "seed": seed}
    top = 0.0
    for name, texts in groups.items():
        p = model.predict(texts)
        out[name] = {"messages": len(texts), **{f"p>={t}": int((p >= t).sum()) for t in THRESHOLDS}}
        if name != "abuse" and len(p):
            top = max(top, float(p.max()))
    out["max_p_not_abusive"] = round(top, 4)
    out["engine_threshold"] = ENGINE_THRESHOLD
    out["margin"] = round(ENGINE_THRESHOLD - top, 4)
    return out


def main() -> None:
    sales = sales_sample()
    for name in ("clean", "other_violation", "abuse"):
        r = sales[name]
        hits = ", ".join(f"≥{t}: {r[f'p>={t}']}" for t in THRESHOLDS)
        print(f"generated staff messages, {name:<15} {r['messages']:>7,}: flagged by the classifier {hits}")
    print(
        f"highest probability of a non-abusive staff message: {sales['max_p_not_abusive']}; "
        f"ENGINE_THRESHOLD {ENGINE_THRESHOLD} (margin {sales['margin']}, required ≥ {SALES_MARGIN})"
    )
    base = shared_dir()
    dev = base / "data" / "cold" / "dev.csv" if base else None
    if dev is None or not dev.exists():
        print(
            "COLD dev split not found (looked for $ZHIDU_SHARED_DIR/data/cold/dev.csv and ../shared/data/cold/dev.csv);"
        )
        print("nothing to evaluate.")
        write_results("eval_abuse", {"sales": sales, **machine()})
        print(
            result_line(
                {
                    "skipped_cold": 1,
                    "sales_clean_fp": sales["clean"][f"p>={ENGINE_THRESHOLD}"],
                    "sales_other_fp": sales["other_violation"][f"p>={ENGINE_THRESHOLD}"],
                }
            )
        )
        return
    with dev.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    texts = [r["TEXT"] for r in rows]
    gold = [int(r["label"]) for r in rows]
    n = len(texts)

    model = load_model()
    model.predict(texts[:500])  # warm up
    with Timer() as t_model:
        probs = model.predict(texts)
    clf = [bool(p >= 0.5) for p in probs]

    insult = next(r for r in default_rules() if r.code == "abuse.insult")
    lexicon_rule = dataclasses.replace(insult, detectors=(), scope=Scope())
    engine_rule = dataclasses.replace(insult, scope=Scope())
    lexicon_engine = Engine([lexicon_rule])
    product_engine = Engine([engine_rule])
    with Timer() as t_lex:
        lex = flagged(lexicon_engine, texts)
    with Timer() as t_engine:
        product = flagged(product_engine, texts)
    combined = [a or b for a, b in zip(lex, clf, strict=True)]
    at_old = [a or bool(p >= OLD_THRESHOLD) for a, p in zip(lex, probs, strict=True)]

    result = {
        "dev_size": n,
        "offensive_share": round(sum(gold) / n, 4),
        "classifier": {**prf(clf, gold), "msgs_per_s": round(n / t_model.cpu), "threshold": 0.5},
        "lexicon": {**prf(lex, gold), "msgs_per_s": round(n / t_lex.cpu), "terms": len(insult.terms)},
        "combined": {**prf(combined, gold), "msgs_per_s": round(n / (t_lex.cpu + t_model.cpu))},
        "engine": {**prf(product, gold), "msgs_per_s": round(n / t_engine.cpu), "model_threshold": ENGINE_THRESHOLD},
        "engine_at_0.8": {**prf(at_old, gold), "model_threshold": OLD_THRESHOLD},
        "sales": sales,
        "source": str(dev),
        "clock": "rates are texts per second of process CPU time",
        **machine(),
    }
    for name in ("classifier", "lexicon", "combined", "engine", "engine_at_0.8"):
        r = result[name]
        speed = f"{r['msgs_per_s']:>9,} texts/s" if "msgs_per_s" in r else ""
        print(f"{name:<13} precision {r['precision']:.3f}  recall {r['recall']:.3f}  F1 {r['f1']:.3f}  {speed}")
    print("target: F1 ≥ 0.85 at ≥ 20,000 texts/s")
    write_results("eval_abuse", result)
    print(
        result_line(
            {
                "classifier_f1": result["classifier"]["f1"],
                "classifier_precision": result["classifier"]["precision"],
                "classifier_recall": result["classifier"]["recall"],
                "classifier_msgs_per_s": result["classifier"]["msgs_per_s"],
                "lexicon_f1": result["lexicon"]["f1"],
                "lexicon_precision": result["lexicon"]["precision"],
                "combined_f1": result["combined"]["f1"],
                "combined_msgs_per_s": result["combined"]["msgs_per_s"],
                "engine_f1": result["engine"]["f1"],
                "engine_msgs_per_s": result["engine"]["msgs_per_s"],
                "engine_threshold": ENGINE_THRESHOLD,
                "engine_f1_at_0.8": result["engine_at_0.8"]["f1"],
                "sales_clean_fp": sales["clean"][f"p>={ENGINE_THRESHOLD}"],
                "sales_clean_fp_at_0.8": sales["clean"]["p>=0.8"],
                "sales_other_fp": sales["other_violation"][f"p>={ENGINE_THRESHOLD}"],
                "sales_other_fp_at_0.8": sales["other_violation"]["p>=0.8"],
                "sales_max_p_not_abusive": sales["max_p_not_abusive"],
                "dev_size": n,
            }
        )
    )


if __name__ == "__main__":
    main()
