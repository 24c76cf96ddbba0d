"""Train the offensive-language classifier shipped in zhidu/compliance/engine/data/.

    .venv/bin/python scripts/train_abuse.py [--cold DIR] [--out FILE] [--check]

Reads the COLD dataset (train split for fitting, dev split only for the report), looked up at
$ZHIDU_SHARED_DIR/data/cold or ../shared/data/cold next to the repository. The model is logistic
regression on character unigram and bigram counts of the engine's normalised text, fitted by full-batch Adam
with L2; everything is deterministic (no randomness at all), so re-running gives the same file.
--check trains and compares with the committed model instead of writing it.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import shutil
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from zhidu.compliance.engine.abuse import ENGINE_THRESHOLD, MODEL_PATH, AbuseModel, ngrams  # noqa: E402
from zhidu.compliance.engine.normalize import normalize_many  # noqa: E402

MIN_DF = 2
EPOCHS = 300
LEARNING_RATE = 0.05
L2 = 1e-4
KEEP_WEIGHTS = 30_000  # the strongest weights; F1 on COLD dev barely moves below 120k
THRESHOLD = 0.5


def cold_dir(explicit: str | None = None) -> Path | None:
    candidates = []
    if explicit:
        candidates.append(Path(explicit))
    if os.environ.get("ZHIDU_SHARED_DIR"):
        candidates.append(Path(os.environ["ZHIDU_SHARED_DIR"]) / "data" / "cold")
    candidates.append(ROOT.parent / "shared" / "data" / "cold")
    for c in candidates:
        if (c / "train.csv").exists():
            return c
    return None


def load_split(path: Path) -> tuple[list[str], np.ndarray]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [r["TEXT"] for r in rows], np.array([int(r["label"]) for r in rows], dtype=np.float64)


def normalised(texts: list[str]) -> list[str]:
    out: list[str] = []
    for k in range(0, len(texts), 2000):
        chunk = normalize_many(texts[k : k + 2000])
        out.extend(chunk.message_text(i) for i in range(len(chunk.starts)))
    return out


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


def fit(indices: np.ndarray, data: np.ndarray, indptr: np.ndarray, y: np.ndarray, dim: int) -> tuple[np.ndarray, float]:
    rows = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
    w = np.zeros(dim)
    b = 0.0
    m = np.zeros(dim)
    v = np.zeros(dim)
    mb = vb = 0.0
    n = len(y)
    for epoch in range(1, EPOCHS + 1):
        contrib = np.concatenate([[0.0], np.cumsum(w[indices] * data)])
        z = contrib[indptr[1:]] - contrib[indptr[:-1]] + b
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        g = p - y
        gw = np.bincount(indices, weights=g[rows] * data, minlength=dim) / n + L2 * w
        gb = float(g.mean())
        m = 0.9 * m + 0.1 * gw
        v = 0.999 * v + 0.001 * gw * gw
        mb = 0.9 * mb + 0.1 * gb
        vb = 0.999 * vb + 0.001 * gb * gb
        c1 = 1 - 0.9**epoch
        c2 = 1 - 0.999**epoch
        w -= LEARNING_RATE * (m / c1) / (np.sqrt(v / c2) + 1e-8)
        b -= LEARNING_RATE * (mb / c1) / (np.sqrt(vb / c2) + 1e-8)
    return w, b


def prf(pred: np.ndarray, y: np.ndarray) -> dict[str, float]:
    tp = float(np.sum(pred & (y == 1)))
    p = tp / max(1.0, float(pred.sum()))
    r = tp / max(1.0, float((y == 1).sum()))
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cold", help="directory with COLD train.csv and dev.csv")
    ap.add_argument("--out", default=str(MODEL_PATH))
    ap.add_argument("--check", action="store_true", help="compare with the committed model, write nothing")
    args = ap.parse_args(argv)

    src = cold_dir(args.cold)
    if src is None:
        print("COLD dataset not found (set ZHIDU_SHARED_DIR or pass --cold); nothing trained.")
        return 0
    t0 = time.perf_counter()
    texts, y = load_split(src / "train.csv")
    norm = normalised(texts)
    docs = [Counter(ngrams(t)) for t in norm]
    df: Counter = Counter()
    for d in docs:
        df.update(d.keys())
    vocab_list = sorted(g for g, c in df.items() if c >= MIN_DF)
    vocab = {g: i for i, g in enumerate(vocab_list)}
    indices, data, indptr = to_csr(docs, vocab)
    w, b = fit(indices, data, indptr, y, len(vocab))
    order = np.argsort(-np.abs(w), kind="stable")[:KEEP_WEIGHTS]
    weights = {vocab_list[i]: round(float(w[i]), 4) for i in sorted(order.tolist())}
    weights = {g: v for g, v in weights.items() if v != 0.0}
    bias = round(float(b), 4)
    model = AbuseModel(weights, bias, THRESHOLD)
    train_pred = model.predict(texts) >= THRESHOLD
    report: dict[str, object] = {
        "train_size": len(texts),
        "vocabulary": len(vocab),
        "kept_weights": len(weights),
        "train": prf(train_pred, y),
    }
    if (src / "dev.csv").exists():
        dev_texts, dev_y = load_split(src / "dev.csv")
        prob = model.predict(dev_texts)
        report["dev"] = prf(prob >= THRESHOLD, dev_y)
        report["dev_engine_threshold"] = prf(prob >= ENGINE_THRESHOLD, dev_y)
    payload = {
        "format": 1,
        "model": "logistic regression, character 1-2-gram counts of normalised text",
        "engine_threshold": ENGINE_THRESHOLD,
        "trained_on": "COLD train split (thu-coai/COLDataset, Apache-2.0)",
        "hyperparameters": {"min_df": MIN_DF, "epochs": EPOCHS, "lr": LEARNING_RATE, "l2": L2},
        "report": report,
        "bias": bias,
        "threshold": THRESHOLD,
        "weights": weights,
    }
    blob = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    print(json.dumps(report, ensure_ascii=False))
    print(f"trained in {time.perf_counter() - t0:.1f}s")
    out = Path(args.out)
    if args.check:
        current = json.loads(gzip.decompress(out.read_bytes())) if out.exists() else None
        same = current is not None and current == json.loads(blob)
        print("committed model is up to date" if same else "committed model differs from a fresh training run")
        return 0 if same else 1
    out.write_bytes(gzip.compress(blob, compresslevel=9, mtime=0))
    if (src / "LICENSE").exists():
        shutil.copyfile(src / "LICENSE", out.parent / "LICENSE.COLD")
    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
