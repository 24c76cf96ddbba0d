"""The WeCom bind endpoint is reachable, API docs need a login in production, every page sends a CSP."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.test import override_settings

from zhidu.core.models import AuditEvent

from .test_permissions import bearer


def test_bind_wecom_endpoint_is_reachable(client, actors):
    actors.sales.wecom_userid = None
    actors.sales.save(update_fields=["wecom_userid"])
    resp = client.put(
        f"/api/org/members/{actors.sales.pk}/wecom",
        data=json.dumps({"wecom_userid": "zhou_new"}),
        content_type="application/json",
        **bearer(actors.supervisor),
    )
    assert resp.status_code == 200 and resp.json()["wecom_userid"] == "zhou_new"
    assert AuditEvent.objects.filter(verb="member.bind_wecom", target_id=str(actors.sales.pk)).exists()


def test_bind_wecom_is_refused_out_of_scope(client, actors):
    resp = client.put(
        f"/api/org/members/{actors.sales.pk}/wecom",
        data=json.dumps({"wecom_userid": "zhou_new"}),
        content_type="application/json",
        **bearer(actors.sales_b),
    )
    assert resp.status_code == 404


def test_transitions_still_answer_post(client, actors):
    resp = client.post(
        f"/api/org/members/{actors.sales.pk}/suspend",
        data=json.dumps({"reason": "违规"}),
        content_type="application/json",
        **bearer(actors.supervisor),
    )
    assert resp.status_code == 200 and resp.json()["status"] == "suspended"


DOCS = ["/api/docs", "/api/openapi.json"]


@override_settings(API_DOCS_PUBLIC=False)
@pytest.mark.parametrize("url", DOCS)
def test_docs_need_login_in_production(client, actors, login, url):
    resp = client.get(url)
    assert resp.status_code == 302 and "/login/" in resp["Location"]
    assert client.get(url, **bearer(actors.sales)).status_code == 200
    assert client.get(url, HTTP_AUTHORIZATION="Bearer nope").status_code == 302
    assert login(actors.sales).get(url).status_code == 200


@override_settings(API_DOCS_PUBLIC=True)
@pytest.mark.parametrize("url", DOCS)
def test_docs_open_in_development(client, db, url):
    assert client.get(url).status_code == 200


def test_production_default_closes_the_docs():
    import subprocess
    import sys

    code = "from django.conf import settings; print(settings.API_DOCS_PUBLIC)"
    env = {
        "ZHIDU_ENV": "production",
        "SECRET_KEY": "k" * 30 + "abcdefghijklmnopqrstuvwxyz",
        "DJANGO_SETTINGS_MODULE": "zhidu.settings",
        "PYTHONPATH": str(Path(__file__).resolve().parents[3]),
        "PATH": "/usr/bin:/bin",
    }
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code], env=env, capture_output=True, text=True
    )
    assert out.stdout.strip() == "False", out.stderr


@pytest.mark.parametrize("url", ["/login/", "/org/apply/", "/api/docs", "/admin/login/"])
def test_pages_send_a_content_security_policy(client, db, url):
    csp = client.get(url)["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>|\son[a-z]+\s*=", re.I)


def test_templates_have_no_inline_scripts():
    root = Path(__file__).resolve().parents[2]
    offenders = [
        str(p.relative_to(root))
        for p in root.glob("*/templates/**/*.html")
        if INLINE_SCRIPT.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


@pytest.mark.parametrize("action", ["promote", "wecom", "suspend/extra"])
def test_only_the_lifecycle_steps_are_member_actions(client, actors, action):
    """Each step is a literal route: an unknown one is 404 (405 for the PUT-only wecom path), nothing changes."""
    auth = bearer(actors.supervisor)
    before = AuditEvent.objects.count()
    resp = client.post(
        f"/api/org/members/{actors.sales.pk}/{action}",
        json.dumps({"reason": "x"}),
        content_type="application/json",
        **auth,
    )
    assert resp.status_code == (405 if action == "wecom" else 404)
    assert AuditEvent.objects.count() == before
    actors.sales.refresh_from_db()
    assert actors.sales.is_active
