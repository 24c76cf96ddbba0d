"""The pure flood/repeat detector: window edges, once per burst, repeats through width and space variants,
rebuilding from a lookback, and sweeping idle senders."""

from __future__ import annotations

import pytest

from zhidu.compliance.behaviour.flood import FLOOD, REPEAT, FloodDetector, normalize_repeat


def detector(k: int = 5, t: int = 10, r: int = 3, s: int = 60) -> FloodDetector:
    return FloodDetector(flood_messages=k, flood_seconds=t, repeat_messages=r, repeat_seconds=s)


def feed_all(d: FloodDetector, msgs, room: str = "R1", sender: str = "zhangsan"):
    out = []
    for i, (ms, text) in enumerate(msgs):
        out.extend(d.feed(room, sender, "staff", ms, text, f"m{i}"))
    return out


def distinct(n: int, start: int = 0, step_ms: int = 1000):
    return [(start + i * step_ms, f"第{i}条") for i in range(n)]


def test_exactly_k_messages_in_t_seconds_is_a_flood():
    # 5 messages, first to last exactly 10 s apart (inclusive window)
    bursts = feed_all(detector(), distinct(5, step_ms=2500))
    assert [(b.kind, b.count, b.first_key, b.last_key, b.span_ms) for b in bursts] == [(FLOOD, 5, "m0", "m4", 10_000)]


def test_k_minus_one_or_a_millisecond_too_slow_is_not():
    assert feed_all(detector(), distinct(4, step_ms=100)) == []
    assert feed_all(detector(), distinct(5, step_ms=2501)) == []


def test_fires_once_per_burst_and_again_after_a_pause():
    d = detector()
    first = feed_all(d, distinct(30, step_ms=500))  # 30 messages at 2/s: one burst, not 26
    assert [b.last_key for b in first] == ["m4"]
    # a pause long enough for the window to empty, then a new flood: a second burst
    later = [(60_000 + i * 500, f"又一条{i}") for i in range(6)]
    second = [b for i, (ms, t) in enumerate(later) for b in d.feed("R1", "zhangsan", "staff", ms, t, f"n{i}")]
    assert [b.last_key for b in second] == ["n4"]


def test_senders_and_rooms_are_counted_apart():
    d = detector()
    out = []
    for i in range(8):
        out += d.feed("R1", "a", "staff", i * 100, f"x{i}", f"a{i}")
        out += d.feed("R2", "a", "staff", i * 100, f"y{i}", f"b{i}")
        out += d.feed("R1", "b", "staff", i * 100, f"z{i}", f"c{i}") if i < 4 else []
    assert sorted(b.last_key for b in out) == ["a4", "b4"]


def test_repeats_through_width_case_and_whitespace_variants():
    d = detector(k=50)
    texts = ["加我微信 ABC123", "加我微信ＡＢＣ１２３", " 加 我 微 信 abc123\n"]
    bursts = feed_all(d, [(i * 10_000, t) for i, t in enumerate(texts)])
    assert [(b.kind, b.count, b.first_key, b.last_key) for b in bursts] == [(REPEAT, 3, "m0", "m2")]
    assert bursts[0].text == normalize_repeat(texts[0]) == "加我微信abc123"


def test_repeats_outside_the_window_or_different_text_do_not_count():
    d = detector(k=50, r=3, s=60)
    assert feed_all(d, [(0, "好的"), (30_000, "好的"), (60_001, "好的")]) == []
    assert feed_all(detector(k=50), [(0, "好的"), (1000, "好的!"), (2000, "好的")]) == []
    assert feed_all(detector(k=50), [(0, ""), (1, ""), (2, "")]) == []  # no text (images): no repeat


def test_a_rebuild_from_the_lookback_reproduces_the_live_detector():
    """What `group_order_check` relies on: replaying only the last two windows before a batch gives the
    bursts one long-lived detector reports on the batch's messages."""
    msgs = [(i * 700, "刷屏" if i % 3 else f"话{i}") for i in range(400)]
    msgs += [(400 * 700 + 40_000 + i * 300, "再刷") for i in range(40)]
    live = detector(k=5, t=10, r=3, s=20)
    found = {b.last_key: b.kind for b in feed_all(live, msgs)}
    assert found  # the sample has bursts
    for cut in range(1, len(msgs), 37):
        d = detector(k=5, t=10, r=3, s=20)
        start_ms = msgs[cut][0]
        replay = [(i, m) for i, m in enumerate(msgs) if start_ms - d.lookback_ms <= m[0]]
        got = {}
        for i, (ms, text) in replay:
            for b in d.feed("R1", "zhangsan", "staff", ms, text, f"m{i}"):
                if i >= cut:
                    got[b.last_key] = b.kind
        assert got == {k: v for k, v in found.items() if int(k[1:]) >= cut}


def test_idle_senders_are_swept(monkeypatch):
    from zhidu.compliance.behaviour import flood

    monkeypatch.setattr(flood, "SWEEP_EVERY", 100)
    d = detector()
    for i in range(1000):
        d.feed(f"R{i}", f"u{i}", "staff", i * 60_000, f"t{i}", "")
    assert d.tracked() < 300


def test_thresholds_are_checked():
    with pytest.raises(ValueError):
        detector(k=1)
