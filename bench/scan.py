"""Scan benchmark: our pipeline against the usual ways of matching a word list, on one corpus.

    .venv/bin/python bench/scan.py [--messages 1000000] [--seed 42] [--prefix 20000] [--terms 1000,10000,50000]

* Corpus: `generate_messages` (seeded sales chats, single and group, ~6 % violations, ~4 % hard
  negatives) → `message_from_archive`; cached as var/bench/scan-corpus-s<seed>-n<N>.jsonl.gz.
* Rule sets of 1k / 10k / 50k terms: our default pack plus seeded synthetic terms (2–6 CJK
  characters, half drawn from the corpus's own character frequencies so that some of them hit —
  a heavy case: at 10k terms about a quarter of all messages get a finding; the share is printed).
  At 10k terms also a "light" set (synthetic terms of 3–6 characters that almost never occur, like
  a curated list), to show how the rate depends on how many messages get findings.
* Measured in this process on the same corpus:
    - pipeline: `Engine(rules).scan(messages)` — normalise + match + detect (PII, links, ids, the
      abuse model…) + evaluate, the whole default pack plus the synthetic rules; full corpus;
    - the same pipeline with the optional hyperscan matcher, when hyperscan is installed;
    - naive: `[w for w in terms if w in text]` per message (what LinkWeChat does);
    - re: one alternation of all terms (longest first), `findall` per message;
    - flashtext: `KeywordProcessor.extract_keywords` per message.
  The slow baselines run on a fixed prefix of the corpus (--prefix, default 20,000 messages; a fifth
  of it for 50k terms) — said in the output. Rates are messages per second of this process's CPU
  time (the box is shared; wall-clock rates are in the JSON too); the pipeline (both matchers,
  alternating) and flashtext run --repeat times and the fastest run counts. Ratios = our rate /
  their rate. The same prefix joined four by four (longer texts) shows how the flashtext ratio
  changes with message length.
* Miss rates on the prefix, over (message, term) pairs where the term occurs in the raw text (the
  naive loop's answer): flashtext vs our automaton.
* The price-authority check (issue 9): the same rule set at the main size scanned without a price
  policy ("before": what a company without a catalogue runs) and with one ("after": the simulator's
  products (32), list price = the top of their price range, floor = the bottom, the company defaults;
  every staff message sent by a salesperson who sold three products), alternating, same corpus;
  `--only-price` runs just this part.

Ends with one `RESULT key=value …` line (10k-term figures first) and writes bench/results/scan.json.
"""

from __future__ import annotations

import argparse
import gzip
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import orjson
from common import CACHE, Timer, machine, result_line, write_results

from wecomsim.conversations import PRODUCTS, CustomerInfo, RoomInfo, StaffInfo, generate_messages
from zhidu.compliance.engine import Engine, Message, Rule, default_rules, message_from_archive, snapshot_from_rows
from zhidu.compliance.engine.match import hyperscan_available
from zhidu.compliance.engine.normalize import normalize_many

START_MS = 1_714_960_800_000  # 2024-05-06 10:00 Asia/Shanghai


# --- corpus --------------------------------------------------------------------------------------


def company(seed: int) -> tuple[list[StaffInfo], list[CustomerInfo], list[RoomInfo]]:
    rng = random.Random(seed)
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
    staff = [StaffInfo(f"sales{i:03d}", rng.choice(surnames) + rng.choice("伟娜芳洋静强磊敏军杰")) for i in range(40)]
    customers = [
        CustomerInfo(f"wm{rng.getrandbits(100):025x}", f"客户{i}", staff[i % len(staff)].userid) for i in range(4000)
    ]
    rooms = []
    for i in range(80):
        owner = staff[i % len(staff)].userid
        members = tuple(c.external_userid for c in rng.sample(customers, rng.randint(8, 30)))
        rooms.append(
            RoomInfo(f"wr{rng.getrandbits(80):020x}", f"福利群{i}", owner, (staff[(i + 7) % 40].userid, *members))
        )
    return staff, customers, rooms


