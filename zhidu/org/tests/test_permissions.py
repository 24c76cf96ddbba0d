"""One table: every org/core/web page and endpoint against every canonical actor.

Denied write cases also assert that nothing changed (same counts, same states).
"""

from __future__ import annotations

import json

import pytest

from conftest import ACTOR_NAMES
from zhidu.core.models import AuditEvent
from zhidu.org import services
from zhidu.org.models import Member, MembershipApplication

ALL = set(ACTOR_NAMES)
LEADS = {"director", "manager", "supervisor", "supervisor_b"}

# (url template, allowed actors) for GET pages; others get 403 (role) or 404 (scope).
PAGES = [
    ("/", ALL),
    ("/org/", ALL),
    ("/org/members/{sales}/", {"director", "manager", "supervisor", "sales", "compliance", "admin"}),
    ("/org/applications/", LEADS | {"admin"}),
    ("/org/tokens/", ALL),
    ("/audit/audit/", {"admin", "compliance"}),
]


@pytest.mark.parametrize("actor", ACTOR_NAMES)
@pytest.mark.parametrize("url, allowed", PAGES, ids=[p[0] for p in PAGES])
def test_pages(actors, login, actor, url, allowed):
    client = login(actors.by_name(actor))
    resp = client.get(url.format(sales=actors.sales.pk))
    if actor in allowed:
        assert resp.status_code == 200
    else:
        assert resp.status_code in (403, 404)


def test_pages_require_login(client, actors):
    for url, _allowed in PAGES:
        resp = client.get(url.format(sales=actors.sales.pk))
        assert resp.status_code == 302 and "/login/" in resp["Location"]


API_READS = [
    ("/api/org/me", ALL),
    ("/api/org/departments", ALL),
    ("/api/org/members", ALL),
    ("/api/org/members/{sales}", {"director", "manager", "supervisor", "sales", "compliance", "admin"}),
    ("/api/org/applications", ALL),  # a list: out-of-scope actors get an empty list
]


