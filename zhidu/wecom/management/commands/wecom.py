"""`zhidu wecom sync [--full] [--what contacts,customers,groups,tags]` and `zhidu wecom flush-outbox`."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhidu.wecom.sync import PARTS


class Command(BaseCommand):
    help = "WeCom integration: sync from WeCom, deliver the outbox, reprocess failed callbacks."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sync = sub.add_parser("sync", help="Full sync: departments/members, corp tags, customers, groups.")
        sync.add_argument("--full", action="store_true", help="Also rewrite group members whose version is unchanged.")
        sync.add_argument(
            "--what", default=",".join(PARTS), help=f"Comma-separated parts (default: {','.join(PARTS)})."
        )
        sync.add_argument("--json", action="store_true", help="Print the counts as JSON.")
        flush = sub.add_parser("flush-outbox", help="Deliver due outbox messages and reprocess failed callbacks.")
        flush.add_argument("--limit", type=int, default=1000)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verbosity"] < 2:  # one log line per HTTP request drowns the progress display
            logging.getLogger("httpx").setLevel(logging.WARNING)
        if options["action"] == "sync":
            self._sync(options)
        else:
            self._flush(options)

    def _sync(self, options: dict[str, Any]) -> None:
        from zhidu.wecom.sync import sync_all

        parts = [p.strip() for p in options["what"].split(",") if p.strip()]
        unknown = sorted(set(parts) - set(PARTS))
        if unknown:
            raise CommandError(f"Unknown part(s): {', '.join(unknown)}; choose from {', '.join(PARTS)}.")
        try:
            stream = None if options["json"] else self.stdout
            counts = sync_all(stdout=stream, what=parts, full=options["full"])  # type: ignore[arg-type]
        except Exception as exc:
            raise CommandError(f"WeCom sync failed: {type(exc).__name__}: {exc}") from exc
        if options["json"]:
            self.stdout.write(json.dumps(counts, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(self.style.SUCCESS(f"WeCom sync finished in {counts['seconds']} s."))

    def _flush(self, options: dict[str, Any]) -> None:
        from zhidu.wecom.callbacks import callback_retry_unprocessed
        from zhidu.wecom.send import outbox_flush

        outbox = outbox_flush(limit=options["limit"])
        callbacks = callback_retry_unprocessed(limit=options["limit"])

        def fmt(counts: dict[str, int], empty: str) -> str:
            return ", ".join(f"{k}={v}" for k, v in sorted(counts.items())) or empty

        self.stdout.write(f"outbox: {fmt(outbox, 'nothing due')}; callbacks: {fmt(callbacks, 'nothing to retry')}")
