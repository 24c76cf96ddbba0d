"""Build bench/data/chats_{dev,test,train,dev2,test2,dev3}.jsonl from the hand-written sources in bench/data/src/.

    .venv/bin/python bench/data/build_chats.py

Each source line is `<who> <chat> <labels> | <text> | <note>`:
* who: `s` staff, `c` customer (external contact, id starting with "wm");
* chat: `1` single chat, `g` group chat;
* labels: comma-separated category codes, `~` for a hard negative, `-` for an ordinary negative;
* text: the message; `FILE:<name>` makes a `file` record (extension taken from the name), `\\n` a newline;
* note: why the label is what it is (optional).
Lines starting with `#` and blank lines are skipped. Output is deterministic (ids, senders and
times derive from the line number), so rebuilding gives the same files.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
STAFF = ("zhangwei", "liuyang", "wangfang", "chenjing", "zhaolei", "sunli", "zhouqiang", "wuxia")
ROOMS = ("wrKc7dQ1aa", "wrKc7dQ2bb", "wrKc7dQ3cc", "wrKc7dQ4dd", "wrKc7dQ5ee")
START_MS = 1_767_225_600_000  # 2026-01-01 00:00 UTC
# dev and test are for evaluation (test held out); train only fits the category classifier;
# dev2 and test2 are a second pair written by another author without reading the engine's lists
# or the other splits (test2 held out like test)
SPLITS = ("dev", "test", "train", "dev2", "test2", "dev3")


def _customer(seed: str) -> str:
    return "wm" + hashlib.sha1(seed.encode()).hexdigest()[:20]


def parse_line(line: str, n: int, split: str) -> dict:
    head, _, rest = line.partition("|")
    text, _, note = rest.partition("|")
    who, chat, labels = head.split()
    text = text.strip().replace("\\n", "\n")
    if who not in ("s", "c") or chat not in ("1", "g") or not text:
        raise ValueError(f"{split} line {n}: bad head {head!r}")
    staff = STAFF[n % len(STAFF)]
    customer = _customer(f"{split}{n % 97}")
    roomid = ROOMS[n % len(ROOMS)] if chat == "g" else ""
    sender = staff if who == "s" else customer
    to = customer if who == "s" else staff
    tolist = [to] if chat == "1" else [to, STAFF[(n + 3) % len(STAFF)], _customer(f"{split}{(n + 7) % 97}")]
    kind = "hard_negative" if labels == "~" else "negative" if labels == "-" else "positive"
    codes = [] if kind != "positive" else [c for c in labels.split(",") if c]
    rec: dict = {
        "msgid": f"eval{split}{n:05d}_{hashlib.md5(text.encode()).hexdigest()[:8]}",
        "action": "send",
        "from": sender,
        "tolist": tolist,
        "roomid": roomid,
        "msgtime": START_MS + n * 97_000,
    }
    if text.startswith("FILE:"):
        name = text.removeprefix("FILE:").strip()
        rec["msgtype"] = "file"
        rec["file"] = {
            "md5sum": hashlib.md5(name.encode()).hexdigest(),
            "filename": name,
            "fileext": name.rsplit(".", 1)[-1].lower() if "." in name else "",
            "filesize": 10_000 + (n * 7919) % 900_000,
            "sdkfileid": "sdk" + hashlib.sha1(f"{split}{n}".encode()).hexdigest()[:16],
        }
    else:
        rec["msgtype"] = "text"
        rec["text"] = {"content": text}
    rec["labels"] = codes
    rec["kind"] = kind
    rec["note"] = note.strip()
    return rec


def build(split: str) -> int:
    src = HERE / "src" / f"chats_{split}.txt"
    out = HERE / f"chats_{split}.jsonl"
    rows = []
    for n, line in enumerate(src.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip() and not line.lstrip().startswith("#"):
            rows.append(parse_line(line, n, split))
    with out.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    return len(rows)


if __name__ == "__main__":
    for s in sys.argv[1:] or SPLITS:
        print(s, build(s))
