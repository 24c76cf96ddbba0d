"""Text normalisation with an offset map back to the original string.

Steps (all table- or array-driven; nothing calls `unicodedata` or OpenCC per message):
  1. one code point → one code point table (data/normalize_table.tsv, built by `tables.py`):
     NFKC single-character forms (full-width → half-width, ① → 1), lower case, traditional →
     simplified, extra digit/letter disguises;
  2. removal of zero-width and formatting characters anywhere;
  3. removal of separator runs between two CJK characters (微 信, 微-信, 微.信 → 微信);
  4. Chinese numerals inside number runs of at least four characters become digits
     (一三八一二三四 → 1381234; 幺 counts as 1); this step is 1:1 and keeps offsets.

A batch of texts is normalised at once: the texts are joined with NUL, turned into a numpy
array of code points, mapped through a lookup table, and decoded back. `Chunk` keeps the
deleted positions so that a span of the normalised text maps back to the original text.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SEP = "\x00"
_DATA = Path(__file__).resolve().parent / "data"
_MAX_CP = 0x110000

ZERO_WIDTH = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f"
    "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u206a\u206b\u206c\u206d\u206e\u206f"
    "\u3164\ufeff\uffa0" + "".join(chr(c) for c in range(0xFE00, 0xFE10))
)
# Separators removed when they stand between two CJK characters (after table mapping).
SEPARATORS = " \t-_.·•・*/\\|~+=#^`'\"丶°"
CN_DIGITS = {"零": "0", "一": "1", "二": "2", "三": "3", "四": "4", "五": "5", "六": "6", "七": "7", "八": "8"}
CN_DIGITS.update({"九": "9", "幺": "1", "壹": "1", "贰": "2", "叁": "3", "肆": "4", "伍": "5", "陆": "6", "柒": "7"})
CN_DIGITS.update({"捌": "8", "玖": "9"})
MIN_NUMERAL_RUN = 4


def _load_table() -> dict[int, int]:
    table: dict[int, int] = {}
    for line in (_DATA / "normalize_table.tsv").read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        src, dst = line.split("\t")
        table[int(src, 16)] = int(dst, 16)
    return table


TABLE: dict[int, int] = _load_table()

_LUT = np.arange(_MAX_CP, dtype=np.uint32)
_LUT[np.fromiter(TABLE.keys(), dtype=np.uint32)] = np.fromiter(TABLE.values(), dtype=np.uint32)
_LUT.flags.writeable = False


def _mask(chars: str) -> np.ndarray:
    m = np.zeros(_MAX_CP, dtype=bool)
    m[[ord(c) for c in chars]] = True
    return m


_DELETE = _mask(ZERO_WIDTH)
_SEPLIKE = _mask(SEPARATORS) | _DELETE
_CJK = np.zeros(_MAX_CP, dtype=bool)
for _lo, _hi in ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F)):
    _CJK[_lo : _hi + 1] = True
_NUMERAL = _mask("".join(CN_DIGITS))
_DIGNUM = _NUMERAL | _mask("0123456789")
_NUMERAL_VALUE = {ord(k): ord(v) for k, v in CN_DIGITS.items()}
# the five classes above as bits of one table, so that a chunk needs a single gather
_F_DELETE, _F_SEPLIKE, _F_CJK, _F_NUMERAL, _F_DIGNUM = 1, 2, 4, 8, 16
_FLAGS = (
    _DELETE * _F_DELETE + _SEPLIKE * _F_SEPLIKE + _CJK * _F_CJK + _NUMERAL * _F_NUMERAL + _DIGNUM * _F_DIGNUM
).astype(np.uint8)
_FLAGS.flags.writeable = False


@dataclass(slots=True)
class Chunk:
    """A batch of texts normalised together.

    `text` is the normalised texts joined with NUL; `starts[i]`/`ends[i]` delimit text i in it.
    `orig_starts[i]` is where text i starts in the original joined string. `deleted` holds, in
    normalised coordinates, one entry per removed character (sorted), so that
    orig = pos + bisect_right(deleted, pos).
    """

    text: str
    starts: list[int]
    ends: list[int]
    orig_starts: list[int]
    deleted: list[int]
    codes: np.ndarray  # code points of `text` (uint32)
    starts_array: np.ndarray  # `starts` and `ends` as numpy arrays
    ends_array: np.ndarray

    def locate(self, pos: int) -> int:
        """Index of the text that contains normalised position `pos`."""
        return bisect_right(self.starts, pos) - 1

    def to_original(self, index: int, start: int, end: int) -> tuple[int, int]:
        """Map a span of the joined normalised text inside text `index` to offsets in the original text."""
        deleted = self.deleted
        if not deleted:
            base = self.orig_starts[index]
            return start - base, end - base
        o_start = start + bisect_right(deleted, start)
        last = end - 1
        o_end = last + bisect_right(deleted, last) + 1 if end > start else o_start
        base = self.orig_starts[index]
        return o_start - base, o_end - base

    def message_text(self, index: int) -> str:
        return self.text[self.starts[index] : self.ends[index]]


def _numeral_runs(arr: np.ndarray, flags: np.ndarray) -> None:
    """Turn Chinese numerals into digits inside runs of ≥ 4 digits/numerals (in place); `flags`
    holds the _FLAGS of `arr`."""
    n = arr.shape[0]
    if n < MIN_NUMERAL_RUN:
        return
    num = (flags & _F_NUMERAL) != 0
    if not num.any():
        return
    dn = (flags & _F_DIGNUM) != 0
    win = dn[:-3] & dn[1:-2] & dn[2:-1] & dn[3:]
    has = num[:-3] | num[1:-2] | num[2:-1] | num[3:]
    cands = np.flatnonzero(win & has)
    if not cands.size:
        return
    done = -1
    values = _NUMERAL_VALUE
    for c in cands.tolist():
        if c < done:
            continue
        s = c
        while s > 0 and dn[s - 1]:
            s -= 1
        e = c + 4
        while e < n and dn[e]:
            e += 1
        for i in range(s, e):
            v = values.get(int(arr[i]))
            if v is not None:
                arr[i] = v
        done = e


def _deletions(arr: np.ndarray, flags: np.ndarray) -> np.ndarray | None:
    """Boolean mask of characters to delete, or None when there are none."""
    dele = (flags & _F_DELETE) != 0
    any_del = bool(dele.any())
    seplike = (flags & _F_SEPLIKE) != 0
    cjk = (flags & _F_CJK) != 0
    # separator runs that start right after a CJK character
    cands = np.flatnonzero(seplike[1:] & cjk[:-1])
    if not cands.size:
        return dele if any_del else None
    n = arr.shape[0]
    mask = dele if any_del else np.zeros(n, dtype=bool)
    found = any_del
    for c in cands.tolist():
        s = c + 1
        e = s
        while e < n and seplike[e]:
            e += 1
        if e < n and cjk[e]:
            mask[s:e] = True
            found = True
    return mask if found else None


def normalize_many(texts: Sequence[str]) -> Chunk:
    """Normalise a batch of texts (fast path used by the engine)."""
    joined = SEP.join(texts)
    lens = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)) + 1
    o = np.zeros(len(texts), dtype=np.int64)
    np.cumsum(lens[:-1], out=o[1:])
    orig_starts: list[int] = o.tolist()
    if not joined:
        return Chunk("", list(orig_starts), list(orig_starts), orig_starts, [], np.zeros(0, dtype=np.uint32), o, o)
    arr = _LUT[np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)]
    flags = _FLAGS[arr]
    mask = _deletions(arr, flags)
    deleted: list[int] = []
    if mask is None:
        starts = orig_starts
    else:
        del_pos = np.flatnonzero(mask)
        keep = ~mask
        arr = arr[keep]
        flags = flags[keep]
        # positions in normalised coordinates: d_k - k
        deleted = (del_pos - np.arange(del_pos.shape[0])).tolist()
        o = o - np.searchsorted(del_pos, o, side="left")
        starts = o.tolist()
    _numeral_runs(arr, flags)
    text = arr.tobytes().decode("utf-32-le", "surrogatepass")
    e = np.empty_like(o)
    e[:-1] = o[1:] - 1
    e[-1] = len(text)
    return Chunk(text, starts, e.tolist(), orig_starts, deleted, arr, o, e)


@dataclass(frozen=True, slots=True)
class Normalized:
    original: str
    text: str
    _chunk: Chunk

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of the normalised text to a span of the original text."""
        return self._chunk.to_original(0, start, end)


def normalize(text: str) -> Normalized:
    """Normalise one text; `.text` is the normalised string, `.to_original()` maps spans back."""
    chunk = normalize_many([text])
    return Normalized(text, chunk.text, chunk)


def normalize_text(text: str) -> str:
    """Normalised form of `text` (used for terms, allow phrases and detector triggers)."""
    return normalize_many([text]).text
