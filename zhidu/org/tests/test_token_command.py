"""`zhidu token create|list|revoke`: the printed token works, listings never show it, every change is audited."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from zhidu.core.models import AuditEvent
from zhidu.org.models import ApiToken


def run(*args: str) -> str:
    out = StringIO()
    call_command("token", *args, stdout=out)
    return out.getvalue()


def test_create_prints_a_working_token(client, actors):
    out = run("--operator", "ops", "create", "sales", "--name", "报表脚本")
    key = out.strip().splitlines()[-1]
    assert key.startswith("zd_") and " " not in key
    resp = client.get("/api/org/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert resp.status_code == 200 and resp.json()["id"] == actors.sales.pk
    token = ApiToken.objects.get(member=actors.sales)
    assert token.name == "报表脚本" and token.key_hash == ApiToken.hash_key(key) and key not in token.key_hash
    event = AuditEvent.objects.get(verb="api_token.create", target_id=str(token.pk))
    assert event.actor is None and event.actor_label == "operator:ops"


def test_list_shows_no_clear_token(actors):
    key = run("create", "sales").strip().splitlines()[-1]
    run("create", "manager", "--name", "bi")
    listing = run("list")
    assert key not in listing and key[:10] in listing and "bi" in listing
    only_sales = run("list", "sales")
    assert key[:10] in only_sales and "manager" not in only_sales


def test_revoke_by_prefix_and_by_id(client, actors):
    key = run("create", "sales").strip().splitlines()[-1]
    token = ApiToken.objects.get(member=actors.sales)
    run("--operator", "ops", "revoke", token.prefix)
    assert client.get("/api/org/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    event = AuditEvent.objects.get(verb="api_token.revoke", target_id=str(token.pk))
    assert event.actor_label == "operator:ops"
    key2 = run("create", "sales").strip().splitlines()[-1]
    second = ApiToken.objects.get(member=actors.sales, revoked_at__isnull=True)
    run("revoke", str(second.pk))
    assert client.get("/api/org/me", HTTP_AUTHORIZATION=f"Bearer {key2}").status_code == 401
    assert "revoked" in run("list", "sales")


@pytest.mark.parametrize(
    "args, message",
    [
        (("create", "nobody"), "no member with login name"),
        (("revoke", "zd_missing"), "no token"),
        (("revoke", "999999"), "no token"),
        (("list", "nobody"), "no member with login name"),
    ],
)
def test_errors(actors, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not ApiToken.objects.exists()


def test_no_token_for_inactive_members(actors):
    actors.sales.status = "suspended"
    actors.sales.save(update_fields=["status"])
    with pytest.raises(CommandError, match="not active"):
        run("create", "sales")
    assert not ApiToken.objects.exists()