def load_corpus(n: int, seed: int) -> tuple[list[Message], dict[str, float]]:
    path = CACHE / f"scan-corpus-s{seed}-n{n}.jsonl.gz"
    info: dict[str, float] = {}
    if path.exists():
        t0 = time.perf_counter()
        rows = [orjson.loads(line) for line in gzip.decompress(path.read_bytes()).splitlines()]
        msgs = [Message(*row) for row in rows]
        info["load_s"] = round(time.perf_counter() - t0, 2)
        return msgs, info
    staff, customers, rooms = company(seed)
    with Timer() as t:
        records = list(
            generate_messages(seed=seed, staff=staff, customers=customers, rooms=rooms, count=n, start_ms=START_MS)
        )
    info["generate_s"] = round(t.wall, 2)
    info["generate_msgs_per_s"] = round(n / t.wall)
    msgs = [m for m in (message_from_archive(r) for r, _ in records) if m is not None]
    labelled = sum(1 for _, labels in records if labels)
    info["labelled_share"] = round(labelled / n, 4)
    CACHE.mkdir(parents=True, exist_ok=True)
    lines = b"\n".join(
        orjson.dumps([m.msgid, m.text, m.sender, m.side, m.chat_type, m.roomid, m.msgtime]) for m in msgs
    )
    path.write_bytes(gzip.compress(lines, compresslevel=3))
    return msgs, info


# --- rule sets -----------------------------------------------------------------------------------


HEAVY_LENGTHS = (2, 3, 3, 3, 4, 4, 4, 5, 5, 6)
LIGHT_LENGTHS = (3, 3, 3, 4, 4, 4, 5, 5, 6, 6)


def synthetic_terms(
    count: int, seed: int, corpus: list[Message], exclude: set[str], lengths: tuple[int, ...] = HEAVY_LENGTHS
) -> list[str]:
    rng = random.Random(seed)
    freq: Counter[str] = Counter()
    for m in corpus[:200_000]:
        freq.update(ch for ch in m.text if "\u4e00" <= ch <= "\u9fa5")
    common = list(freq)
    weights = list(freq.values())
    terms: set[str] = set()
    while len(terms) < count:
        n = rng.choice(lengths)
        if rng.random() < 0.5:
            chars = rng.choices(common, weights, k=n)
        else:
            chars = [chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(n)]
        term = "".join(chars)
        if term not in exclude:
            terms.add(term)
    return sorted(terms)


