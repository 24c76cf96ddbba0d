"""`zhidu citations fill VERSION_ID` and `zhidu citations suggest VERSION_ID` (rules' citation maps).

fill: what publishing a version does — the library template's map (or the previous version's confirmed clauses
and the rules' legacy article keys), then keyword suggestions; decisions already taken are kept.
suggest: recompute only the keyword suggestions (rules without a confirmed clause in the version).
`VERSION_ID` may be `all`: every published version.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhidu.compliance import services
from zhidu.core.errors import DomainError
from zhidu.policies.models import PolicyVersion, VersionStatus


class Command(BaseCommand):
    help = "Fill or re-suggest the rules' citation maps of a published regulation version."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["fill", "suggest"])
        parser.add_argument("version", help="a regulation version id, or 'all' (every published version)")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["version"] == "all":
            versions = list(PolicyVersion.objects.filter(status=VersionStatus.PUBLISHED).order_by("pk"))
        elif str(opts["version"]).isdigit():
            versions = list(PolicyVersion.objects.filter(pk=int(opts["version"])))
            if not versions:
                raise CommandError(f"no regulation version {opts['version']}")
        else:
            raise CommandError("give a version id or 'all'")
        for version in versions:
            try:
                if opts["action"] == "fill":
                    if version.status != VersionStatus.PUBLISHED:
                        raise DomainError(services.ERR_NOT_CITABLE, status=version.status)
                    result = services.citation_map_fill(version=version)
                else:
                    result = services.citation_suggest(version=version)
            except DomainError as exc:
                raise CommandError(exc.message) from None
            self.stdout.write(
                f"{version} (id {version.pk}): {result.confirmed} confirmed, {result.suggested} suggested"
                + (f", {len(result.skipped)} template labels not found" if result.skipped else "")
            )
