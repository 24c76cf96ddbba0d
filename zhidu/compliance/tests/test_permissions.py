"""One table per surface: every compliance page and endpoint against every canonical actor.

The violation belongs to `sales` (reports to `supervisor`, department 销售一部 under `manager`).
Denied writes also assert that nothing changed.
"""

from __future__ import annotations

import pytest

from conftest import ACTOR_NAMES
from zhidu.compliance.models import Rule, RuleTerm, Violation
from zhidu.core.models import AuditEvent
from zhidu.org import services as org_services

from .factories import make_rule, make_violation

ALL = set(ACTOR_NAMES)
SEES_SALES = {"director", "manager", "supervisor", "sales", "compliance"}
REVIEWS_SALES = {"director", "manager", "supervisor", "compliance"}
RULE_PEOPLE = {"director", "compliance", "admin"}

PAGES = [
    ("/compliance/", ALL - {"admin"}),
    (
        "/compliance/?status=open&category=false_claim&severity=high&date_from=2020-01-01&date_to=2099-01-01",
        ALL - {"admin"},
    ),
    ("/compliance/violations/{v}/", SEES_SALES),
    ("/compliance/rules/", RULE_PEOPLE),
    ("/compliance/rules/export/", RULE_PEOPLE),
]


@pytest.fixture
def violation(actors):
    return make_violation(actors.sales)


def snapshot():
    return (
        AuditEvent.objects.count(),
        list(Violation.objects.values_list("status", "reviewed_by", "reason")),
        list(Rule.objects.values_list("code", "enabled")),
        RuleTerm.objects.count(),
    )


@pytest.mark.parametrize("actor", ACTOR_NAMES)
@pytest.mark.parametrize("url, allowed", PAGES, ids=[p[0] for p in PAGES])
def test_pages(actors, login, violation, actor, url, allowed):
    resp = login(actors.by_name(actor)).get(url.format(v=violation.pk))
    if actor in allowed:
        assert resp.status_code == 200
    else:
        assert resp.status_code in (403, 404)


def test_pages_require_login(client, violation):
    for url, _allowed in PAGES:
        resp = client.get(url.format(v=violation.pk))
        assert resp.status_code == 302 and "/login/" in resp["Location"]


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_inbox_is_scoped(actors, login, violation, actor):
    make_violation(actors.sales_b, text="全网最低价B")
    resp = login(actors.by_name(actor)).get("/compliance/")
    if actor == "admin":
        assert resp.status_code == 403
        return
    shown = {v.member.name for v in resp.context["page"]}
    expected = {
        "director": {"周销售", "吴销售"},
        "compliance": {"周销售", "吴销售"},
        "manager": {"周销售", "吴销售"},
        "supervisor": {"周销售"},
        "sales": {"周销售"},
        "supervisor_b": {"吴销售"},
        "sales_b": {"吴销售"},
        "outsider": set(),
    }[actor]
    assert shown == expected


@pytest.mark.parametrize("actor", ACTOR_NAMES)
@pytest.mark.parametrize("htmx", [False, True])
def test_review_page_post(actors, login, violation, actor, htmx):
    client = login(actors.by_name(actor))
    before = snapshot()
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    resp = client.post(
        f"/compliance/violations/{violation.pk}/review/", {"decision": "confirm", "reason": "属实"}, **headers
    )
    violation.refresh_from_db()
    if actor in REVIEWS_SALES:
        assert resp.status_code == (200 if htmx else 302)
        assert violation.status == "confirmed" and violation.reviewed_by == actors.by_name(actor)
    else:
        assert resp.status_code in (403, 404)
        assert snapshot() == before


