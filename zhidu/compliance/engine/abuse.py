"""Offensive-language classifier: logistic regression over character unigram and bigram counts.

Trained by `scripts/train_abuse.py` on the COLD train split (Apache-2.0, see data/LICENSE.COLD and
data/NOTICE) and shipped as data/abuse_model.json.gz ({n-gram: weight}); loading needs nothing
outside the package. Features are counted on NORMALISED text (normalize.py).

Scoring is vectorised over a whole chunk: the chunk's code points give one exact key per n-gram
(unigram = code point, bigram = c1<<21|c2); unigram weights come from a per-code-point table,
bigram weights from a cuckoo hash table (every key sits in one of its two slots, so a lookup is two
numpy gathers and compares). Per message the logit is bias + the sum over n-grams starting inside
it (cumulative sums), so every message of a chunk is scored in a dozen numpy operations. `logit()`
scores one text with a plain dict and gives the same numbers (tests check this). Trigrams were
dropped: on COLD dev they changed F1 by less than 0.005 and doubled the scoring cost.

In the engine the model is the "abuse_model" detector; it reports messages whose probability is at
least ENGINE_THRESHOLD, stricter than the 0.5 used on COLD because sales chats are far from COLD's
topics and a false alarm costs a reviewer's time. The threshold is chosen on generated sales chats,
not on COLD: the lowest value on a 0.05 grid that stays at least SALES_MARGIN above the highest
probability of any non-abusive staff message in a 450k-record `generate_messages` sample (0.674, a
"偷偷告诉你，这款成本价才66元" price leak), i.e. 0.75; `bench/eval_abuse.py` re-measures that sample
(see docs/benchmarks.md).
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Iterable
from functools import cache
from itertools import repeat
from pathlib import Path

import numpy as np

from .cuckoo import CuckooTable, all_ngrams, gram_key
from .detect import Detector, Hit
from .normalize import Chunk, normalize_many

MODEL_PATH = Path(__file__).resolve().parent / "data" / "abuse_model.json.gz"
NGRAM_MAX = 2
ENGINE_THRESHOLD = 0.75
SALES_MARGIN = 0.05


def ngrams(text: str, n_max: int = NGRAM_MAX) -> list[str]:
    """All character n-grams (1..n_max) of `text`, with repetitions."""
    return all_ngrams(text, n_max)


_key = gram_key


class AbuseModel:
    def __init__(self, weights: dict[str, float], bias: float, threshold: float = 0.5) -> None:
        self.weights = weights
        self.bias = bias
        self.threshold = threshold  # probability
        self._logit_threshold = math.log(threshold / (1 - threshold))
        self._uni = np.zeros(0x110000, dtype=np.float64)
        multi_keys: list[int] = []
        multi_w: list[float] = []
        for g, w in weights.items():
            if len(g) == 1:
                self._uni[ord(g)] = w
            elif len(g) == 2:
                multi_keys.append(_key(g))
                multi_w.append(w)
        keys = np.array(multi_keys, dtype=np.uint64)
        self._table = CuckooTable(keys, np.array(multi_w, dtype=np.float64), name="abuse model")

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> AbuseModel:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            data = json.load(fh)
        return cls(data["weights"], data["bias"], data["threshold"])

    # --- one text (plain Python, the reference) ----------------------------------------------

    def logit(self, norm_text: str) -> float:
        """Decision value for an already normalised text."""
        get = self.weights.get
        t = norm_text
        z = self.bias + sum(map(get, t, repeat(0.0)))
        if len(t) > 1:
            z += sum(map(get, [t[i : i + 2] for i in range(len(t) - 1)], repeat(0.0)))
        return z

    def probability(self, norm_text: str) -> float:
        return _sigmoid(self.logit(norm_text))

    def is_abusive(self, norm_text: str) -> bool:
        return self.logit(norm_text) >= self._logit_threshold

    def strongest_span(self, norm_text: str) -> tuple[int, int]:
        """Span of the n-gram that pushes hardest towards "offensive" (evidence highlight)."""
        best = (0.0, 0, len(norm_text))
        w = self.weights
        for n in range(NGRAM_MAX, 0, -1):
            for i in range(len(norm_text) - n + 1):
                v = w.get(norm_text[i : i + n], 0.0)
                if v > best[0]:
                    best = (v, i, i + n)
        return best[1], best[2]

    # --- whole chunks (vectorised) -----------------------------------------------------------

    def _lookup(self, keys: np.ndarray) -> np.ndarray:
        return self._table.lookup(keys)

    def chunk_logits(self, chunk: Chunk) -> np.ndarray:
        """Logit of every text of a normalised chunk."""
        c = chunk.codes.astype(np.uint64)
        n = c.shape[0]
        contrib = self._uni[chunk.codes]
        if n > 1:
            contrib[:-1] += self._lookup((c[:-1] << np.uint64(21)) | c[1:])
        cs = np.zeros(n + 1)
        np.cumsum(contrib, out=cs[1:])
        # n-grams that start inside a text but run past its end contain the NUL separator → weight 0
        return self.bias + cs[chunk.ends_array] - cs[chunk.starts_array]

    def predict(self, texts: Iterable[str], chunk_size: int = 4000) -> np.ndarray:
        """Probabilities for raw texts (normalised here)."""
        items = list(texts)
        out = [self.chunk_logits(normalize_many(items[k : k + chunk_size])) for k in range(0, len(items), chunk_size)]
        z = np.concatenate(out) if out else np.zeros(0)
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def _sigmoid(z: float) -> float:
    if z < -30:
        return 0.0
    return 1.0 / (1.0 + math.exp(-z))


@cache
def load_model() -> AbuseModel:
    return AbuseModel.load()


def _chunk_check(chunk: Chunk) -> dict[int, list[Hit]]:
    model = load_model()
    z = model.chunk_logits(chunk)
    cut = math.log(ENGINE_THRESHOLD / (1 - ENGINE_THRESHOLD))
    out: dict[int, list[Hit]] = {}
    for i in np.flatnonzero(z >= cut).tolist():
        text = chunk.message_text(i)
        s, e = model.strongest_span(text)
        out[i] = [Hit(s, e, "abuse_model", round(_sigmoid(float(z[i])), 4), text[s:e])]
    return out


@cache
def abuse_detector() -> Detector:
    load_model()
    return Detector("abuse_model", chunk_check=_chunk_check, description="offensive-language classifier (COLD)")
