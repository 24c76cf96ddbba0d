"""`zhidu rules import FILE --category CAT [--severity S] [--article KEY] [--rule CODE]`,
`zhidu rules export FILE.xlsx` and `zhidu rules seed` (the default pack; idempotent).

import: a text file (one term per line; # comments) or an .xlsx workbook with the columns
term[, category, severity, article, rule] (an optional header row names them; empty cells take the
command-line defaults). The whole file is validated first: with any bad row nothing is written and the
error lists the row numbers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhidu.compliance import services
from zhidu.compliance.models import Category, Severity
from zhidu.core.errors import DomainError


class Command(BaseCommand):
    help = "Import, export or seed compliance rules."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import terms from a text or .xlsx file")
        imp.add_argument("file")
        imp.add_argument("--category", choices=Category.values, default="")
        imp.add_argument("--severity", choices=Severity.values, default=Severity.MEDIUM)
        imp.add_argument("--article", default="", help="article key, e.g. sales-conduct#22.2")
        imp.add_argument(
            "--rule", default="", help="rule code to add the terms to (default imported-<category>-<severity>)"
        )
        exp = sub.add_parser("export", help="export every term to an .xlsx workbook")
        exp.add_argument("file")
        sub.add_parser("seed", help="create the default rule pack's missing rules")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            getattr(self, f"_{opts['action']}")(opts)
        except DomainError as exc:
            raise CommandError(exc.message) from None

    def _import(self, opts: dict[str, Any]) -> None:
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"{path} is not a readable file")
        if not path.name.lower().endswith(".xlsx") and not opts["category"]:
            raise CommandError("--category is required for a text file")
        rows = services.parse_terms_file(
            path.name,
            path.read_bytes(),
            category=opts["category"],
            severity=opts["severity"],
            article=opts["article"],
            rule=opts["rule"],
        )
        result = services.rules_import(actor=None, rows=rows)
        self.stdout.write(
            f"rules_created={result.rules_created} terms_added={result.terms_added} "
            f"terms_existing={result.terms_existing} rules={','.join(result.rules)}"
        )

    def _export(self, opts: dict[str, Any]) -> None:
        if not opts["file"].lower().endswith(".xlsx"):
            raise CommandError("the export file name must end with .xlsx")
        count = services.rules_export_xlsx(opts["file"])
        self.stdout.write(f"exported {count} terms to {opts['file']}")

    def _seed(self, opts: dict[str, Any]) -> None:
        self.stdout.write(f"created {services.rules_seed_default(actor=None)} rules")
