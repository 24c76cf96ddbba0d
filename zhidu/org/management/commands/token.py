"""`zhidu token create USERNAME [--name LABEL]`, `zhidu token list [USERNAME]`, `zhidu token revoke ID|PREFIX`.

REST API tokens for operators (scripts, integrations). `create` prints the new token once, alone on the last
line of output; only its SHA-256 is stored. `list` never shows a token, only label, prefix and dates.
Every create and revoke is audited with the operator label `operator:<OS user>` (or `--operator`).
"""

from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations

from zhidu.core.errors import DomainError
from zhidu.org.models import ApiToken, Member
from zhidu.org.services import api_token_create, api_token_revoke


def _default_operator() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "cli"


class Command(BaseCommand):
    help = "REST API tokens: create one for a login, list them (never in clear), revoke one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--operator", default="", help="who runs this, for the audit log (default: OS user)")
        sub = parser.add_subparsers(dest="action", required=True, title="actions")
        create = sub.add_parser("create", help="create a token for USERNAME and print it (shown once)")
        create.add_argument("username", help="the member's login name")
        create.add_argument("--name", default="cli", help="a label for the token (default: cli)")
        listing = sub.add_parser("list", help="list tokens (all, or one login's)")
        listing.add_argument("username", nargs="?", default="")
        revoke = sub.add_parser("revoke", help="revoke a token by id or prefix")
        revoke.add_argument("token", help="the id (a number) or the prefix shown by `list`")

    @no_translations  # an operator tool: its output is English, like its own messages
    def handle(self, *args: Any, **options: Any) -> None:
        label = f"operator:{options['operator'] or _default_operator()}"
        try:
            if options["action"] == "create":
                self._create(options["username"], options["name"], label)
            elif options["action"] == "list":
                self._list(options["username"])
            else:
                self._revoke(options["token"], label)
        except DomainError as exc:
            raise CommandError(exc.message) from None

    def _create(self, username: str, name: str, label: str) -> None:
        member = Member.objects.filter(user__username=username).first()
        if member is None:
            raise CommandError(f"no member with login name {username!r}")
        token, key = api_token_create(actor=None, member=member, name=name, actor_label=label)
        self.stdout.write(f"Token {token.pk} ({token.name!r}, prefix {token.prefix}) for {member.name} [{username}]:")
        self.stdout.write("It is shown only now; store it safely.")
        self.stdout.write(key)

    def _list(self, username: str) -> None:
        tokens = ApiToken.objects.select_related("member__user").order_by("pk")
        if username:
            if not Member.objects.filter(user__username=username).exists():
                raise CommandError(f"no member with login name {username!r}")
            tokens = tokens.filter(member__user__username=username)
        self.stdout.write(
            f"{'id':>5}  {'login':<16} {'label':<16} {'prefix':<12} {'created':<16} {'last used':<16} state"
        )

        def when(value: Any) -> str:
            return value.strftime("%Y-%m-%d %H:%M") if value else "-"

        for t in tokens:
            login = t.member.user.username if t.member.user else "-"
            state = f"revoked {when(t.revoked_at)}" if t.revoked_at else "active"
            self.stdout.write(
                f"{t.pk:>5}  {login:<16} {t.name:<16} {t.prefix:<12} {when(t.created_at):<16} "
                f"{when(t.last_used_at):<16} {state}"
            )

    def _revoke(self, ref: str, label: str) -> None:
        ref = ref.strip().rstrip("…")
        matches = list(ApiToken.objects.filter(pk=int(ref)) if ref.isdigit() else ApiToken.objects.filter(prefix=ref))
        if not matches:
            raise CommandError(f"no token with id or prefix {ref!r}")
        if len(matches) > 1:
            raise CommandError(f"prefix {ref!r} matches tokens {', '.join(str(t.pk) for t in matches)}; use the id")
        token = matches[0]
        if token.revoked_at is not None:
            self.stdout.write(f"Token {token.pk} was already revoked.")
            return
        api_token_revoke(actor=None, token=token, actor_label=label)
        self.stdout.write(f"Token {token.pk} ({token.prefix}) revoked.")
