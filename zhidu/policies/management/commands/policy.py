"""`zhidu policy import FILE [--title T] [--code C] [--document N] [--dry-run] [--format json]`.

Also: `zhidu policy load-demo` (our demo regulation, published) and `zhidu policy resolve KEY` (a citation).
With --format json the last line of output is one JSON object (counts, title, dry_run, ids when written).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations

from zhidu.core.errors import DomainError
from zhidu.org.models import Member

from ...parser import ParsedRegulation, ParseError, int_to_cn, parse_text, source_text
from ...parser.tree import SHAPE_LABELS
from ...selectors import article_resolve
from ...services import policy_import, policy_load_demo
from ...uploads import import_limits


class Command(BaseCommand):
    help = "Regulations: import a file (text, Markdown, .docx), load the demo regulation, resolve an article key."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, title="actions")
        imp = sub.add_parser("import", help="import one regulation as a new draft version (or only parse it)")
        imp.add_argument("file", help="a .txt, .md or .docx file")
        imp.add_argument("--title", default="", help="the regulation's title (default: the title in the file)")
        imp.add_argument("--code", default="", help="stable code, e.g. sales-conduct (default: derived)")
        imp.add_argument(
            "--document",
            type=int,
            default=None,
            help="which document of a multi-document file (1-based; default: the first with articles)",
        )
        imp.add_argument("--dry-run", action="store_true", help="parse and report only; write nothing")
        imp.add_argument("--format", choices=("text", "json"), default="text", dest="output_format")
        imp.add_argument("--actor", default="", help="login name of the member recorded as importer")
        demo = sub.add_parser("load-demo", help="import and publish the demo regulation (idempotent)")
        demo.add_argument("--format", choices=("text", "json"), default="text", dest="output_format")
        res = sub.add_parser("resolve", help="print the citation of an article key such as sales-conduct#17.1")
        res.add_argument("key")

    @no_translations  # an operator tool: its output is English, like its own messages
    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "import":
            self._import(options)
        elif action in ("load-demo", "load_demo"):
            version = policy_load_demo(actor=None)
            result = {
                "policy": version.policy.code,
                "policy_id": version.policy_id,
                "version_id": version.pk,
                "version": version.number,
                "status": version.status,
            }
            self._emit(f"《{version.policy.title}》v{version.number} {version.status}", result, options)
        else:
            found = article_resolve(options["key"])
            if found is None:
                raise CommandError(f"{options['key']!r} does not resolve to an article")
            self.stdout.write(found.citation)

    def _emit(self, text: str, result: dict[str, Any], options: dict[str, Any]) -> None:
        if options.get("output_format") == "json":
            self.stdout.write(text)
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self.stdout.write(text)

    def _fail(self, message: str, options: dict[str, Any], line: int | None = None) -> None:
        if options["output_format"] == "json":
            self.stdout.write(json.dumps({"error": message, "line": line}, ensure_ascii=False))
        raise CommandError(message)

    def _import(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            self._fail(f"{path}: cannot read the file ({exc.strerror or exc})", options)
            return
        actor = None
        if options["actor"]:
            actor = Member.objects.filter(user__username=options["actor"]).first()
            if actor is None:
                self._fail(f"no member with login name {options['actor']!r}", options)
        try:
            text, fmt = source_text(data, path.name, **import_limits())
            parsed = parse_text(text, fmt=fmt, document=options["document"], title=options["title"])
        except ParseError as exc:
            self._fail(f"{path}: {exc}", options, exc.line)
            return
        if not parsed.title:
            self._fail(f"{path}: no title found in the file; give one with --title", options)
        result: dict[str, Any] = {
            "title": parsed.title,
            "shape": parsed.shape,
            **parsed.counts(),
            "dry_run": options["dry_run"],
            "format": fmt,
            "warnings": parsed.warnings,
            "outline": parsed.outline(),
        }
        if not options["dry_run"]:
            try:
                version = policy_import(
                    actor=actor,
                    parsed=parsed,
                    source=text,
                    source_name=path.name,
                    source_format=fmt,
                    code=options["code"],
                    title=options["title"],
                )
            except DomainError as exc:
                self._fail(f"{path}: {exc.message}", options)
                return
            result.update(
                {
                    "policy": version.policy.code,
                    "policy_id": version.policy_id,
                    "version_id": version.pk,
                    "version": version.number,
                    "status": version.status,
                }
            )
        self.stdout.write(self._report(parsed, result))
        if options["output_format"] == "json":
            self.stdout.write(json.dumps(result, ensure_ascii=False))

    def _report(self, parsed: ParsedRegulation, result: dict[str, Any]) -> str:
        counts = f"{result['chapters']} chapters, {result['articles']} articles, {result['items']} items"
        lines = [f"《{parsed.title}》: {counts}", f"shape: {parsed.shape} — {SHAPE_LABELS[parsed.shape]}"]
        for group in parsed.outline():
            labels = [a["label"] or f"第{int_to_cn(a['number'])}条" for a in group["articles"]]
            span = f"{labels[0]}–{labels[-1]}" if labels else "no articles"
            head = f"第{int_to_cn(group['chapter'])}章 {group['title']}" if group["chapter"] else "(no chapter)"
            items = sum(a["items"] for a in group["articles"])
            lines.append(f"  {head}: {span}" + (f", {items} items" if items else ""))
        lines.extend(f"warning: {w}" for w in parsed.warnings)
        if result["dry_run"]:
            lines.append("dry run: nothing written")
        else:
            lines.append(
                f"imported as {result['policy']} v{result['version']} (draft, version id {result['version_id']})"
            )
        return "\n".join(lines)