def test_htmx_dismiss_without_reason_shows_the_error(actors, login, violation):
    resp = login(actors.supervisor).post(
        f"/compliance/violations/{violation.pk}/review/",
        {"decision": "dismiss", "reason": ""},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert resp.status_code == 200 and "A reason is required" in resp.content.decode()
    violation.refresh_from_db()
    assert violation.status == "open"


def test_detail_shows_evidence_and_form_for_the_reviewer(actors, login, violation):
    body = login(actors.supervisor).get(f"/compliance/violations/{violation.pk}/").content.decode()
    assert "<mark>全网最低价</mark>" in body and 'name="decision"' in body
    body = login(actors.sales).get(f"/compliance/violations/{violation.pk}/").content.decode()
    assert "<mark>全网最低价</mark>" in body and 'name="decision"' not in body


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_rule_toggle(actors, login, actor):
    rule = make_rule()
    before = snapshot()
    resp = login(actors.by_name(actor)).post(
        f"/compliance/rules/{rule.pk}/toggle/", {"enabled": "0"}, HTTP_HX_REQUEST="true"
    )
    rule.refresh_from_db()
    if actor in RULE_PEOPLE:
        assert resp.status_code == 200 and not rule.enabled
        assert AuditEvent.objects.filter(verb="rule.disable", target_id=str(rule.pk)).exists()
    else:
        assert resp.status_code in (403, 404) and snapshot() == before


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_rules_import_page(actors, login, actor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = snapshot()
    upload = SimpleUploadedFile("terms.txt", "赌博网站\n六合彩\n".encode())
    resp = login(actors.by_name(actor)).post(
        "/compliance/rules/import/", {"file": upload, "category": "prohibited", "severity": "high"}
    )
    if actor in RULE_PEOPLE:
        assert resp.status_code == 302
        assert set(RuleTerm.objects.values_list("term", flat=True)) == {"赌博网站", "六合彩"}
    else:
        assert resp.status_code in (403, 404) and snapshot() == before


# ----------------------------------------------------------------------------------------------- API


def bearer(member):
    _token, key = org_services.api_token_create(actor=member, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_api_list_and_detail(client, actors, violation, actor):
    auth = bearer(actors.by_name(actor))
    listed = client.get("/api/compliance/violations?status=open", **auth)
    assert listed.status_code == 200
    assert [v["id"] for v in listed.json()] == ([violation.pk] if actor in SEES_SALES else [])
    detail = client.get(f"/api/compliance/violations/{violation.pk}", **auth)
    assert detail.status_code == (200 if actor in SEES_SALES else 404)
    if actor in SEES_SALES:
        body = detail.json()
        assert body["matched"] == "全网最低价" and [e["focus"] for e in body["evidence"]] == [True]


@pytest.mark.parametrize("actor", ACTOR_NAMES)
@pytest.mark.parametrize("decision", ["confirm", "dismiss"])
def test_api_review(client, actors, violation, actor, decision):
    auth = bearer(actors.by_name(actor))
    before = snapshot()
    resp = client.post(
        f"/api/compliance/violations/{violation.pk}/{decision}",
        {"reason": "核实"},
        content_type="application/json",
        **auth,
    )
    if actor in REVIEWS_SALES:
        assert (
            resp.status_code == 200
            and resp.json()["status"] == {"confirm": "confirmed", "dismiss": "dismissed"}[decision]
        )
    else:
        assert resp.status_code == (403 if actor in SEES_SALES else 404)
        assert snapshot()[1:] == before[1:]


def test_api_dismiss_needs_reason(client, actors, violation):
    resp = client.post(
        f"/api/compliance/violations/{violation.pk}/dismiss",
        {"reason": ""},
        content_type="application/json",
        **bearer(actors.supervisor),
    )
    assert resp.status_code == 400 and resp.json()["field"] == "reason"


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_api_rules(client, actors, actor):
    make_rule()
    auth = bearer(actors.by_name(actor))
    codes = [r["code"] for r in client.get("/api/compliance/rules", **auth).json()]
    assert codes == (["test-absolute"] if actor in RULE_PEOPLE else [])
    before = snapshot()
    resp = client.post(
        "/api/compliance/rules/import",
        {"category": "prohibited", "terms": ["网络赌场"]},
        content_type="application/json",
        **auth,
    )
    if actor in RULE_PEOPLE:
        assert resp.status_code == 200 and resp.json()["terms_added"] == 1
    else:
        assert resp.status_code == 403 and snapshot()[1:] == before[1:]


def test_errors_speak_the_request_language(actors, login):
    """A bad term import reads in Chinese by default and in English for an English request; nothing is written."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(actors.compliance)
    before = (Rule.objects.count(), RuleTerm.objects.count())

    def post(**headers: str):  # type: ignore[no-untyped-def]
        upload = SimpleUploadedFile("t.txt", "六合彩".encode())
        form = {"file": upload, "category": "prohibited", "severity": "urgent"}
        return [
            str(m) for m in client.post("/compliance/rules/import/", form, follow=True, **headers).context["messages"]
        ]

    assert post() == ["未导入任何内容：有 1 行有误：第 1 行：未知严重程度 'urgent'（应为 low、medium 或 high）"]
    assert post(HTTP_ACCEPT_LANGUAGE="en") == [
        "The import was not written: 1 bad row(s): row 1: unknown severity 'urgent' (expected low, medium or high)"
    ]
    assert (Rule.objects.count(), RuleTerm.objects.count()) == before
