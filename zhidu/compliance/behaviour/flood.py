"""Flooding and repeated messages in groups: a pure streaming detector (no database, no Django).

Fed one message at a time in time order (`FloodDetector.feed`), it keeps, per room and sender, the times of their
messages in the last `flood_seconds` and, per room, sender and normalised text, the times of that text in the last
`repeat_seconds`. Two findings:

* **flood** — `flood_messages` messages of one sender in one room within `flood_seconds` (first to last,
  inclusive: k messages whose first and last are exactly t seconds apart count);
* **repeat** — the same text (after `normalize_repeat`: NFKC width folding, case folding, whitespace removed)
  `repeat_messages` times within `repeat_seconds`.

**Once per burst.** A burst starts at the message that brings the count in the trailing window to the threshold
and fires there, once. It goes on while every further message of that sender (text) still has at least the
threshold in its own trailing window, and ends at the first message that has fewer; only then can a new burst fire.
So a sender who keeps flooding at the same pace is reported once, and a new flood after a pause again.

That state depends only on the messages of the last two windows (the count at a message and at the previous one),
so a caller that cannot keep the detector alive between batches rebuilds it exactly by feeding the messages of the
two windows before its batch first (`FloodDetector.lookback_ms`) and keeping only the findings it reports on the
batch's own messages. Idle keys are swept as time moves on, so memory follows the active senders, not history.
"""

from __future__ import annotations

import unicodedata
from collections import deque
from dataclasses import dataclass

FLOOD, REPEAT = "flood", "repeat"
SWEEP_EVERY = 8192  # messages between sweeps of idle senders


def normalize_repeat(text: str) -> str:
    """The text a repeat is compared by: full/half width and case folded, all whitespace removed."""
    if text.isascii():
        return "".join(text.lower().split())
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


@dataclass(frozen=True, slots=True)
class Burst:
    """One burst: `count` messages of `sender` in `room` within `span_ms` (from `first_key` to `last_key`, the
    message that made it a burst). `text` is the repeated normalised text (repeats only)."""

    kind: str
    room: str
    sender: str
    side: str
    count: int
    window_seconds: int
    span_ms: int
    first_key: str
    last_key: str
    first_ms: int
    last_ms: int
    text: str = ""


class _Track:
    __slots__ = ("above", "keys", "times")

    def __init__(self) -> None:
        self.times: deque[int] = deque()
        self.keys: deque[str] = deque()
        self.above = False


class FloodDetector:
    """Streaming flood and repeat detection; see the module docstring for the burst rule."""

    def __init__(self, *, flood_messages: int, flood_seconds: int, repeat_messages: int, repeat_seconds: int) -> None:
        if min(flood_messages, repeat_messages) < 2 or min(flood_seconds, repeat_seconds) < 1:
            raise ValueError("thresholds: at least 2 messages and 1 second")
        self.flood_messages, self.flood_seconds = flood_messages, flood_seconds
        self.repeat_messages, self.repeat_seconds = repeat_messages, repeat_seconds
        self._flood_ms, self._repeat_ms = flood_seconds * 1000, repeat_seconds * 1000
        self._senders: dict[tuple[str, str], _Track] = {}
        self._texts: dict[tuple[str, str, str], _Track] = {}
        self._fed = 0
        self._now = 0

    @property
    def lookback_ms(self) -> int:
        """How far before a batch's first message a rebuild must start feeding for exact results."""
        return 2 * max(self._flood_ms, self._repeat_ms)

    def tracked(self) -> int:
        """Live (sender, room) and (sender, room, text) tracks (memory follows this)."""
        return len(self._senders) + len(self._texts)

    def feed(self, room: str, sender: str, side: str, msgtime_ms: int, text: str, key: str = "") -> list[Burst]:
        """One message (in time order); the bursts it starts (none, or a flood and/or a repeat)."""
        out: list[Burst] = []
        if msgtime_ms > self._now:
            self._now = msgtime_ms
        self._fed += 1
        if self._fed % SWEEP_EVERY == 0:
            self._sweep()
        skey = (room, sender)
        track = self._senders.get(skey)
        if track is None:
            track = self._senders[skey] = _Track()
        burst = self._step(track, msgtime_ms, key, self._flood_ms, self.flood_messages)
        if burst:
            out.append(self._burst(FLOOD, room, sender, side, track, self.flood_seconds, ""))
        norm = normalize_repeat(text) if text else ""
        if norm:
            tkey = (room, sender, norm)
            track = self._texts.get(tkey)
            if track is None:
                track = self._texts[tkey] = _Track()
            if self._step(track, msgtime_ms, key, self._repeat_ms, self.repeat_messages):
                out.append(self._burst(REPEAT, room, sender, side, track, self.repeat_seconds, norm))
        return out

    @staticmethod
    def _step(track: _Track, ms: int, key: str, window_ms: int, threshold: int) -> bool:
        times, keys = track.times, track.keys
        times.append(ms)
        keys.append(key)
        floor = ms - window_ms
        while times[0] < floor:
            times.popleft()
            keys.popleft()
        # the window never needs more than `threshold` entries: older ones cannot change the decision
        while len(times) > threshold:
            times.popleft()
            keys.popleft()
        if len(times) >= threshold:
            if track.above:
                return False
            track.above = True
            return True
        track.above = False
        return False

    @staticmethod
    def _burst(kind: str, room: str, sender: str, side: str, track: _Track, seconds: int, text: str) -> Burst:
        return Burst(
            kind=kind,
            room=room,
            sender=sender,
            side=side,
            count=len(track.times),
            window_seconds=seconds,
            span_ms=track.times[-1] - track.times[0],
            first_key=track.keys[0],
            last_key=track.keys[-1],
            first_ms=track.times[0],
            last_ms=track.times[-1],
            text=text,
        )

    def _sweep(self) -> None:
        """Forget tracks whose newest message is older than their window (their next message starts afresh)."""
        floor = self._now - self._flood_ms
        self._senders = {k: t for k, t in self._senders.items() if t.times[-1] >= floor}
        floor = self._now - self._repeat_ms
        self._texts = {k: t for k, t in self._texts.items() if t.times[-1] >= floor}
