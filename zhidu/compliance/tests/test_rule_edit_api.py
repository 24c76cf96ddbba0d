"""The rule editing API: PATCH, create, revisions and the test scan, per actor, with bad input refused in
clear Chinese and nothing written."""

from __future__ import annotations

import pytest

from conftest import ACTOR_NAMES
from zhidu.compliance.models import Rule, RuleRevision, RuleTerm
from zhidu.core.models import AuditEvent
from zhidu.org import services as org_services

from .factories import make_rule

EDITORS = {"compliance", "admin"}
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def bearer(member):
    _token, key = org_services.api_token_create(actor=member, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def state():
    return (
        list(Rule.objects.order_by("pk").values_list("code", "severity", "patterns", "enabled")),
        sorted(RuleTerm.objects.values_list("term", flat=True)),
        RuleRevision.objects.count(),
        AuditEvent.objects.filter(verb__startswith="rule.").count(),
    )


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_api_permissions(client, actors, actor):
    rule = make_rule()
    auth = bearer(actors.by_name(actor))
    before = state()
    patch = client.patch(
        f"/api/compliance/rules/{rule.pk}", {"terms": ["绝对第一"]}, content_type="application/json", **auth
    )
    create = client.post(
        "/api/compliance/rules",
        {"code": "c1", "category": "ads", "name": "广告", "terms": ["加群领券"]},
        content_type="application/json",
        **auth,
    )
    revisions = client.get(f"/api/compliance/rules/{rule.pk}/revisions", **auth)
    test = client.post(
        "/api/compliance/rules/test",
        {"text": "绝对第一", "rule_id": rule.pk, "fields": {"terms": ["绝对第一"]}},
        content_type="application/json",
        **auth,
    )
    if actor in EDITORS:
        assert (patch.status_code, create.status_code, revisions.status_code, test.status_code) == (200, 201, 200, 200)
        assert patch.json()["terms"] == ["绝对第一"] and patch.json()["revision"] == 2
        assert [r["number"] for r in revisions.json()] == [2, 1]
        assert revisions.json()[0]["actor_name"] == actors.by_name(actor).name
        assert [f["matched"] for f in test.json()["own"]] == ["绝对第一"]
        assert create.json()["code"] == "c1" and create.json()["revision"] == 1
    else:
        assert {patch.status_code, create.status_code, revisions.status_code, test.status_code} == {404}
        assert state() == before


@pytest.mark.parametrize(
    "payload, words",
    [
        ({"patterns": ["加(微信"]}, ["不是有效的正则表达式"]),
        ({"terms": [], "patterns": [], "detectors": []}, ["没有任何检测内容"]),
        ({"patterns": ["[a-z0-9]{6,}"]}, ["固定文字"]),
        ({"detectors": ["telepathy"]}, ["未知的检测器"]),
        ({"hour_start": 8}, ["开始和结束时间"]),
    ],
)
def test_api_bad_input_is_refused_in_chinese(client, actors, payload, words):
    rule = make_rule()
    before = state()
    resp = client.patch(
        f"/api/compliance/rules/{rule.pk}", payload, content_type="application/json", **bearer(actors.compliance), **ZH
    )
    assert resp.status_code == 400, resp.content
    assert all(w in resp.json()["detail"] for w in words) and resp.json()["field"]
    assert state() == before


def test_api_create_refuses_an_empty_rule(client, actors):
    resp = client.post(
        "/api/compliance/rules",
        {"code": "empty", "category": "ads", "name": "空"},
        content_type="application/json",
        **bearer(actors.admin),
        **ZH,
    )
    assert resp.status_code == 400 and "没有任何检测内容" in resp.json()["detail"]
    assert not Rule.objects.filter(code="empty").exists()


def test_api_test_scan_is_bounded_and_writes_nothing(client, actors):
    rule = make_rule()
    auth = bearer(actors.compliance)
    before = state()
    resp = client.post(
        "/api/compliance/rules/test",
        {"text": "x" * 2001, "rule_id": rule.pk},
        content_type="application/json",
        **auth,
    )
    assert resp.status_code in (400, 422)
    resp = client.post(
        "/api/compliance/rules/test",
        {"text": "这不是全网最低价", "rule_id": rule.pk, "fields": {"allow": ["不是全网最低价"]}},
        content_type="application/json",
        **auth,
    )
    assert resp.status_code == 200 and resp.json()["own"] == []
    assert [(f["matched"], f["allowed_by"]) for f in resp.json()["suppressed"]] == [("全网最低价", "不是全网最低价")]
    resp = client.post(
        "/api/compliance/rules/test",
        {"text": "私下加我vx", "category": "private_deal", "fields": {"terms": ["加我vx"], "name": "草稿"}},
        content_type="application/json",
        **auth,
    )
    assert resp.status_code == 200 and [f["rule"] for f in resp.json()["own"]] == ["draft"]
    assert state() == before