def bearer(member):
    _token, key = services.api_token_create(actor=member, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.mark.parametrize("actor", ACTOR_NAMES)
@pytest.mark.parametrize("url, allowed", API_READS, ids=[p[0] for p in API_READS])
def test_api_reads(client, actors, actor, url, allowed):
    resp = client.get(url.format(sales=actors.sales.pk), **bearer(actors.by_name(actor)))
    assert resp.status_code == (200 if actor in allowed else 404)


def test_api_needs_auth(client, actors):
    assert client.get("/api/org/members").status_code == 401
    assert client.get("/api/org/members", HTTP_AUTHORIZATION="Bearer nope").status_code == 401


def test_api_member_list_is_scoped(client, actors):
    names = {m["name"] for m in client.get("/api/org/members", **bearer(actors.supervisor)).json()}
    assert names == {actors.supervisor.name, actors.sales.name}


def snapshot():
    return (
        AuditEvent.objects.count(),
        Member.objects.count(),
        MembershipApplication.objects.count(),
        sorted(Member.objects.values_list("pk", "status", "role", "reports_to_id")),
    )


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_suspend_via_page(actors, login, actor):
    client = login(actors.by_name(actor))
    before = snapshot()
    resp = client.post(f"/org/members/{actors.sales.pk}/suspend/", {"reason": "违规"})
    actors.sales.refresh_from_db()
    if actor in {"director", "manager", "supervisor", "admin"}:
        assert resp.status_code == 302 and actors.sales.status == "suspended"
    else:
        assert actors.sales.status == "active"
        assert snapshot() == before


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_suspend_via_api(client, actors, actor):
    headers = bearer(actors.by_name(actor))
    before = snapshot()
    resp = client.post(
        f"/api/org/members/{actors.sales.pk}/suspend",
        data=json.dumps({"reason": "违规"}),
        content_type="application/json",
        **headers,
    )
    actors.sales.refresh_from_db()
    if actor in {"director", "manager", "supervisor", "admin"}:
        assert resp.status_code == 200 and actors.sales.status == "suspended"
    else:
        assert resp.status_code in (403, 404)
        assert snapshot() == before


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_approve_application_page(actors, login, actor):
    app = services.application_submit(
        name="申请人", username="applicant", password="long-enough-1", department=actors.dept1, lead=actors.supervisor
    )
    client = login(actors.by_name(actor))
    before = snapshot()
    client.post(f"/org/applications/{app.pk}/approve/", {"reason": "ok"})
    app.refresh_from_db()
    if actor in {"director", "manager", "supervisor", "admin"}:
        assert app.status == "approved"
    else:
        assert app.status == "pending"
        assert snapshot() == before


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_approve_application_api(client, actors, actor):
    app = services.application_submit(
        name="申请人", username="applicant", password="long-enough-1", department=actors.dept1, lead=actors.supervisor
    )
    headers = bearer(actors.by_name(actor))
    before = snapshot()
    resp = client.post(f"/api/org/applications/{app.pk}/approve", data="{}", content_type="application/json", **headers)
    app.refresh_from_db()
    if actor in {"director", "manager", "supervisor", "admin"}:
        assert resp.status_code == 200 and app.status == "approved"
    else:
        assert resp.status_code in (403, 404) and app.status == "pending"
        assert snapshot() == before


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_create_department_api(client, actors, actor):
    headers = bearer(actors.by_name(actor))
    before = snapshot()
    resp = client.post(
        "/api/org/departments",
        data=json.dumps({"name": "新部门", "parent_id": actors.root.pk}),
        content_type="application/json",
        **headers,
    )
    if actor in {"director", "admin"}:
        assert resp.status_code == 201
    else:
        assert resp.status_code in (403, 404)
        assert snapshot() == before


def test_api_bad_input_clear_errors(client, actors):
    headers = {**bearer(actors.admin), "HTTP_ACCEPT_LANGUAGE": "en"}
    before = snapshot()
    resp = client.post(
        "/api/org/members",
        data=json.dumps({"name": "x", "department_id": actors.dept1.pk, "role": "ceo"}),
        content_type="application/json",
        **headers,
    )
    assert resp.status_code == 400 and "Unknown role" in resp.json()["detail"]
    resp = client.patch(
        f"/api/org/departments/{actors.dept1.pk}",
        data=json.dumps({"parent_id": actors.dept1.pk, "move": True}),
        content_type="application/json",
        **headers,
    )
    assert resp.status_code == 400 and "cycle" in resp.json()["detail"]
    assert snapshot() == before


def test_errors_speak_the_request_language(client, actors, login):
    """The same error reads in Chinese by default and in English for an English session."""
    headers = bearer(actors.admin)
    payload = json.dumps({"name": "x", "department_id": actors.dept1.pk, "role": "ceo"})
    zh = client.post("/api/org/members", data=payload, content_type="application/json", **headers).json()
    en = client.post(
        "/api/org/members", data=payload, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en", **headers
    ).json()
    assert zh["detail"].startswith("未知角色 'ceo'") and en["detail"].startswith("Unknown role 'ceo'")
    assert zh["code"] == en["code"] == "invalid" and zh["field"] == "role"
    page = login(actors.supervisor)
    resp = page.post(f"/org/members/{actors.sales.pk}/suspend/", {"reason": ""}, follow=True)
    assert "请填写原因" in resp.content.decode()


def test_public_application_and_apply_page(client, actors):
    resp = client.post(
        "/api/org/applications",
        data=json.dumps(
            {
                "name": "公开申请",
                "username": "pub",
                "password": "long-enough-1",
                "department_id": actors.dept1.pk,
                "lead_id": actors.supervisor.pk,
            }
        ),
        content_type="application/json",
    )
    assert resp.status_code == 201 and resp.json()["status"] == "pending"
    resp = client.post(
        "/org/apply/",
        {
            "name": "页面申请",
            "username": "page",
            "password": "long-enough-1",
            "department": actors.dept1.pk,
            "lead": actors.supervisor.pk,
        },
    )
    assert resp.status_code == 200
    assert MembershipApplication.objects.filter(username="page", lead=actors.supervisor).exists()


def test_revoked_token_refused(client, actors):
    token, key = services.api_token_create(actor=actors.sales, name="t")
    services.api_token_revoke(actor=actors.sales, token=token)
    assert client.get("/api/org/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_public_application_cannot_name_a_non_lead(client, actors):
    """Ids of ordinary members must not be usable to learn their names through error messages."""
    before = snapshot()
    resp = client.post(
        "/api/org/applications",
        data=json.dumps(
            {
                "name": "探测",
                "username": "probe",
                "password": "long-enough-1",
                "department_id": actors.dept1.pk,
                "lead_id": actors.sales.pk,
            }
        ),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert resp.status_code == 400 and actors.sales.name not in resp.json()["detail"]
    assert snapshot() == before


def test_member_api_cannot_name_a_foreign_lead(client, actors):
    headers = {**bearer(actors.manager), "HTTP_ACCEPT_LANGUAGE": "en"}
    before = snapshot()
    resp = client.patch(
        f"/api/org/members/{actors.sales.pk}",
        data=json.dumps({"reports_to_id": actors.outsider.pk, "change_reports_to": True}),
        content_type="application/json",
        **headers,
    )
    assert resp.status_code == 400 and resp.json()["detail"] == "Unknown team lead."
    assert actors.outsider.name not in resp.content.decode()
    assert snapshot() == before
