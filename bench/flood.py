"""Flood/repeat detector benchmark: the streaming detector against a naive per-message database query.

    .venv/bin/python bench/flood.py [--messages 1000000] [--naive 5000] [--seed 7]

* Corpus (seeded, generated in memory): group messages in time order over --rooms rooms (default 2,000) with
  20 senders each, ~20 ms apart overall; texts drawn from a few thousand phrases with a share of exact and
  width/space variants repeated, and every ~500th message starting a burst of 12 messages a second apart from
  one sender (so floods and repeats exist at the default thresholds: 10 messages / 30 s, 3 repeats / 300 s).
* Detector: `FloodDetector.feed` over all --messages messages, CPU time of this process (the box is shared;
  wall time is in the JSON too), then the same run again under tracemalloc for the peak memory.
* Naive baseline, on the first --naive messages (default 5,000) stored in a throw-away SQLite database as
  `ArchiveMessage` rows: per message, query the sender's last k messages in the room (and the last r with
  the same text) and compare the first one's time — what a check without streaming state does. The detector
  runs on the same prefix for a like-for-like rate. The naive check reports every message past the threshold
  (it has no burst state); both counts are printed.

Ends with one `RESULT key=value …` line and writes bench/results/flood.json.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, Timer, machine, result_line, write_results

START_MS = 1_714_960_800_000  # 2024-05-06 10:00 Asia/Shanghai
FLOOD_K, FLOOD_T, REPEAT_R, REPEAT_S = 10, 30, 3, 300

Msg = tuple[str, str, str, int, str, str]  # room, sender, side, msgtime_ms, text, msgid


def corpus(n: int, rooms: int, seed: int) -> list[Msg]:
    rnd = random.Random(seed)
    phrases = [f"{rnd.choice('好的收到明白了谢谢辛苦')}{rnd.randrange(10**6)}号客户已跟进" for _ in range(3000)]
    phrases += ["收到", "好的", "👍", "谢谢大家", "今晚八点直播，欢迎围观"]
    out: list[Msg] = []
    t = START_MS
    burst_left, burst_room, burst_sender = 0, "", ""
    for i in range(n):
        if burst_left:
            burst_left -= 1
            t += 1000
            room, sender = burst_room, burst_sender
            text = rnd.choice(phrases[-5:]) + (" " if rnd.random() < 0.3 else "")
        else:
            t += rnd.randrange(1, 40)
            room, sender = f"wr{rnd.randrange(rooms):05d}", f"u{rnd.randrange(20):02d}"
            text = rnd.choice(phrases) if rnd.random() < 0.95 else rnd.choice(phrases[-5:])
            if i % 500 == 0:
                burst_left, burst_room, burst_sender = 12, room, sender
        side = "customer" if sender >= "u15" else "staff"
        out.append((room, f"{room}-{sender}", side, t, text, f"m{i}"))
    return out


def run_detector(msgs: list[Msg]) -> tuple[int, int, int]:
    from zhidu.compliance.behaviour.flood import FloodDetector

    d = FloodDetector(flood_messages=FLOOD_K, flood_seconds=FLOOD_T, repeat_messages=REPEAT_R, repeat_seconds=REPEAT_S)
    feed = d.feed
    floods = repeats = 0
    for room, sender, side, ms, text, key in msgs:
        found = feed(room, sender, side, ms, text, key)
        if found:
            for b in found:
                if b.kind == "flood":
                    floods += 1
                else:
                    repeats += 1
    return floods, repeats, d.tracked()


def setup_django(tmp: str) -> None:
    os.environ.update(
        {
            "ZHIDU_ENV": "dev",
            "DEBUG": "0",
            "LOG_LEVEL": "WARNING",
            "ZHIDU_VAR_DIR": tmp,
            "SQLITE_PATH": str(Path(tmp) / "flood.sqlite3"),
        }
    )
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhidu.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def run_naive(msgs: list[Msg]) -> tuple[float, float, int, int]:
    """Store the messages, then per message query the last k / r messages (wall, cpu, flood hits, repeat hits)."""
    from zhidu.compliance.behaviour.flood import normalize_repeat
    from zhidu.compliance.models import ArchiveMessage, ms_to_datetime

    ArchiveMessage.objects.bulk_create(
        [
            ArchiveMessage(
                msgid=key, action="send", sender=sender, roomid=room, chat_type="group", chat_key=room, side=side,
                msgtime=ms, sent_at=ms_to_datetime(ms), msgtype="text", text=text, raw={},
            )
            for room, sender, side, ms, text, key in msgs
        ],
        batch_size=1000,
    )  # fmt: skip
    floods = repeats = 0
    with Timer() as timer:
        for room, sender, _side, ms, text, _key in msgs:
            last = list(
                ArchiveMessage.objects.filter(chat_key=room, sender=sender, msgtime__lte=ms)
                .order_by("-msgtime", "-id")
                .values_list("msgtime", flat=True)[:FLOOD_K]
            )
            if len(last) == FLOOD_K and ms - last[-1] <= FLOOD_T * 1000:
                floods += 1
            norm = normalize_repeat(text)
            same = [
                t
                for t, other in ArchiveMessage.objects.filter(
                    chat_key=room, sender=sender, msgtime__lte=ms, msgtime__gte=ms - REPEAT_S * 1000
                ).values_list("msgtime", "text")
                if normalize_repeat(other) == norm
            ]
            if len(same) >= REPEAT_R:
                repeats += 1
    return timer.wall, timer.cpu, floods, repeats


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--messages", type=int, default=1_000_000)
    ap.add_argument("--naive", type=int, default=5000)
    ap.add_argument("--rooms", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    tmp = tempfile.mkdtemp(prefix="zhidu-bench-flood-")
    setup_django(tmp)  # the detector module lives in a Django app package

    t0 = time.perf_counter()
    msgs = corpus(args.messages, args.rooms, args.seed)
    print(f"corpus: {len(msgs):,} messages in {args.rooms:,} rooms ({time.perf_counter() - t0:.1f} s to generate)")

    with Timer() as timer:
        floods, repeats, tracked = run_detector(msgs)
    rate = len(msgs) / timer.cpu
    print(f"detector: {rate:,.0f} msgs/s (cpu {timer.cpu:.2f} s, wall {timer.wall:.2f} s); {floods:,} floods, "
          f"{repeats:,} repeats; {tracked:,} live tracks at the end")  # fmt: skip

    tracemalloc.start()
    run_detector(msgs)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"detector peak memory (tracemalloc): {peak / 2**20:.1f} MiB")

    sample = msgs[: args.naive]
    with Timer() as small:
        s_floods, s_repeats, _ = run_detector(sample)
    naive_wall, naive_cpu, n_floods, n_repeats = run_naive(sample)
    naive_rate = len(sample) / naive_wall
    small_rate = len(sample) / max(small.wall, 1e-9)
    print(f"naive DB query per message on {len(sample):,}: {naive_rate:,.0f} msgs/s (wall {naive_wall:.2f} s, "
          f"cpu {naive_cpu:.2f} s); messages past a threshold: {n_floods} flood, {n_repeats} repeat")  # fmt: skip
    print(f"detector on the same {len(sample):,}: {small_rate:,.0f} msgs/s wall; bursts: {s_floods} flood, "
          f"{s_repeats} repeat; ratio {small_rate / naive_rate:,.0f}x")  # fmt: skip

    results = {
        "messages": len(msgs),
        "rooms": args.rooms,
        "thresholds": {"flood": [FLOOD_K, FLOOD_T], "repeat": [REPEAT_R, REPEAT_S]},
        "detector": {
            "msgs_per_s_cpu": round(rate),
            "msgs_per_s_wall": round(len(msgs) / timer.wall),
            "cpu_s": round(timer.cpu, 3),
            "peak_mib": round(peak / 2**20, 1),
            "floods": floods,
            "repeats": repeats,
        },
        "naive": {
            "messages": len(sample),
            "msgs_per_s_wall": round(naive_rate),
            "cpu_s": round(naive_cpu, 3),
            "past_threshold_flood": n_floods,
            "past_threshold_repeat": n_repeats,
            "detector_msgs_per_s_wall_same_sample": round(small_rate),
            "detector_bursts_same_sample": [s_floods, s_repeats],
        },
        "machine": machine(),
    }
    path = write_results("flood", results)
    print(f"wrote {path.relative_to(ROOT)}")
    print(
        result_line(
            {
                "messages": len(msgs),
                "msgs_per_s": round(rate),
                "peak_mib": round(peak / 2**20, 1),
                "naive_msgs_per_s": round(naive_rate),
                "ratio": round(small_rate / naive_rate),
            }
        )
    )


if __name__ == "__main__":
    main()
