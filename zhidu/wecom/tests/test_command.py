"""`zhidu wecom sync` and `zhidu wecom flush-outbox` as an operator runs them."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from zhidu.org.models import Member
from zhidu.wecom.models import OutboxMessage, OutboxStatus
from zhidu.wecom.sync import Progress

pytestmark = pytest.mark.django_db


def test_sync_command_prints_counts(wecom_sim, wecom_settings):  # type: ignore[no-untyped-def]
    out = io.StringIO()
    call_command("wecom", "sync", "--what", "contacts,tags", stdout=out)
    text = out.getvalue()
    assert "contacts: departments_created=" in text
    assert f"members_created={len(wecom_sim.company.active_users())}" in text
    assert "tags: " in text and "customers:" not in text
    assert "WeCom sync finished in" in text
    assert "\r" not in text  # not a terminal: plain lines
    assert Member.objects.count() == len(wecom_sim.company.active_users())


def test_sync_command_json(wecom_sim, wecom_settings):  # type: ignore[no-untyped-def]
    out = io.StringIO()
    call_command("wecom", "sync", "--what", "tags", "--json", stdout=out)
    counts = json.loads(out.getvalue())
    assert counts["tags"]["tags_created"] == len(wecom_sim.company.tags)


def test_sync_command_rejects_unknown_parts():
    with pytest.raises(CommandError):
        call_command("wecom", "sync", "--what", "contacts,everything")


def test_sync_command_reports_failure(settings):  # type: ignore[no-untyped-def]
    settings.WECOM_API_BASE = "http://127.0.0.1:9"
    settings.WECOM_MAX_TRIES = 1
    settings.WECOM_CORP_ID, settings.WECOM_CONTACT_SECRET = "wwnobody", "nothing"
    with pytest.raises(CommandError, match="WeCom sync failed"):
        call_command("wecom", "sync", "--what", "contacts", stdout=io.StringIO())


def test_flush_outbox_command(wecom_sim, wecom_settings):  # type: ignore[no-untyped-def]
    userid = wecom_sim.company.active_users()[0].userid
    from django.utils import timezone

    message = OutboxMessage.objects.create(
        channel="app", to_userids=[userid], content={"content": "hi"}, next_attempt_at=timezone.now()
    )
    out = io.StringIO()
    call_command("wecom", "flush-outbox", stdout=out)
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert out.getvalue() == "outbox: sent=1; callbacks: nothing to retry\n"


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_on_a_terminal():
    stream = FakeTerminal()
    progress = Progress(stream)
    for done in range(1, 11):
        progress.step("groups", done, 10)
    text = stream.getvalue()
    assert text.startswith("\rgroups")
    assert "[##############################] 10/10\n" in text


def test_no_progress_bar_without_a_terminal():
    stream = io.StringIO()
    Progress(stream).step("groups", 5, 10)
    assert stream.getvalue() == ""
