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
    """Times and keys of the newest messages of a sender (text) in a room, at most `threshold` of them."""

    __slots__ = ("above", "keys", "times")

    def __init__(self, ms: int, key: str) -> None:
        self.times = [ms]
        self.keys = [key]
        self.above = False


NORM_CACHE_MAX = 65_536


class FloodDetector:
    """Streaming flood and repeat detection; see the module docstring for the burst rule."""

    def __init__(self, *, flood_messages: int, flood_seconds: int, repeat_messages: int, repeat_seconds: int) -> None:
        if min(flood_messages, repeat_messages) < 2 or min(flood_seconds, repeat_seconds) < 1:
            raise ValueError("thresholds: at least 2 messages and 1 second")
        self.flood_messages, self.flood_seconds = flood_messages, flood_seconds
        self.repeat_messages, self.repeat_seconds = repeat_messages, repeat_seconds
        self._flood_ms, self._repeat_ms = flood_seconds * 1000, repeat_seconds * 1000
        self._senders: dict[tuple[str, str], _Track] = {}
        self._texts: dict[tuple[str, str, str], _Track | tuple[int, str]] = {}
        self._norm: dict[str, str] = {}  # chat texts repeat a lot ("收到", "好的"): normalise each once
        self._fed = 0
        self._next_sweep = SWEEP_EVERY
        self._now = 0

    @property
    def lookback_ms(self) -> int:
        """How far before a batch's first message a rebuild must start feeding for exact results."""
        return 2 * max(self._flood_ms, self._repeat_ms)

    def tracked(self) -> int:
        """Live (sender, room) and (sender, room, text) tracks (memory follows this)."""
        return len(self._senders) + len(self._texts)

    def feed(self, room: str, sender: str, side: str, msgtime_ms: int, text: str, key: str = "") -> tuple[Burst, ...]:
        """One message (in time order); the bursts it starts: none, a flood and/or a repeat."""
        if msgtime_ms > self._now:
            self._now = msgtime_ms
        self._fed += 1
        if self._fed >= self._next_sweep:
            self._sweep()
        out: tuple[Burst, ...] = ()
        skey = (room, sender)
        track = self._senders.get(skey)
        if track is None:  # one message never reaches a threshold (≥ 2)
            self._senders[skey] = _Track(msgtime_ms, key)
        elif _step(track, msgtime_ms, key, self._flood_ms, self.flood_messages):
            out = (_burst(FLOOD, room, sender, side, track, self.flood_seconds, ""),)
        if text:
            norm = self._norm.get(text)
            if norm is None:
                norm = normalize_repeat(text)
                if len(self._norm) >= NORM_CACHE_MAX:
                    self._norm.clear()
                self._norm[text] = norm
            if norm:
                tkey = (room, sender, norm)
                seen = self._texts.get(tkey)
                if seen is None:  # most texts are sent once: a (time, key) pair until they come again
                    self._texts[tkey] = (msgtime_ms, key)
                else:
                    track = seen if isinstance(seen, _Track) else _Track(seen[0], seen[1])
                    if track is not seen:
                        self._texts[tkey] = track
                    if _step(track, msgtime_ms, key, self._repeat_ms, self.repeat_messages):
                        out = (*out, _burst(REPEAT, room, sender, side, track, self.repeat_seconds, norm))
        return out

    def _sweep(self) -> None:
        """Forget tracks whose newest message is older than their window (their next message starts afresh).
        The next sweep waits for as many messages as there are tracks left, so sweeping costs O(1) a message."""
        floor = self._now - self._flood_ms
        self._senders = {k: t for k, t in self._senders.items() if t.times[-1] >= floor}
        floor = self._now - self._repeat_ms
        self._texts = {
            k: t for k, t in self._texts.items() if (t.times[-1] if isinstance(t, _Track) else t[0]) >= floor
        }
        self._next_sweep = self._fed + max(SWEEP_EVERY, len(self._senders) + len(self._texts))


def _step(track: _Track, ms: int, key: str, window_ms: int, threshold: int) -> bool:
    """Add a message to a track; True when it starts a burst (see the module docstring)."""
    times, keys = track.times, track.keys
    times.append(ms)
    keys.append(key)
    if len(times) > threshold:  # older entries cannot change the decision
        del times[0], keys[0]
    floor = ms - window_ms
    while times[0] < floor:
        del times[0], keys[0]
    if len(times) >= threshold:
        if track.above:
            return False
        track.above = True
        return True
    track.above = False
    return False


def _burst(kind: str, room: str, sender: str, side: str, track: _Track, seconds: int, text: str) -> Burst:
    times = track.times
    return Burst(
        kind=kind,
        room=room,
        sender=sender,
        side=side,
        count=len(times),
        window_seconds=seconds,
        span_ms=times[-1] - times[0],
        first_key=track.keys[0],
        last_key=track.keys[-1],
        first_ms=times[0],
        last_ms=times[-1],
        text=text,
    )
