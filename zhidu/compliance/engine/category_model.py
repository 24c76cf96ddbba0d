"""Per-category text classifier: one-vs-rest logistic regression over character n-grams (1..3) of
NORMALISED text, the signal for the kinds of misconduct a term list or slot pattern cannot reach.

Trained by `scripts/train_categories.py` on bench/data/chats_train.jsonl only (our own hand-written
sales chats, see bench/data/README.md); each category's decision threshold was chosen on the dev
split as the lowest probability on a grid (0.50, 0.55 … 0.95, 0.96 … 0.99) where the model alone
reaches precision ≥ 0.95 (with ≥ 3 true positives) on the dev messages its rules see. A category
whose model never reaches that has no threshold (None) and no rule. Shipped as
data/category_model.json.gz: {category: {n-gram: weight}} (small weights pruned), biases and
thresholds.

Scoring is vectorised over a whole chunk like abuse.py: every n-gram of the chunk's code points
gets one exact integer key (c1, c1<<21|c2, c1<<42|c2<<21|c3 — the orders cannot collide because
code points are non-zero inside texts), one cuckoo hash table maps keys to a row of the weight
matrix (row 0 = zeros), and per message the logits of all categories are a difference of
cumulative sums. `logits()` scores one text with plain dicts (the reference; tests compare).

Cue-gated threshold (issue 8, recall on unseen chats): a category may also have a lower threshold
that counts only when the normalised message contains one of the category's cue words
(data/model_cues.json: short concept words per category, e.g. a threat verb for violence). A message
is reported when its probability reaches the plain threshold, or the cue threshold and it has a cue.
The cue threshold is chosen by the training script on the development splits like the plain one (the
combined prediction must keep precision ≥ 0.95); the cues only narrow what the model may report.

In the engine each category is a detector "model:<category>" (detect/registry.py); the rules that
use them are data/model_rules.json, appended by `default_rules()`. A hit spans the whole message
and its confidence is the probability. All "model:*" detectors share one scoring pass per chunk.
"""

from __future__ import annotations

import gzip
import json
import math
import threading
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import numpy as np

from .cuckoo import CuckooTable, all_ngrams, gram_key
from .detect import Detector, Hit
from .normalize import Chunk, normalize_many

MODEL_PATH = Path(__file__).resolve().parent / "data" / "category_model.json.gz"
CUES_PATH = Path(__file__).resolve().parent / "data" / "model_cues.json"
DETECTOR_PREFIX = "model:"
NGRAM_MAX = 3


def ngrams(text: str, n_max: int = NGRAM_MAX) -> list[str]:
    """All character n-grams (1..n_max) of `text`, with repetitions."""
    return all_ngrams(text, n_max)


_key = gram_key


def _logit(p: float | None) -> float:
    return math.inf if p is None else math.log(p / (1 - p))


def _sigmoid(z: float) -> float:
    if z < -30:
        return 0.0
    return 1.0 / (1.0 + math.exp(-z))


