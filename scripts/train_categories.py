"""Train the per-category classifier shipped in zhidu/compliance/engine/data/ and write its rules.

    .venv/bin/python scripts/train_categories.py [--check]

Fits on bench/data/chats_train.jsonl ONLY (our own hand-written sales chats, see bench/data/README.md):
one-vs-rest logistic regression per category over character 1-3-gram counts of the engine's
normalised text, full-batch Adam with L2 and balanced class weights; no randomness, so re-running
gives the same files. For category C the training messages are those its rules look at (the rule
scopes below: staff messages, and for the kinds customers are held to in groups also customer
messages in groups), so a customer's complaint in a single chat does not teach the model that
"垃圾" is fine or not.

Thresholds are chosen on the development splits, bench/data/chats_dev.jsonl and chats_dev2.jsonl
(the second written by another author; never on test or test2): per category the
lowest probability on a grid (0.50, 0.55 … 0.95, then 0.96 … 0.99) where the model ALONE reaches precision ≥ 0.95 with
at least MIN_TRUE_POSITIVES true positives on the dev messages in its scope. A category with no such
threshold is not shipped (threshold None, no rule) and the run says so.

Writes engine/data/category_model.json.gz (small weights pruned: the KEEP_WEIGHTS strongest per
category) and engine/data/model_rules.json (one rule per shipped category — two for the kinds
customers are also held to in groups, because a scope cannot say "staff anywhere or customers in
groups"). --check trains and compares with the committed files instead of writing them.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from zhidu.compliance.engine import CATEGORIES, Message, message_from_archive  # noqa: E402
from zhidu.compliance.engine.category_model import (  # noqa: E402
    CUES_PATH,
    MODEL_PATH,
    NGRAM_MAX,
    CategoryModel,
    ngrams,
)
from zhidu.compliance.engine.normalize import normalize_many  # noqa: E402
from zhidu.compliance.engine.rules import Scope, scope_from_dict  # noqa: E402

DATA = ROOT / "bench" / "data"
RULES_PATH = MODEL_PATH.parent / "model_rules.json"
MIN_DF = 2
EPOCHS = 400
LEARNING_RATE = 0.05
L2 = 1e-4  # on dev, 1e-3 and 3e-3 found fewer true positives at precision 0.95 (noisy: small dev)
KEEP_WEIGHTS = 8000
TARGET_PRECISION = 0.95
MIN_TRUE_POSITIVES = 3
THRESHOLD_SPLITS = ("dev", "dev2")  # development splits (never test or test2)
GRID = [*(round(0.5 + 0.05 * k, 2) for k in range(9)), 0.95, 0.96, 0.97, 0.98, 0.99]  # 0.50 … 0.99
# the cue-gated threshold (category_model.py): lowest value on this grid below the plain threshold
CUE_GRID = [round(0.5 + 0.05 * k, 2) for k in range(10)]  # 0.50 … 0.95: never below even odds

# Kinds customers are held to when they post in groups (bench/data/README.md, label policy).
CUSTOMER_GROUP_KINDS = ("abuse", "prohibited", "rumor", "politics", "violence", "ethnic", "malware")
STAFF: dict[str, Any] = {"sides": ["staff"]}
CUSTOMER_GROUP: dict[str, Any] = {"sides": ["customer"], "chat_types": ["group"]}
NAMES = {
    "false_claim": "Classifier: false or absolute claims",
    "privacy": "Classifier: disclosing personal data",
    "secret": "Classifier: disclosing company secrets",
    "private_deal": "Classifier: off-book deals",
    "price": "Classifier: private discounts and kickbacks",
    "abuse": "Classifier: insults by staff",
    "ads": "Classifier: advertising in groups",
    "prohibited": "Classifier: prohibited goods and services",
    "rumor": "Classifier: rumours",
    "resource_misuse": "Classifier: company resources for personal business",
    "malware": "Classifier: malicious files and tools",
    "unfair_competition": "Classifier: unfair competition",
    "counterfeit": "Classifier: counterfeits and piracy",
    "politics": "Classifier: political mobilisation",
    "violence": "Classifier: threats and violence",
    "ethnic": "Classifier: ethnic and regional contempt",
}
GROUP_NAMES = {
    "abuse": "Classifier: insults by customers in groups",
    "prohibited": "Classifier: prohibited content from customers in groups",
    "rumor": "Classifier: rumours from customers in groups",
    "politics": "Classifier: political mobilisation by customers in groups",
    "violence": "Classifier: threats by customers in groups",
    "ethnic": "Classifier: ethnic contempt by customers in groups",
    "malware": "Classifier: malicious files from customers in groups",
}


def rule_specs(category: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(code, name, scope) of the model rules of a category."""
    if category == "ads":
        return [("ads.model", NAMES["ads"], {"chat_types": ["group"]})]
    specs = [(f"{category}.model", NAMES[category], STAFF)]
    if category in CUSTOMER_GROUP_KINDS:
        specs.append((f"{category}.model_group", GROUP_NAMES[category], CUSTOMER_GROUP))
    return specs


