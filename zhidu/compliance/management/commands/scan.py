"""`zhidu scan FILE.jsonl [--rules FILE] [--format table|json]` — scan decrypted archive messages.

No database: the default rule pack (or --rules, a JSON / JSON-lines rule file) and the pure engine.
FILE holds one decrypted archive record (API.md §7.4) per line; "-" reads standard input.
Malformed lines (bad JSON, missing msgid, unknown msgtype) are reported on stderr with their line
number and skipped. With --format json, stdout has one JSON object per finding per line.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import orjson
from django.core.management.base import BaseCommand, CommandError

from zhidu.compliance.engine import Engine, Finding, Message, RuleError, default_rules, load_rules
from zhidu.compliance.engine.records import KNOWN_MSGTYPES, message_from_archive

BATCH = 4000


class Command(BaseCommand):
    help = "Scan a JSON-lines file of decrypted chat-archive messages with the compliance rules (no database)."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="JSON lines of decrypted archive messages ('-' = stdin)")
        parser.add_argument("--rules", help="JSON or JSON-lines rule file (default: the built-in rule pack)")
        parser.add_argument("--format", choices=("table", "json"), default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            rules = load_rules(options["rules"]) if options["rules"] else default_rules()
        except RuleError as exc:
            raise CommandError(str(exc)) from None
        engine = Engine(rules)
        fmt = options["format"]
        path = options["file"]
        try:
            stream = sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115
        except OSError as exc:
            raise CommandError(f"{path}: cannot open ({exc.strerror})") from None
        stats = {"lines": 0, "messages": 0, "skipped": 0, "findings": 0}
        if fmt == "table":
            self.stdout.write(
                f"{'line':>6}  {'msgid':<24} {'severity':<8} {'category':<12} {'rule':<26} "
                f"{'article':<22} span  matched"
            )
        try:
            batch: list[tuple[int, Message]] = []
            for lineno, msg in self._messages(stream, stats):
                batch.append((lineno, msg))
                if len(batch) >= BATCH:
                    self._emit(engine, batch, fmt, stats)
                    batch = []
            if batch:
                self._emit(engine, batch, fmt, stats)
        except BrokenPipeError:  # `zhidu scan … | head`: the reader left, stop quietly
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return
        finally:
            if stream is not sys.stdin.buffer:
                stream.close()
        summary = (
            f"{stats['lines']} lines, {stats['messages']} messages with text, "
            f"{stats['findings']} findings, {stats['skipped']} malformed lines skipped"
        )
        if fmt == "table":
            self.stdout.write(summary)
        else:
            self.stderr.write(summary)

    def _messages(self, stream: Any, stats: dict[str, int]) -> Iterator[tuple[int, Message]]:
        for lineno, raw in enumerate(stream, 1):
            stats["lines"] += 1
            if not raw.strip():
                continue
            try:
                record = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                self._skip(stats, lineno, f"bad JSON ({exc})")
                continue
            if not isinstance(record, dict):
                self._skip(stats, lineno, "not a JSON object")
                continue
            msgid = record.get("msgid")
            if not isinstance(msgid, str) or not msgid:
                self._skip(stats, lineno, "missing msgid")
                continue
            if record.get("action") == "switch":
                continue
            msgtype = record.get("msgtype")
            if msgtype not in KNOWN_MSGTYPES:
                self._skip(stats, lineno, f"unknown msgtype {msgtype!r} (msgid {msgid})")
                continue
            msg = message_from_archive(record)
            if msg is not None:
                stats["messages"] += 1
                yield lineno, msg

    def _skip(self, stats: dict[str, int], lineno: int, reason: str) -> None:
        stats["skipped"] += 1
        self.stderr.write(f"line {lineno}: {reason}; skipped")

    def _emit(self, engine: Engine, batch: list[tuple[int, Message]], fmt: str, stats: dict[str, int]) -> None:
        findings = engine.scan([m for _, m in batch])
        stats["findings"] += len(findings)
        if not findings:
            return
        line_of = {m.msgid: n for n, m in batch}
        write = self.stdout.write
        for f in findings:
            if fmt == "json":
                write(orjson.dumps({**f.as_dict(), "line": line_of.get(f.msgid)}).decode())
            else:
                write(_row(line_of.get(f.msgid, 0), f))


def _row(lineno: int, f: Finding) -> str:
    matched = f.matched.replace("\n", " ")
    return (
        f"{lineno:>6}  {f.msgid[:24]:<24} {f.severity:<8} {f.category:<12} {f.rule[:26]:<26} "
        f"{f.article[:22]:<22} {f.start}-{f.end}  {matched}"
    )
