"""Multi-literal matching: one automaton per rule set, built once, run over whole chunks.

`Matcher.find(text)` returns every occurrence (overlapping) of every literal as
`(literal_index, start, end)` in character offsets of `text`.

Backends:
  * "ahocorasick" — ahocorasick-rs (a required dependency), the default;
  * "hyperscan" — optional (`pip install hyperscan`), scans UTF-8 bytes; offsets are converted
    back to characters with numpy. See docs/benchmarks.md for why the default is what it is.

`required_literals(pattern)` extracts literals that every match of a regular expression must
contain, so that a pattern only runs on texts where the automaton saw one of them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import ahocorasick_rs
import numpy as np

_hyperscan: Any
try:  # pragma: no cover - depends on the environment
    import hyperscan as _hyperscan
except ImportError:  # pragma: no cover
    _hyperscan = None

try:
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_parse as _sre_parse  # type: ignore[no-redef]

BACKENDS = ("ahocorasick", "hyperscan")
DEFAULT_BACKEND = "ahocorasick"


def hyperscan_available() -> bool:
    return _hyperscan is not None


class Matcher:
    """Finds all (overlapping) occurrences of a fixed list of literals."""

    backend = "ahocorasick"

    def __init__(self, literals: Sequence[str]) -> None:
        self.literals = list(literals)
        self._ac = (
            ahocorasick_rs.AhoCorasick(self.literals, matchkind=ahocorasick_rs.MatchKind.Standard)
            if self.literals
            else None
        )

    def find(self, text: str) -> list[tuple[int, int, int]]:
        if self._ac is None:
            return []
        return self._ac.find_matches_as_indexes(text, overlapping=True)


class HyperscanMatcher(Matcher):
    """Same contract as Matcher, backed by Intel Hyperscan (optional dependency)."""

    backend = "hyperscan"

    def __init__(self, literals: Sequence[str]) -> None:
        if _hyperscan is None:
            raise RuntimeError("hyperscan is not installed")
        self.literals = list(literals)
        self._ac = None
        self._lens = [len(lit.encode("utf-8")) for lit in self.literals]
        self._db: Any = None
        if self.literals:
            self._db = _hyperscan.Database(mode=_hyperscan.HS_MODE_BLOCK)
            self._db.compile(
                expressions=[lit.encode("utf-8") for lit in self.literals],
                ids=list(range(len(self.literals))),
                elements=len(self.literals),
                flags=0,
                literal=True,
            )
            self._scratch = _hyperscan.Scratch(self._db)

    def find(self, text: str) -> list[tuple[int, int, int]]:
        if self._db is None:
            return []
        hits: list[tuple[int, int]] = []
        append = hits.append

        def on_match(pid: int, _from: int, to: int, _flags: int, _ctx: object) -> None:
            append((pid, to))

        data = text.encode("utf-8")
        self._db.scan(data, match_event_handler=on_match, scratch=self._scratch)
        if not hits:
            return []
        if len(data) == len(text):  # ASCII only: bytes are characters
            lens = self._lens
            return [(pid, to - lens[pid], to) for pid, to in hits]
        cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        width = 1 + (cps >= 0x80).astype(np.int64) + (cps >= 0x800) + (cps >= 0x10000)
        ends = np.cumsum(width)  # byte offset just after each character
        pids = np.fromiter((h[0] for h in hits), dtype=np.int64, count=len(hits))
        tos = np.fromiter((h[1] for h in hits), dtype=np.int64, count=len(hits))
        blen = np.asarray(self._lens, dtype=np.int64)[pids]
        char_end = np.searchsorted(ends, tos, side="left") + 1
        char_start = np.searchsorted(ends, tos - blen, side="right")
        return list(zip(pids.tolist(), char_start.tolist(), char_end.tolist(), strict=True))


def build_matcher(literals: Sequence[str], backend: str = "auto") -> Matcher:
    if backend == "auto":
        backend = DEFAULT_BACKEND
    if backend == "hyperscan":
        return HyperscanMatcher(literals)
    if backend != "ahocorasick":
        raise ValueError(f"unknown matcher backend {backend!r}")
    return Matcher(literals)


# --- literals required by a regular expression -------------------------------------------------


def _best(cands: list[frozenset[str]]) -> frozenset[str] | None:
    if not cands:
        return None
    return max(cands, key=lambda c: (min(len(s) for s in c), -len(c)))


def _candidates(items: Any) -> list[frozenset[str]]:
    c = _sre_parse
    out: list[frozenset[str]] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            out.append(frozenset(["".join(run)]))
            run.clear()

    for op, av in items:
        if op is c.LITERAL:
            run.append(chr(av))
            continue
        flush()
        if op is c.SUBPATTERN:
            out.extend(_candidates(av[-1]))
        elif op is c.BRANCH:
            alts: set[str] = set()
            ok = True
            for alt in av[1]:
                best = _best(_candidates(alt))
                if best is None:
                    ok = False
                    break
                alts |= best
            if ok and alts:
                out.append(frozenset(alts))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
            lo, _hi, sub = av
            if lo >= 1:
                out.extend(_candidates(sub))
        elif op is getattr(c, "ATOMIC_GROUP", None):
            out.extend(_candidates(av))
    flush()
    return out


def required_literals(pattern: str) -> frozenset[str] | None:
    """Literals of which every match of `pattern` contains at least one, or None if unknown."""
    try:
        parsed = _sre_parse.parse(pattern)
    except (re.error, RecursionError):
        return None
    if parsed.state.flags & re.IGNORECASE:
        cands = [frozenset(s.lower() for s in c) for c in _candidates(parsed)]
    else:
        cands = _candidates(parsed)
    return _best(cands)