def in_scope(scope: Scope, msg: Message) -> bool:
    if scope.sides and msg.side not in scope.sides:
        return False
    return not (scope.chat_types and msg.chat_type not in scope.chat_types)


def scope_mask(category: str, msgs: list[Message]) -> np.ndarray:
    scopes = [scope_from_dict(s) for _, _, s in rule_specs(category)]
    return np.array([any(in_scope(s, m) for s in scopes) for m in msgs], dtype=bool)


def load(split: str) -> tuple[list[Message], list[set[str]], list[str]]:
    with (DATA / f"chats_{split}.jsonl").open(encoding="utf-8") as fh:
        recs = [json.loads(line) for line in fh if line.strip()]
    msgs, labels, norm = [], [], []
    for r in recs:
        m = message_from_archive(r)
        if m is None:
            continue
        msgs.append(m)
        labels.append(set(r["labels"]))
    chunk = normalize_many([m.text for m in msgs])
    norm = [chunk.message_text(i) for i in range(len(msgs))]
    return msgs, labels, norm


def to_csr(docs: list[Counter], vocab: dict[str, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    indices: list[int] = []
    data: list[float] = []
    indptr = [0]
    for doc in docs:
        items = sorted((vocab[g], c) for g, c in doc.items() if g in vocab)
        indices.extend(i for i, _ in items)
        data.extend(float(c) for _, c in items)
        indptr.append(len(indices))
    return np.array(indices, dtype=np.int64), np.array(data), np.array(indptr, dtype=np.int64)


def fit(
    indices: np.ndarray, data: np.ndarray, indptr: np.ndarray, y: np.ndarray, sw: np.ndarray, dim: int
) -> tuple[np.ndarray, float]:
    """Weighted logistic regression (sample weights `sw`, summing to 1), L2, full-batch Adam."""
    rows = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
    w = np.zeros(dim)
    b = 0.0
    m = np.zeros(dim)
    v = np.zeros(dim)
    mb = vb = 0.0
    for epoch in range(1, EPOCHS + 1):
        contrib = np.concatenate([[0.0], np.cumsum(w[indices] * data)])
        z = contrib[indptr[1:]] - contrib[indptr[:-1]] + b
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        g = (p - y) * sw
        gw = np.bincount(indices, weights=g[rows] * data, minlength=dim) + L2 * w
        gb = float(g.sum())
        m = 0.9 * m + 0.1 * gw
        v = 0.999 * v + 0.001 * gw * gw
        mb = 0.9 * mb + 0.1 * gb
        vb = 0.999 * vb + 0.001 * gb * gb
        c1 = 1 - 0.9**epoch
        c2 = 1 - 0.999**epoch
        w -= LEARNING_RATE * (m / c1) / (np.sqrt(v / c2) + 1e-8)
        b -= LEARNING_RATE * (mb / c1) / (np.sqrt(vb / c2) + 1e-8)
    return w, b


def subset(
    indices: np.ndarray, data: np.ndarray, indptr: np.ndarray, keep: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows = np.flatnonzero(keep)
    lens = np.diff(indptr)[rows]
    new_ptr = np.concatenate([[0], np.cumsum(lens)])
    take = np.concatenate([np.arange(indptr[r], indptr[r + 1]) for r in rows]) if len(rows) else np.zeros(0, int)
    return indices[take], data[take], new_ptr


def prf(pred: np.ndarray, y: np.ndarray) -> dict[str, float | int]:
    tp = int(np.sum(pred & y))
    fp = int(np.sum(pred & ~y))
    fn = int(np.sum(~pred & y))
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": round(tp / (tp + fp), 4) if tp + fp else 0.0,
        "recall": round(tp / (tp + fn), 4) if tp + fn else 0.0,
    }


# Categories whose model reaches the precision on dev but not on generated sales chats (wecomsim): the
# privacy model fires on any long digit run (order numbers, the company hotline) and the secret model on
# the company's own shop links. Their hand-written rules cover dev and test as well without them.
WITHHELD = {
    "privacy": "fires on order numbers and company phone numbers in generated chats",
    "secret": "fires on the company's own shop links in generated chats",
    "politics": "fires on ordinary mentions of government offices and strikes (hard negatives of our tests)",
}


# Categories kept off the cue-gated threshold too (same reason as WITHHELD).
CUE_WITHHELD = {"privacy"}


# Categories whose classifier reads the tone of a message more than its act: like the COLD detector of
# abuse.insult, a finding of the abuse classifier alone gives way when another category reports the same
# message (a rumour or a threat told sharply is that category, not an insult as well).
YIELDING = ("abuse",)


def choose_threshold(prob: np.ndarray, y: np.ndarray, split: np.ndarray | None = None) -> float | None:
    """The lowest grid value where the model alone has at least MIN_TRUE_POSITIVES true positives and
    precision >= TARGET_PRECISION over all development messages AND on each development split that it
    flags anything in (`split` names each message's split): a threshold must hold for both authors."""
    parts = [np.ones(len(y), dtype=bool)] if split is None else [split == name for name in np.unique(split)]
    for t in GRID:
        s = prf(prob >= t, y)
        if s["tp"] < MIN_TRUE_POSITIVES or s["precision"] < TARGET_PRECISION:
            continue
        each = [prf(prob[part] >= t, y[part]) for part in parts]
        if all(e["tp"] + e["fp"] == 0 or e["precision"] >= TARGET_PRECISION for e in each):
            return t
    return None


def choose_cue_threshold(
    prob: np.ndarray, y: np.ndarray, cue: np.ndarray, plain: float | None, split: np.ndarray
) -> float | None:
    """The lowest CUE_GRID value below the plain threshold where the combined prediction (probability ≥
    plain threshold, or ≥ the cue threshold with a cue word) keeps at least MIN_TRUE_POSITIVES true
    positives and precision ≥ TARGET_PRECISION over all development messages and on each split."""
    base = prob >= plain if plain is not None else np.zeros(len(y), dtype=bool)
    parts = [split == name for name in np.unique(split)]
    for t in CUE_GRID:
        if plain is not None and t >= plain:
            return None
        pred = base | ((prob >= t) & cue)
        s = prf(pred, y)
        if s["tp"] < MIN_TRUE_POSITIVES or s["precision"] < TARGET_PRECISION:
            continue
        each = [prf(pred[part], y[part]) for part in parts]
        if all(e["tp"] + e["fp"] == 0 or e["precision"] >= TARGET_PRECISION for e in each):
            return t
    return None


def rules_document(
    thresholds: dict[str, float | None], articles: dict[str, str], cue_thresholds: dict[str, float | None]
) -> dict[str, Any]:
    rules = []
    for c in CATEGORIES:
        t = thresholds.get(c)
        tc = cue_thresholds.get(c)
        if t is None and tc is None:
            continue
        parts = [f"probability ≥ {t}"] if t is not None else []
        if tc is not None:
            parts.append(f"≥ {tc} with a cue word")
        said = " or ".join(parts)
        for code, name, scope in rule_specs(c):
            rules.append(
                {
                    "code": code,
                    "name": name,
                    "category": c,
                    "severity": "medium",
                    "article": articles.get(c, ""),
                    "description": f"Category classifier (scripts/train_categories.py): {said} "
                    "(chosen on the development splits dev and dev2 for precision ≥ 0.95).",
                    "detectors": [f"model:{c}"],
                    "scope": scope,
                    **({"yield_to": [o for o in CATEGORIES if o != c]} if c in YIELDING else {}),
                }
            )
    return {"rules": rules}


def category_articles() -> dict[str, str]:
    from zhidu.compliance.engine.rules import DEFAULT_RULES_DIR, load_rules

    out: dict[str, str] = {}
    for c in CATEGORIES:
        path = DEFAULT_RULES_DIR / f"{c}.json"
        if path.exists():
            rules = load_rules(path)
            if rules:
                out[c] = rules[0].article
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="compare with the committed files, write nothing")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    msgs, labels, norm = load("train")
    docs = [Counter(ngrams(t, NGRAM_MAX)) for t in norm]
    df: Counter = Counter()
    for d in docs:
        df.update(d.keys())
    vocab_list = sorted(g for g, c in df.items() if c >= MIN_DF)
    vocab = {g: i for i, g in enumerate(vocab_list)}
    indices, data, indptr = to_csr(docs, vocab)
    weights: dict[str, dict[str, float]] = {}
    bias: dict[str, float] = {}
    train_report: dict[str, Any] = {}
    for c in CATEGORIES:
        keep = scope_mask(c, msgs)
        y = np.array([c in lab for lab, k in zip(labels, keep, strict=True) if k], dtype=np.float64)
        n_pos, n_neg = float(y.sum()), float(len(y) - y.sum())
        # balanced classes: positives and negatives carry half the total weight each
        sw = np.where(y == 1, 0.5 / max(n_pos, 1.0), 0.5 / max(n_neg, 1.0))
        ci, cd, cp = subset(indices, data, indptr, keep)
        w, b = fit(ci, cd, cp, y, sw, len(vocab))
        order = np.argsort(-np.abs(w), kind="stable")[:KEEP_WEIGHTS]
        cw = {vocab_list[i]: round(float(w[i]), 4) for i in sorted(order.tolist())}
        weights[c] = {g: v for g, v in cw.items() if v != 0.0}
        bias[c] = round(float(b), 4)
        train_report[c] = {"messages": len(y), "positives": int(n_pos)}
    model = CategoryModel(list(CATEGORIES), weights, bias, dict.fromkeys(CATEGORIES), NGRAM_MAX)

    dmsgs, dlabels, dsplit = [], [], []
    for split in THRESHOLD_SPLITS:
        m, lab, _ = load(split)
        dmsgs += m
        dlabels += lab
        dsplit += [split] * len(m)
    dsplits = np.array(dsplit)
    cue_model = CategoryModel.load(MODEL_PATH, CUES_PATH) if CUES_PATH.exists() else None
    cue_words = cue_model.cues if cue_model else {}
    dnorm_chunk = normalize_many([m.text for m in dmsgs])
    dnorm = [dnorm_chunk.message_text(i) for i in range(len(dmsgs))]
    cue_thresholds: dict[str, float | None] = {}
    dprob = model.predict([m.text for m in dmsgs])
    tmsgs, tlabels, _ = load("train")
    tprob = model.predict([m.text for m in tmsgs])
    thresholds: dict[str, float | None] = {}
    report: dict[str, Any] = {"train_messages": len(msgs), "vocabulary": len(vocab), "categories": {}}
    for j, c in enumerate(CATEGORIES):
        keep = scope_mask(c, dmsgs)
        y = np.array([c in lab for lab in dlabels], dtype=bool)[keep]
        prob = dprob[keep, j]
        t = None if c in WITHHELD else choose_threshold(prob, y, dsplits[keep])
        thresholds[c] = t
        words = cue_words.get(c, ())
        cue = np.array([any(w in dnorm[i] for w in words) for i in np.flatnonzero(keep)], dtype=bool)
        tc = None if c in CUE_WITHHELD or not words else choose_cue_threshold(prob, y, cue, t, dsplits[keep])
        cue_thresholds[c] = tc
        tkeep = scope_mask(c, tmsgs)
        ty = np.array([c in lab for lab in tlabels], dtype=bool)[tkeep]
        entry: dict[str, Any] = {**train_report[c], "threshold": t, "weights": len(weights[c])}
        entry["train_at_0.5"] = prf(tprob[tkeep, j] >= 0.5, ty)
        entry["dev_at_0.5"] = prf(prob >= 0.5, y)
        entry["cue_threshold"] = tc
        if t is not None or tc is not None:
            plain = prob >= t if t is not None else np.zeros(len(y), dtype=bool)
            entry["dev_at_threshold"] = prf(plain | ((prob >= (tc if tc is not None else 2.0)) & cue), y)
        report["categories"][c] = entry
        shown = entry.get("dev_at_threshold") or entry["dev_at_0.5"]
        print(
            f"{c:<19} threshold {t if t is not None else 'none':<5} cue {tc if tc is not None else 'none':<5} "
            f"dev P {shown['precision']:.3f} "
            f"R {shown['recall']:.3f} (tp {shown['tp']} fp {shown['fp']} fn {shown['fn']})"
        )
    payload = {
        "format": 1,
        "model": "one-vs-rest logistic regression, character 1-3-gram counts of normalised text",
        "trained_on": "bench/data/chats_train.jsonl (zhidu's own hand-written sales chats)",
        "thresholds_chosen_on": "bench/data/chats_dev.jsonl + chats_dev2.jsonl, lowest of 0.50..0.99 with "
        "precision >= 0.95 over both and on each",
        "hyperparameters": {
            "min_df": MIN_DF,
            "epochs": EPOCHS,
            "lr": LEARNING_RATE,
            "l2": L2,
            "keep_weights": KEEP_WEIGHTS,
            "class_weights": "balanced",
        },
        "report": report,
        "categories": list(CATEGORIES),
        "ngram_max": NGRAM_MAX,
        "bias": bias,
        "thresholds": thresholds,
        "cue_thresholds": cue_thresholds,
        "weights": weights,
    }
    blob = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    document = rules_document(thresholds, category_articles(), cue_thresholds)
    rules_text = json.dumps(document, ensure_ascii=False, indent=1) + "\n"
    print(f"trained in {time.perf_counter() - t0:.1f}s")
    if args.check:
        current = json.loads(gzip.decompress(MODEL_PATH.read_bytes())) if MODEL_PATH.exists() else None
        same = current == json.loads(blob) and RULES_PATH.exists() and RULES_PATH.read_text("utf-8") == rules_text
        print("committed model and rules are up to date" if same else "committed files differ from a fresh run")
        return 0 if same else 1
    MODEL_PATH.write_bytes(gzip.compress(blob, compresslevel=9, mtime=0))
    RULES_PATH.write_text(rules_text, encoding="utf-8")
    print(f"wrote {MODEL_PATH} ({MODEL_PATH.stat().st_size / 1e6:.2f} MB) and {RULES_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
