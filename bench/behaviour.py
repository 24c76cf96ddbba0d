"""Behaviour-check benchmark: synthetic archived messages in time order through the streaming behaviour detectors.

    .venv/bin/python bench/behaviour.py [--messages 1000000] [--naive 20000] [--seed 7]

* Data (not timed): N messages over ~30 days in time order — single chats between salespeople and customers
  (customers write, the salesperson answers after a random delay, sometimes not at all), customer groups (customers
  and the owner), internal groups (staff, some questions, some @mentions). Built as plain tuples, as ingest feeds
  the detectors.
* Timed, per detector in `DETECTORS` (one entry per streaming check; add the next as one more entry): the whole
  stream through a fresh detector on one core, msgs/s; then the same run again under tracemalloc for its peak
  Python memory (tracemalloc slows the run down, so that pass is not timed), and the process's max RSS.
* Baseline: the naive approach — one database lookup per message (SELECT the open wait of the chat, then INSERT
  or UPDATE) on a fresh SQLite database — over the first `--naive` messages; its msgs/s against the tracker's, and
  whether both closed the same waits (`agree`).

Ends with one `RESULT key=value …` line and writes bench/results/behaviour.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import machine, result_line, write_results

Msg = tuple[str, str, int, str, list[str], str, str]  # msgid, chat_key, msgtime, sender, receivers, roomid, text

STAFF = 400
CUSTOMERS = 40_000
CUSTOMER_GROUPS = 600
INTERNAL_GROUPS = 150
QUESTIONS = ["这个客户怎么跟进？", "报价单在哪里", "明天几点开会", "@{name} 合同发我一下", "谁有空帮忙看下"]
STATEMENTS = ["收到", "好的", "已处理", "今天的周报已提交", "客户已签约"]
CUSTOMER_TEXT = ["在吗", "这个多少钱", "什么时候发货", "我想了解一下课程", "好的谢谢"]
STAFF_TEXT = ["您好，我在", "马上为您查询", "已经为您安排", "稍等一下", "好的"]


def generate(n: int, seed: int) -> list[Msg]:
    """n messages in time order: 70 % single chats, 15 % customer groups, 15 % internal groups."""
    rng = random.Random(seed)
    staff = [f"staff{i:04d}" for i in range(STAFF)]
    names = {u: f"员工{i}" for i, u in enumerate(staff)}
    start = int(dt.datetime(2026, 9, 1, tzinfo=dt.UTC).timestamp() * 1000)
    span = 30 * 86_400_000
    events: list[tuple[int, int, Msg]] = []
    order = 0
    groups = [(f"wrcg{g:05d}", staff[g % STAFF]) for g in range(CUSTOMER_GROUPS)]
    internal = [(f"wrin{g:05d}", rng.sample(staff, 8)) for g in range(INTERNAL_GROUPS)]

    def add(t: int, msg: Msg) -> None:
        nonlocal order
        order += 1
        events.append((t, order, msg))

    while len(events) < n:
        r = rng.random()
        t = start + rng.randrange(span)
        if r < 0.7:  # a customer writes 1–3 messages, the salesperson answers (or not)
            member, customer = staff[rng.randrange(STAFF)], f"wm{rng.randrange(CUSTOMERS):07d}"
            key = f"{customer}|{member}" if customer < member else f"{member}|{customer}"
            for k in range(rng.randint(1, 3)):
                add(
                    t + k * 20_000,
                    (f"s{len(events)}", key, t + k * 20_000, customer, [member], "", rng.choice(CUSTOMER_TEXT)),
                )
            if rng.random() < 0.9:
                reply = t + rng.randint(30_000, 120 * 60_000)
                add(reply, (f"s{len(events)}", key, reply, member, [customer], "", rng.choice(STAFF_TEXT)))
        elif r < 0.85:
            room, owner = groups[rng.randrange(CUSTOMER_GROUPS)]
            customer = f"wm{rng.randrange(CUSTOMERS):07d}"
            add(t, (f"g{len(events)}", room, t, customer, [owner], room, rng.choice(CUSTOMER_TEXT)))
            if rng.random() < 0.8:
                reply = t + rng.randint(60_000, 90 * 60_000)
                add(reply, (f"g{len(events)}", room, reply, owner, [customer], room, rng.choice(STAFF_TEXT)))
        else:
            room, people = internal[rng.randrange(INTERNAL_GROUPS)]
            who = rng.choice(people)
            others = [p for p in people if p != who]
            text = rng.choice(QUESTIONS if rng.random() < 0.4 else STATEMENTS).format(name=names[rng.choice(others)])
            add(t, (f"i{len(events)}", room, t, who, others, room, text))
    events.sort(key=lambda e: (e[0], e[1]))
    return [e[2] for e in events[:n]]


# --------------------------------------------------------------------------------------------- detectors


def _is_staff(userid: str) -> bool:
    return not userid.startswith("wm")


def reply_detector() -> tuple[Any, Callable[[list[Msg]], None]]:
    from zhidu.compliance.behaviour.reply import ReplyTracker, Room

    rooms = {f"wrcg{g:05d}": Room("customer", f"staff{g % STAFF:04d}") for g in range(CUSTOMER_GROUPS)}
    rooms.update({f"wrin{g:05d}": Room("internal", "") for g in range(INTERNAL_GROUPS)})
    tracker = ReplyTracker(is_staff=_is_staff, rooms=rooms, names={f"员工{i}": f"staff{i:04d}" for i in range(STAFF)})

    def run(msgs: list[Msg]) -> None:
        feed = tracker.feed
        for m in msgs:
            feed(*m)

    return tracker, run


def flood_detector() -> tuple[Any, Callable[[list[Msg]], None]]:
    """Floods and repeats (`compliance.behaviour.flood`) with the default thresholds, over group messages (single
    chats are skipped as the ingestion check skips them)."""
    from django.conf import settings

    from zhidu.compliance.behaviour.flood import FloodDetector

    detector = FloodDetector(
        flood_messages=settings.FLOOD_MESSAGES,
        flood_seconds=settings.FLOOD_SECONDS,
        repeat_messages=settings.REPEAT_MESSAGES,
        repeat_seconds=settings.REPEAT_SECONDS,
    )
    bursts: list[Any] = []

    def run(msgs: list[Msg]) -> None:
        feed, found = detector.feed, bursts.extend
        for _msgid, _key, msgtime, sender, _receivers, roomid, text in msgs:
            if roomid:
                hit = feed(roomid, sender, "staff" if _is_staff(sender) else "customer", msgtime, text)
                if hit:
                    found(hit)

    return detector, run


# (name, factory -> (detector, run(messages))): each streaming check of the archive, timed over the same stream.
DETECTORS: list[tuple[str, Callable[[], tuple[Any, Callable[[list[Msg]], None]]]]] = [
    ("reply", reply_detector),
    ("flood", flood_detector),
]


def measure(factory: Callable[[], tuple[Any, Callable[[list[Msg]], None]]], msgs: list[Msg]) -> dict[str, Any]:
    gc.collect()
    detector, run = factory()
    t0 = time.perf_counter()
    c0 = time.process_time()
    run(msgs)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    out: dict[str, Any] = {
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "msgs_per_s": round(len(msgs) / wall),
        "msgs_per_cpu_s": round(len(msgs) / cpu) if cpu else None,
    }
    if hasattr(detector, "opened"):
        out["waits_opened"] = len(detector.opened)
        out["still_open"] = len(detector.open)
    del detector, run
    gc.collect()
    tracemalloc.start()
    _detector, run = factory()
    run(msgs)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    out["peak_python_mb"] = round(peak / 2**20, 1)
    return out


# --------------------------------------------------------------------------------------------- naive baseline


def naive(msgs: list[Msg]) -> tuple[dict[str, Any], set[str]]:
    """One SELECT per message for the chat's open wait, then an INSERT or UPDATE (autocommit, as a per-message
    handler would run). Same rules as the tracker for single chats and customer groups (internal questions left
    out, which only flatters the baseline)."""
    from zhidu.compliance.models import ReplyWait

    owners = {f"wrcg{g:05d}": f"staff{g % STAFF:04d}" for g in range(CUSTOMER_GROUPS)}
    closed: set[str] = set()
    t0, c0 = time.perf_counter(), time.process_time()
    for msgid, key, msgtime, sender, receivers, roomid, _text in msgs:
        if roomid and roomid not in owners:
            continue
        staff = _is_staff(sender)
        slot = roomid or key
        w = ReplyWait.objects.filter(slot=slot, answered_at=None).first()
        when = dt.datetime.fromtimestamp(msgtime / 1000, tz=dt.UTC)
        if staff:
            if w is not None and w.responsible == sender:
                w.answered_at, w.reply_msgid = when, msgid
                w.save(update_fields=["answered_at", "reply_msgid"])
                closed.add(w.msgid)
        elif w is None:
            responsible = owners[roomid] if roomid else receivers[0]
            ReplyWait.objects.create(
                slot=slot,
                kind="group" if roomid else "single",
                chat_key=key,
                roomid=roomid,
                msgid=msgid,
                asker=sender,
                responsible=responsible,
                asked_at=when,
                deadline=when + dt.timedelta(minutes=30),
            )
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {
        "messages": len(msgs),
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "msgs_per_s": round(len(msgs) / wall),
        "queries_per_message": 2,
    }, closed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--naive", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="zhidu-bench-behaviour-")
    os.environ.update(
        {
            "ZHIDU_ENV": "dev",
            "DEBUG": "0",
            "LOG_LEVEL": "WARNING",
            "ZHIDU_VAR_DIR": tmp,
            "SQLITE_PATH": str(Path(tmp) / "bench.sqlite3"),
        }
    )
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhidu.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    t0 = time.perf_counter()
    msgs = generate(args.messages, args.seed)
    build_s = time.perf_counter() - t0
    singles = sum(1 for m in msgs if not m[5])
    print(f"  {len(msgs):,} messages ({singles:,} in single chats) built in {build_s:.1f}s (not timed)")

    results: dict[str, Any] = {}
    for name, factory in DETECTORS:
        results[name] = measure(factory, msgs)
        print(f"  {name}: {results[name]}")

    sample = msgs[: args.naive]
    base, naive_closed = naive(sample)
    tracker, run = reply_detector()
    run(sample)
    tracked_closed = {w.msgid for w in tracker.opened if w.reply_msgid and w.kind != "internal"}
    base["agree"] = tracked_closed == naive_closed
    base["speedup"] = round(results["reply"]["msgs_per_s"] / base["msgs_per_s"], 1)
    print(f"  naive per-message lookups: {base}")
    rss_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    data = {
        "benchmark": "behaviour",
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        **machine(),
        "messages": len(msgs),
        "single_chat_messages": singles,
        "build_s": round(build_s, 1),
        "detectors": results,
        "naive": base,
        "max_rss_mb": rss_mb,
    }
    path = write_results("behaviour", data)
    print(f"  wrote {path.relative_to(ROOT)}")
    line = {"messages": len(msgs)}
    for name, r in results.items():
        line[f"{name}_msgs_per_s"] = r["msgs_per_s"]
        line[f"{name}_peak_mb"] = r["peak_python_mb"]
    line.update({"naive_msgs_per_s": base["msgs_per_s"], "speedup": base["speedup"], "agree": base["agree"],
                 "max_rss_mb": rss_mb})  # fmt: skip
    print(result_line(line))


if __name__ == "__main__":
    main()
