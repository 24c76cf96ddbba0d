"""Shared pieces of the detectors: hits, detector descriptions, and the clause helpers every
trigger detector uses (negation, ASCII word boundaries, plain phrase checks)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..normalize import Chunk

# --- hits and detector descriptions ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Hit:
    """A detector hit in normalised coordinates of one message."""

    start: int
    end: int
    detector: str
    confidence: float
    value: str = ""


TriggerCheck = Callable[[str, Sequence[tuple[int, int, int]]], list[Hit]]
ChunkCheck = Callable[[Chunk], dict[int, list[Hit]]]


@dataclass(frozen=True, slots=True)
class Detector:
    """`triggers` and `exclude` are literals in normalised form. `check(text, occurrences)` gets
    the message text and the (literal_index, start, end) occurrences of its literals, where
    literal_index < len(triggers) means a trigger and the rest are exclusions. A detector with
    `digit_runs` gets the shared digit-run regex; one with `chunk_check` sees whole chunks."""

    name: str
    triggers: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    check: TriggerCheck | None = None
    digit_runs: bool = False
    chunk_check: ChunkCheck | None = None  # looks at every message of a chunk at once (vectorised)
    description: str = ""


# --- helpers for trigger detectors -------------------------------------------------------------

NEGATIONS = (
    "不要",
    "请勿",
    "切勿",
    "不能",
    "禁止",
    "不得",
    "别加",
    "别转",
    "别私",
    "别发",
    "勿加",
    "勿转",
    "谨防",
    "严禁",
    "不会",
    "不用",
    "不可",
    "防止",
    "不允许",
    "不接受",
)
_CLAUSE_END = re.compile(r".*[,.!?;。！？；\n]")


def negated(text: str, start: int, window: int = 6) -> bool:
    """True when a negation stands in the same clause within `window` characters before `start`."""
    head = text[max(0, start - window) : start]
    m = _CLAUSE_END.match(head)
    if m:
        head = head[m.end() :]
    return any(n in head for n in NEGATIONS)


def is_word_char(ch: str) -> bool:
    """ASCII letter, digit or underscore."""
    return ch.isascii() and (ch.isalnum() or ch == "_")


def boundary_ok(text: str, start: int, end: int, literal: str) -> bool:
    """ASCII ends of a literal must not run into ASCII letters (sb ≠ usb, 加v ≠ 加vip)."""
    if is_word_char(literal[0]) and start > 0 and is_word_char(text[start - 1]):
        return False
    if is_word_char(literal[-1]) and end < len(text):
        after = text[end]
        if after.isascii() and (after.isalpha() or after == "_"):
            return False
    return True


def _phrase_check(
    name: str, triggers: tuple[str, ...], confidence: float, *, use_negation: bool = True
) -> TriggerCheck:
    n_trig = len(triggers)

    def check(text: str, occ: Sequence[tuple[int, int, int]]) -> list[Hit]:
        excl = [(s, e) for i, s, e in occ if i >= n_trig]
        hits = []
        for i, s, e in occ:
            if i >= n_trig:
                continue
            if not boundary_ok(text, s, e, triggers[i]):
                continue
            if any(xs < e and s < xe for xs, xe in excl):
                continue
            if use_negation and negated(text, s):
                continue
            hits.append(Hit(s, e, name, confidence, text[s:e]))
        return hits

    return check