class CategoryModel:
    """`weights[category][gram]`, `bias[category]`, `thresholds[category]` (probability or None)."""

    def __init__(
        self,
        categories: list[str],
        weights: dict[str, dict[str, float]],
        bias: dict[str, float],
        thresholds: dict[str, float | None],
        ngram_max: int = NGRAM_MAX,
        cue_thresholds: dict[str, float | None] | None = None,
        cues: dict[str, list[str]] | None = None,
    ) -> None:
        self.categories = list(categories)
        self.cue_thresholds = dict(cue_thresholds or {})
        # cue words normalised like the texts they are looked up in
        self.cues: dict[str, tuple[str, ...]] = {}
        for c, words in (cues or {}).items():
            chunk = normalize_many(list(words))
            self.cues[c] = tuple(sorted({t for i in range(len(words)) if (t := chunk.message_text(i))}))
        self.index = {c: j for j, c in enumerate(self.categories)}
        self.weights = weights
        self.bias = bias
        self.thresholds = thresholds
        self.ngram_max = ngram_max
        grams = sorted({g for c in self.categories for g in weights.get(c, {})})
        self._row = {g: i + 1 for i, g in enumerate(grams)}  # row 0 = no weight
        w = np.zeros((len(grams) + 1, len(self.categories)), dtype=np.float64)
        for j, c in enumerate(self.categories):
            for g, v in weights.get(c, {}).items():
                w[self._row[g], j] = v
        self._w = w
        self._b = np.array([bias.get(c, 0.0) for c in self.categories], dtype=np.float64)
        keys = np.array([_key(g) for g in grams], dtype=np.uint64)
        self._table = CuckooTable(keys, np.arange(1, len(grams) + 1, dtype=np.int32), name="category model")
        # the categories with a threshold or a cue threshold (the engine scores only these), and their
        # thresholds as logits (+inf: none)
        self._shipped = np.array(
            [j for j, c in enumerate(self.categories) if self.is_shipped(c)],
            dtype=np.intp,
        )
        self._cut = np.array([_logit(thresholds.get(self.categories[j])) for j in self._shipped])
        self._cue_cut = np.array([self._cue_logit(self.categories[j]) for j in self._shipped])

    def _cue_logit(self, category: str) -> float:
        return _logit(self.cue_thresholds.get(category)) if self.cues.get(category) else math.inf

    @classmethod
    def load(cls, path: Path = MODEL_PATH, cues_path: Path = CUES_PATH) -> CategoryModel:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            data = json.load(fh)
        cues = json.loads(cues_path.read_text(encoding="utf-8"))["cues"] if cues_path.exists() else {}
        return cls(
            data["categories"],
            data["weights"],
            data["bias"],
            data["thresholds"],
            data["ngram_max"],
            data.get("cue_thresholds"),
            cues,
        )

    def threshold(self, category: str) -> float | None:
        return self.thresholds.get(category)

    def cue_threshold(self, category: str) -> float | None:
        """The lower threshold that counts when the message has one of the category's cue words."""
        return self.cue_thresholds.get(category) if self.cues.get(category) else None

    def is_shipped(self, category: str) -> bool:
        return self.threshold(category) is not None or self.cue_threshold(category) is not None

    def has_cue(self, category: str, norm_text: str) -> bool:
        return any(w in norm_text for w in self.cues.get(category, ()))

    def reports(self, category: str, probability: float, norm_text: str) -> bool:
        """Whether the detector reports a message of this probability and normalised text (the reference
        for chunk_hits)."""
        t, tc = self.threshold(category), self.cue_threshold(category)
        if t is not None and probability >= t:
            return True
        return tc is not None and probability >= tc and self.has_cue(category, norm_text)

    # --- one text (plain Python, the reference) ----------------------------------------------

    def logits(self, norm_text: str) -> dict[str, float]:
        """Decision value per category for an already normalised text."""
        grams = ngrams(norm_text, self.ngram_max)
        out = {}
        for c in self.categories:
            w = self.weights.get(c, {})
            out[c] = self.bias.get(c, 0.0) + sum(w.get(g, 0.0) for g in grams)
        return out

    def probabilities(self, norm_text: str) -> dict[str, float]:
        return {c: _sigmoid(z) for c, z in self.logits(norm_text).items()}

    # --- whole chunks (vectorised) -----------------------------------------------------------

    def _rows(self, keys: np.ndarray) -> np.ndarray:
        return self._table.lookup(keys)

    def chunk_logits(self, chunk: Chunk, columns: np.ndarray | None = None) -> np.ndarray:
        """(texts × categories) logits of a normalised chunk; `columns` limits the categories (indexes)."""
        w = self._w if columns is None else self._w[:, columns]
        b = self._b if columns is None else self._b[columns]
        c = chunk.codes.astype(np.uint64)
        starts, ends = chunk.starts_array, chunk.ends_array
        out = np.repeat(b[None, :], len(starts), axis=0)
        key = c
        shift = np.uint64(21)
        for k in range(self.ngram_max):
            if k:
                if c.shape[0] <= k:
                    break
                # n-gram of length k+1 starting at i: key_k+1(i) = key_k(i) << 21 | c[i+k]
                key = (key[:-1] << shift) | c[k:]
            rows = self._rows(key)
            at = np.flatnonzero(rows)  # positions whose n-gram has weights (most have none)
            if not at.shape[0]:
                continue
            cs = np.zeros((at.shape[0] + 1, w.shape[1]))
            np.cumsum(w[rows[at]], axis=0, out=cs[1:])
            # n-grams that start inside a text but run past its end contain the NUL separator → no row
            out += cs[np.searchsorted(at, ends)] - cs[np.searchsorted(at, starts)]
        return out

    def predict(self, texts: Iterable[str], chunk_size: int = 4000) -> np.ndarray:
        """(texts × categories) probabilities for raw texts (normalised here)."""
        items = list(texts)
        out = [self.chunk_logits(normalize_many(items[k : k + chunk_size])) for k in range(0, len(items), chunk_size)]
        z = np.concatenate(out) if out else np.zeros((0, len(self.categories)))
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))

    def chunk_hits(self, chunk: Chunk) -> dict[str, dict[int, list[Hit]]]:
        """Per category: the messages of the chunk at or above the category's threshold, each with one
        hit over the whole message (normalised coordinates) and the probability as confidence."""
        out: dict[str, dict[int, list[Hit]]] = {c: {} for c in self.categories}
        if not self._shipped.shape[0]:
            return out
        z = self.chunk_logits(chunk, self._shipped)
        passed = z >= self._cut
        # between the cue threshold and the plain one: reported only with a cue word (few messages)
        for i, k in zip(*(a.tolist() for a in np.nonzero((z >= self._cue_cut) & ~passed)), strict=True):
            if self.has_cue(self.categories[int(self._shipped[k])], chunk.message_text(i)):
                passed[i, k] = True
        lengths = (chunk.ends_array - chunk.starts_array).tolist()
        for i, k in zip(*(a.tolist() for a in np.nonzero(passed)), strict=True):
            if lengths[i] == 0:
                continue
            j = int(self._shipped[k])
            c = self.categories[j]
            out[c][i] = [Hit(0, lengths[i], DETECTOR_PREFIX + c, round(_sigmoid(float(z[i, k])), 4))]
        return out


@cache
def load_model() -> CategoryModel:
    return CategoryModel.load()


class _ChunkCache:
    """The hits of the last chunk scored: every "model:*" detector of an engine sees the same chunk
    in turn, so the model scores it once. Per thread, holding a reference to the chunk (identity,
    not equality, decides)."""

    def __init__(self) -> None:
        self._local = threading.local()

    def hits(self, chunk: Chunk) -> dict[str, dict[int, list[Hit]]]:
        last = getattr(self._local, "last", None)
        if last is not None and last[0] is chunk:
            return last[1]
        result = load_model().chunk_hits(chunk)
        self._local.last = (chunk, result)
        return result


_CACHE = _ChunkCache()


@cache
def category_detector(category: str) -> Detector:
    """The detector "model:<category>"; it reports nothing for a category the model has no threshold for."""
    model = load_model()
    name = DETECTOR_PREFIX + category
    if not model.is_shipped(category):
        return Detector(name, chunk_check=lambda chunk: {}, description=f"category classifier ({category}): off")

    def check(chunk: Chunk) -> dict[int, list[Hit]]:
        return _CACHE.hits(chunk)[category]

    return Detector(name, chunk_check=check, description=f"category classifier ({category})")