def rule_set(
    total_terms: int, seed: int, corpus: list[Message], lengths: tuple[int, ...] = HEAVY_LENGTHS
) -> tuple[list[Rule], list[str]]:
    pack = default_rules()
    pack_terms = {t for r in pack for t in r.terms}
    extra = synthetic_terms(max(0, total_terms - len(pack_terms)), seed + total_terms, corpus, pack_terms, lengths)
    rules = list(pack)
    cats = ("prohibited", "ads", "abuse", "secret")
    for k in range(0, len(extra), 1000):
        rules.append(
            Rule(
                code=f"imported.{k // 1000:03d}",
                name=f"imported list {k // 1000}",
                category=cats[(k // 1000) % len(cats)],
                severity="low",
                terms=tuple(extra[k : k + 1000]),
                article="sales-conduct#22.2",
            )
        )
    return rules, sorted(pack_terms | set(extra))


# --- baselines -----------------------------------------------------------------------------------


def run_naive(texts: list[str], terms: list[str]) -> set[tuple[int, str]]:
    out = set()
    for i, t in enumerate(texts):
        for w in terms:
            if w in t:
                out.add((i, w))
    return out


def run_re(texts: list[str], pattern: re.Pattern[str]) -> int:
    n = 0
    for t in texts:
        n += len(pattern.findall(t))
    return n


def run_flashtext(texts: list[str], kp: object) -> set[tuple[int, str]]:
    extract = kp.extract_keywords  # type: ignore[attr-defined]
    out = set()
    for i, t in enumerate(texts):
        for w in extract(t):
            out.add((i, w))
    return out


def our_pairs(engine: Engine, texts: list[str], raw_of: dict[str, list[str]]) -> set[tuple[int, str]]:
    out = set()
    for k in range(0, len(texts), 2000):
        chunk = normalize_many(texts[k : k + 2000])
        for pid, s, _e in engine.matcher.find(chunk.text):
            i = chunk.locate(s)
            for raw in raw_of.get(engine._literals[pid], ()):
                out.add((k + i, raw))
    return out


# --- main ----------------------------------------------------------------------------------------


def bench_terms(total: int, msgs: list[Message], args: argparse.Namespace) -> dict:
    rules, terms = rule_set(total, args.seed, msgs)
    row: dict = {"terms": len(terms), "rules": len(rules)}
    with Timer() as t:
        engine = Engine(rules)
    row["build_s"] = round(t.wall, 3)
    use_hs = hyperscan_available() and not args.no_hyperscan
    hs = None
    if use_hs:
        with Timer() as t:
            hs = Engine(rules, backend="hyperscan")
        row["hyperscan_build_s"] = round(t.wall, 3)
        hs.scan(msgs[:4000])
    engine.scan(msgs[:4000])  # warm up (model load, page faults)
    # the two matchers alternate so that both see the same load on this shared box
    cpu, wall, hs_cpu = [], [], []
    findings: list = []
    for rep in range(args.repeat):
        with Timer() as t:
            findings = engine.scan(msgs)
        cpu.append(t.cpu)
        wall.append(t.wall)
        if hs is not None:
            with Timer() as t:
                hs_findings = hs.scan(msgs)
            hs_cpu.append(t.cpu)
            if rep == 0:
                row["hyperscan_same_findings"] = hs_findings == findings
            del hs_findings
    row["pipeline_msgs_per_s"] = round(len(msgs) / min(cpu))
    row["pipeline_wall_msgs_per_s"] = round(len(msgs) / min(wall))
    row["pipeline_cpu_s_runs"] = [round(x, 3) for x in cpu]
    if hs_cpu:
        row["hyperscan_msgs_per_s"] = round(len(msgs) / min(hs_cpu))
        row["hyperscan_cpu_s_runs"] = [round(x, 3) for x in hs_cpu]
    del hs
    row["findings"] = len(findings)
    row["messages_with_findings"] = len({f.msgid for f in findings})
    row["flagged_share"] = round(row["messages_with_findings"] / len(msgs), 4)
    row["findings_by_category"] = dict(Counter(f.category for f in findings).most_common())
    del findings
    # stage by stage: normalisation alone, normalisation + one automaton pass
    texts_all = [m.text for m in msgs]
    with Timer() as t:
        for k in range(0, len(texts_all), engine.chunk_size):
            normalize_many(texts_all[k : k + engine.chunk_size])
    row["normalize_msgs_per_s"] = round(len(msgs) / t.cpu)
    with Timer() as t:
        for k in range(0, len(texts_all), engine.chunk_size):
            engine.matcher.find(normalize_many(texts_all[k : k + engine.chunk_size]).text)
    row["normalize_match_msgs_per_s"] = round(len(msgs) / t.cpu)
    del texts_all

    prefix = args.prefix if total < 50_000 else args.prefix // 5
    texts = [m.text for m in msgs[:prefix]]
    row["prefix"] = prefix
    with Timer() as t:
        truth = run_naive(texts, terms)
    row["naive_msgs_per_s"] = round(prefix / t.cpu)
    with Timer() as t:
        pattern = re.compile("|".join(re.escape(w) for w in sorted(terms, key=len, reverse=True)))
    row["re_compile_s"] = round(t.wall, 2)
    with Timer() as t:
        run_re(texts, pattern)
    row["re_msgs_per_s"] = round(prefix / t.cpu)
    del pattern
    from flashtext import KeywordProcessor

    kp = KeywordProcessor()
    kp.add_keywords_from_list(terms)
    flash_cpu, prefix_cpu = [], []
    flash: set[tuple[int, str]] = set()
    for _ in range(args.repeat):
        with Timer() as t:
            flash = run_flashtext(texts, kp)
        flash_cpu.append(t.cpu)
        with Timer() as t:
            engine.scan(msgs[:prefix])
        prefix_cpu.append(t.cpu)
    row["flashtext_msgs_per_s"] = round(prefix / min(flash_cpu))
    row["pipeline_prefix_msgs_per_s"] = round(prefix / min(prefix_cpu))
    raw_of: dict[str, list[str]] = {}
    from zhidu.compliance.engine.normalize import normalize_text

    for w in terms:
        raw_of.setdefault(normalize_text(w), []).append(w)
    ours = our_pairs(engine, texts, raw_of)
    row["true_pairs"] = len(truth)
    row["flashtext_miss_rate"] = round(len(truth - flash) / max(1, len(truth)), 4)
    row["our_miss_rate"] = round(len(truth - ours) / max(1, len(truth)), 4)
    row["our_extra_pairs"] = len(ours - truth)  # found only after normalisation (case, width, trad., separators)
    rate = row["pipeline_msgs_per_s"]
    for name in ("naive", "re", "flashtext"):
        row[f"{name}_ratio"] = round(rate / row[f"{name}_msgs_per_s"], 1)
    # how the flashtext comparison depends on message length: the same prefix joined four by four
    long_msgs = [
        Message(msgid=f"long{k}", text="，".join(m.text for m in msgs[k : k + 4])) for k in range(0, prefix, 4)
    ]
    long_texts = [m.text for m in long_msgs]
    with Timer() as t:
        engine.scan(long_msgs)
    long_pipeline = len(long_msgs) / t.cpu
    with Timer() as t:
        run_flashtext(long_texts, kp)
    long_flash = len(long_msgs) / t.cpu
    row["long_texts"] = {
        "avg_chars": round(sum(map(len, long_texts)) / len(long_texts), 1),
        "pipeline_msgs_per_s": round(long_pipeline),
        "flashtext_msgs_per_s": round(long_flash),
        "flashtext_ratio": round(long_pipeline / long_flash, 1),
    }
    return row


def bench_light(total: int, msgs: list[Message], args: argparse.Namespace) -> dict:
    """The same size of rule set with synthetic terms of 3–6 characters, which almost never occur in
    sales chats (like a curated imported list): the findings are then mostly the default pack's."""
    rules, terms = rule_set(total, args.seed, msgs, LIGHT_LENGTHS)
    engine = Engine(rules)
    engine.scan(msgs[:4000])
    cpu = []
    findings: list = []
    for _ in range(args.repeat):
        with Timer() as t:
            findings = engine.scan(msgs)
        cpu.append(t.cpu)
    prefix = args.prefix
    texts = [m.text for m in msgs[:prefix]]
    with Timer() as t:
        run_naive(texts, terms)
    row = {
        "terms": len(terms),
        "pipeline_msgs_per_s": round(len(msgs) / min(cpu)),
        "flagged_share": round(len({f.msgid for f in findings}) / len(msgs), 4),
        "naive_msgs_per_s": round(prefix / t.cpu),
        "prefix": prefix,
    }
    row["naive_ratio"] = round(row["pipeline_msgs_per_s"] / row["naive_msgs_per_s"], 1)
    return row


def price_snapshot_and_messages(msgs: list[Message], seed: int, *, low: bool = False) -> tuple[object, list[Message]]:
    """The simulator's products as a catalogue: list price = the top of each price range (the chats quote
    prices inside the range, so most quotes are discounts: the heavy case), or with `low` the bottom (quotes
    are at or above the list price: the check runs but hardly finds anything)."""
    import dataclasses

    rng = random.Random(seed)
    no_policy: dict[str, object] = {}
    rows = [
        (f"P{i:03d}", p[0], (), p[1] if low else p[2], None if low else p[1], no_policy) for i, p in enumerate(PRODUCTS)
    ]
    snapshot = snapshot_from_rows(rows, {"sales": 0, "supervisor": 5, "manager": 10, "director": 20})
    codes = [r[0] for r in rows]
    sold: dict[str, tuple[str, ...]] = {}
    out = []
    for m in msgs:
        if m.side != "staff":
            out.append(m)
            continue
        products = sold.get(m.sender)
        if products is None:
            products = sold[m.sender] = tuple(rng.sample(codes, 3))
        out.append(dataclasses.replace(m, role="sales", products=products))
    return snapshot, out


def bench_price(total: int, msgs: list[Message], args: argparse.Namespace) -> dict:
    """Scan rate without and with the price policy, same rules and corpus, alternating runs."""
    rules, _terms = rule_set(total, args.seed, msgs)
    snapshot, with_roles = price_snapshot_and_messages(msgs, args.seed)
    low_snapshot, _same = price_snapshot_and_messages(msgs, args.seed, low=True)
    before = Engine(rules)
    with Timer() as t:
        after = Engine(rules, price_policy=snapshot)  # type: ignore[arg-type]
    build_s = t.wall
    light = Engine(rules, price_policy=low_snapshot)  # type: ignore[arg-type]
    before.scan(msgs[:4000])
    after.scan(with_roles[:4000])
    light.scan(with_roles[:4000])
    cpu_before, cpu_after, cpu_light = [], [], []
    n_before = n_after = n_price = n_light = 0
    for _ in range(args.repeat):
        with Timer() as t:
            f_before = before.scan(msgs)
        cpu_before.append(t.cpu)
        with Timer() as t:
            f_after = after.scan(with_roles)
        cpu_after.append(t.cpu)
        with Timer() as t:
            f_light = light.scan(with_roles)
        cpu_light.append(t.cpu)
        n_before, n_after = len(f_before), len(f_after)
        n_price = sum(1 for f in f_after if f.rule == "price.authority")
        n_light = sum(1 for f in f_light if f.rule == "price.authority")
        del f_before, f_after, f_light
    rate_before = len(msgs) / min(cpu_before)
    rate_after = len(msgs) / min(cpu_after)
    rate_light = len(msgs) / min(cpu_light)
    return {
        "terms": total,
        "products": len(snapshot.products),  # type: ignore[attr-defined]
        "build_with_price_s": round(build_s, 3),
        "before_msgs_per_s": round(rate_before),
        "after_msgs_per_s": round(rate_after),
        "cost_pct": round((rate_before - rate_after) / rate_before * 100, 1),
        "before_cpu_s_runs": [round(x, 3) for x in cpu_before],
        "after_cpu_s_runs": [round(x, 3) for x in cpu_after],
        "findings_before": n_before,
        "findings_after": n_after,
        "price_findings": n_price,
        "price_flagged_share": round(n_price / len(msgs), 4),
        "list_at_bottom_msgs_per_s": round(rate_light),
        "list_at_bottom_cost_pct": round((rate_before - rate_light) / rate_before * 100, 1),
        "list_at_bottom_cpu_s_runs": [round(x, 3) for x in cpu_light],
        "list_at_bottom_price_findings": n_light,
    }


def print_price(row: dict) -> None:
    print(
        f"price check ({row['terms']:,} terms, {row['products']} products): "
        f"without {row['before_msgs_per_s']:,} msgs/s, "
        f"with {row['after_msgs_per_s']:,} msgs/s ({row['cost_pct']}% slower); "
        f"{row['price_findings']:,} price findings ({row['price_flagged_share']:.2%} of messages); "
        f"list prices at the bottom of the ranges: {row['list_at_bottom_msgs_per_s']:,} msgs/s "
        f"({row['list_at_bottom_cost_pct']}% slower, {row['list_at_bottom_price_findings']:,} price findings)"
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--messages", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--prefix", type=int, default=20_000)
    ap.add_argument("--terms", default="1000,10000,50000")
    ap.add_argument("--no-hyperscan", action="store_true")
    ap.add_argument("--repeat", type=int, default=3, help="runs of the pipeline and flashtext (the fastest counts)")
    ap.add_argument("--only-price", action="store_true", help="only the price-check before/after comparison")
    args = ap.parse_args(argv)
    t_start = time.perf_counter()
    msgs, corpus_info = load_corpus(args.messages, args.seed)
    chars = sum(len(m.text) for m in msgs)
    print(
        f"corpus: {args.messages:,} generated records → {len(msgs):,} messages with text, "
        f"{chars / len(msgs):.1f} characters on average ({corpus_info})"
    )
    counts = [int(x) for x in args.terms.split(",")]
    price_terms = 10_000 if 10_000 in counts else counts[0]
    if args.only_price:
        price = bench_price(price_terms, msgs, args)
        print_price(price)
        write_results("scan_price", {"price_check": price, "messages": len(msgs), **machine()})
        print(result_line({f"price_{k}": v for k, v in price.items() if not isinstance(v, list)}))
        return
    rows = {}
    for total in counts:
        row = bench_terms(total, msgs, args)
        rows[total] = row
        hs = f", hyperscan {row['hyperscan_msgs_per_s']:,}/s" if "hyperscan_msgs_per_s" in row else ""
        print(
            f"{row['terms']:>6} terms: pipeline {row['pipeline_msgs_per_s']:>9,} msgs/s "
            f"(build {row['build_s']}s{hs}) | "
            f"on the first {row['prefix']:,} messages: naive {row['naive_msgs_per_s']:,}/s ×{row['naive_ratio']}, "
            f"re {row['re_msgs_per_s']:,}/s ×{row['re_ratio']}, flashtext {row['flashtext_msgs_per_s']:,}/s "
            f"×{row['flashtext_ratio']} | misses: flashtext {row['flashtext_miss_rate']:.1%}, "
            f"ours {row['our_miss_rate']:.1%} | findings {row['findings']:,} "
            f"({row['flagged_share']:.1%} of messages flagged)"
        )
        print(
            f"        stages: normalise {row['normalize_msgs_per_s']:,}/s, normalise+match "
            f"{row['normalize_match_msgs_per_s']:,}/s, full pipeline {row['pipeline_msgs_per_s']:,}/s"
        )
        lt = row["long_texts"]
        print(
            f"        texts of {lt['avg_chars']} characters (prefix joined 4 by 4): pipeline "
            f"{lt['pipeline_msgs_per_s']:,}/s, flashtext {lt['flashtext_msgs_per_s']:,}/s ×{lt['flashtext_ratio']}"
        )
    key = 10_000 if 10_000 in rows else counts[0]
    main_row = rows[key]
    light = bench_light(key, msgs, args)
    print(
        f"{light['terms']:>6} terms of 3–6 characters (a list that rarely fires; {light['flagged_share']:.1%} "
        f"of messages flagged): pipeline {light['pipeline_msgs_per_s']:,} msgs/s, naive "
        f"{light['naive_msgs_per_s']:,}/s ×{light['naive_ratio']}"
    )
    result = {
        "pipeline_msgs_per_s": main_row["pipeline_msgs_per_s"],
        "naive_ratio": main_row["naive_ratio"],
        "re_ratio": main_row["re_ratio"],
        "flashtext_ratio": main_row["flashtext_ratio"],
        "flashtext_miss_rate": main_row["flashtext_miss_rate"],
        "our_miss_rate": main_row["our_miss_rate"],
    }
    if "hyperscan_msgs_per_s" in main_row:
        result["hyperscan_msgs_per_s"] = main_row["hyperscan_msgs_per_s"]
    result["flagged_share"] = main_row["flagged_share"]
    result["light_pipeline_msgs_per_s"] = light["pipeline_msgs_per_s"]
    result["light_naive_ratio"] = light["naive_ratio"]
    price = bench_price(price_terms, msgs, args)
    print_price(price)
    result["price_before_msgs_per_s"] = price["before_msgs_per_s"]
    result["price_after_msgs_per_s"] = price["after_msgs_per_s"]
    result["price_cost_pct"] = price["cost_pct"]
    for total, row in rows.items():
        if total != key:
            result[f"pipeline_{total // 1000}k_msgs_per_s"] = row["pipeline_msgs_per_s"]
    result["messages"] = len(msgs)
    result["terms"] = main_row["terms"]
    result["prefix"] = main_row["prefix"]
    result["runtime_s"] = round(time.perf_counter() - t_start)
    write_results(
        "scan",
        {
            "summary": result,
            "by_terms": rows,
            "light_terms": light,
            "price_check": price,
            "corpus": {
                "records": args.messages,
                "messages": len(msgs),
                "avg_chars": round(chars / len(msgs), 2),
                **corpus_info,
            },
            "clock": "rates are messages per second of process CPU time; *_wall_* are wall-clock",
            **machine(),
        },
    )
    print("targets at 10k terms: pipeline ≥ 200,000 msgs/s, ≥ 100× naive, ≥ 5× flashtext")
    print(result_line(result))


if __name__ == "__main__":
    main()
