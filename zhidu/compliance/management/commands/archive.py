"""`zhidu archive import FILE` and `zhidu archive pull [--source simulator|sdk] [--limit N]`.

import: a JSON-lines file of decrypted archive records (API.md §7.4), one per line. Re-running it stores
nothing twice (the file's cursor is its last line; msgids are unique). Bad lines are reported and skipped.
pull: the live archive (Finance SDK in production, the simulator in development) from its cursor. It takes the
same one-pull-at-a-time lock as the Celery task: while another pull runs it fetches nothing and exits with an error.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhidu.compliance.services import IngestReport, archive_ingest, archive_pull
from zhidu.compliance.tasks import PULL_LOCK_SECONDS, archive_pull_lock
from zhidu.wecom.archive import ArchiveError, JsonlFileSource


class Command(BaseCommand):
    help = "Import or pull chat-archive messages, store them and scan them for violations."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import a JSON-lines file of decrypted messages")
        imp.add_argument("file")
        imp.add_argument("--limit", type=int, default=1000, help="records per transaction (default 1000)")
        pull = sub.add_parser("pull", help="pull the live archive from its cursor")
        pull.add_argument("--source", choices=["simulator", "sdk"], default="", help="default: from settings")
        pull.add_argument("--limit", type=int, default=1000, help="records per page, at most 1000")
        pull.add_argument("--max-batches", type=int, default=None)

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            if opts["action"] == "import":
                report = archive_ingest(source=JsonlFileSource(opts["file"]), limit=max(1, opts["limit"]))
            else:
                report = self._pull(opts)
        except ArchiveError as exc:
            raise CommandError(str(exc)) from None
        self._print(report)
        if report.error:
            raise CommandError(report.error)

    def _pull(self, opts: dict[str, Any]) -> IngestReport:
        with archive_pull_lock() as acquired:
            if not acquired:
                raise CommandError(
                    "another archive pull is running (the scheduler or another `zhidu archive pull`); nothing "
                    "was fetched. Try again when it has finished "
                    f"(a dead holder's lock expires after {PULL_LOCK_SECONDS} s)."
                )
            return archive_pull(
                kind=opts["source"], limit=max(1, min(1000, opts["limit"])), max_batches=opts["max_batches"]
            )

    def _print(self, report: IngestReport) -> None:
        for where, why in report.problems:
            self.stderr.write(f"skipped {where}: {why}")
        self.stdout.write(report.summary())
