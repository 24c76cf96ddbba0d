"""A cuckoo hash table of n-gram keys (uint64) to values, looked up for whole arrays of keys at once.

Every key sits in one of its two slots (two multiplicative hashes), so a lookup is two numpy gathers and
compares. Key 0 marks an empty slot (no n-gram starts with NUL). Used by the offensive-language model
(abuse.py: key → weight) and the category classifier (category_model.py: key → weight row).
"""

from __future__ import annotations

import numpy as np

MUL = np.uint64(0x9E3779B97F4A7C15)
MUL2 = np.uint64(0xC2B2AE3D27D4EB4F)
TABLE_BITS = 12  # minimum size of the table (log2)
SLOTS_PER_KEY = 4  # cuckoo hashing needs < 50 % load
MAX_KICKS = 500


class CuckooTable:
    def __init__(self, keys: np.ndarray, values: np.ndarray, *, name: str) -> None:
        bits = max(TABLE_BITS, int(len(keys) * SLOTS_PER_KEY).bit_length())
        self._shift = np.uint64(64 - bits)
        h1 = ((keys * MUL) >> self._shift).tolist()
        h2 = ((keys * MUL2) >> self._shift).tolist()
        slot_of: dict[int, int] = {}  # slot -> index of the key stored there
        for i in range(len(keys)):
            cur, slot = i, h1[i]
            for _ in range(MAX_KICKS):
                if slot not in slot_of:
                    slot_of[slot] = cur
                    break
                slot_of[slot], cur = cur, slot_of[slot]
                slot = h2[cur] if slot == h1[cur] else h1[cur]
            else:  # pragma: no cover - needs a pathological table
                raise RuntimeError(f"{name}: hash table too full")
        idx = np.fromiter(slot_of.keys(), dtype=np.intp, count=len(slot_of))
        who = np.fromiter(slot_of.values(), dtype=np.intp, count=len(slot_of))
        self.keys = np.zeros(1 << bits, dtype=np.uint64)
        self.values = np.zeros(1 << bits, dtype=values.dtype)
        self.keys[idx] = keys[who]
        self.values[idx] = values[who]

    def lookup(self, keys: np.ndarray) -> np.ndarray:
        """The value of every key (0 for a key not in the table)."""
        s1 = ((keys * MUL) >> self._shift).astype(np.intp)
        s2 = ((keys * MUL2) >> self._shift).astype(np.intp)
        out = np.where(self.keys[s1] == keys, self.values[s1], 0)
        return np.where(self.keys[s2] == keys, self.values[s2], out)  # a key is in at most one slot


def all_ngrams(text: str, n_max: int) -> list[str]:
    """All character n-grams (1..n_max) of `text`, with repetitions."""
    out = list(text)
    for n in range(2, n_max + 1):
        out.extend(text[i : i + n] for i in range(len(text) - n + 1))
    return out


def gram_key(gram: str) -> int:
    """The exact table key of an n-gram of up to three characters: its code points, 21 bits each."""
    k = 0
    for ch in gram:
        k = (k << 21) | ord(ch)
    return k
