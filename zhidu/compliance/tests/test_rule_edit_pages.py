"""The rule editor pages: who may open and post them, what a save and a refused save do, the HTMX test
box, revisions, and hit counts on the rules page in a bounded number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from conftest import ACTOR_NAMES
from zhidu.compliance.models import Rule, RuleRevision, RuleTerm, Violation
from zhidu.core.models import AuditEvent

from .factories import make_rule, make_violation

EDITORS = {"compliance", "admin"}
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def form(rule, **over):
    data = {
        "name": rule.name,
        "severity": rule.severity,
        "enabled": "1",
        "article": rule.article,
        "terms": "\n".join(RuleTerm.objects.filter(rule=rule).values_list("term", flat=True)),
        "patterns": "",
        "allow": "",
    }
    return data | over


def state():
    return (
        list(Rule.objects.values_list("code", "name", "severity", "enabled")),
        sorted(RuleTerm.objects.values_list("term", flat=True)),
        RuleRevision.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_editor_pages_are_for_compliance_and_admin(actors, login, actor):
    rule = make_rule()
    client = login(actors.by_name(actor))
    before = state()
    urls = [f"/compliance/rules/{rule.pk}/edit/", "/compliance/rules/new/"]
    for url in urls:
        assert client.get(url).status_code == (200 if actor in EDITORS else 404)
    resp = client.post(f"/compliance/rules/{rule.pk}/edit/", form(rule, terms="绝对第一"))
    test = client.post(f"/compliance/rules/{rule.pk}/test/", form(rule, sample="绝对第一"), HTTP_HX_REQUEST="true")
    if actor in EDITORS:
        assert resp.status_code == 302 and test.status_code == 200
        assert sorted(RuleTerm.objects.values_list("term", flat=True)) == ["绝对第一"]
    else:
        assert resp.status_code == 404 and test.status_code == 404 and state() == before


def test_missing_rule_is_404(actors, login):
    assert login(actors.compliance).get("/compliance/rules/999999/edit/").status_code == 404


def test_save_shows_revision_and_refusal_shows_reason_in_chinese(actors, login):
    rule = make_rule()
    client = login(actors.compliance)
    resp = client.post(f"/compliance/rules/{rule.pk}/edit/", form(rule, terms="全网最低价\n绝对第一"), **ZH)
    assert resp.status_code == 302
    body = client.get(f"/compliance/rules/{rule.pk}/edit/", **ZH).content.decode()
    assert 'data-revision="2"' in body and "绝对第一" in body and "规则已保存" in body
    before = state()
    resp = client.post(f"/compliance/rules/{rule.pk}/edit/", form(rule, terms="", patterns=""), **ZH)
    assert resp.status_code == 400 and "没有任何检测内容" in resp.content.decode() and state() == before
    resp = client.post(f"/compliance/rules/{rule.pk}/edit/", form(rule, patterns="加(微信"), **ZH)
    assert resp.status_code == 400 and "不是有效的正则表达式" in resp.content.decode() and state() == before
    assert "加(微信" in resp.content.decode()  # the posted value is kept in the form


def test_new_rule_page_creates(actors, login):
    client = login(actors.admin)
    resp = client.post(
        "/compliance/rules/new/",
        {"code": "custom-vx", "category": "private_deal", "name": "私加微信", "severity": "high", "terms": "加我vx"},
    )
    rule = Rule.objects.get(code="custom-vx")
    assert resp.status_code == 302 and resp["Location"] == f"/compliance/rules/{rule.pk}/edit/"
    assert not rule.enabled  # the checkbox was not sent
    data = {"code": "custom-2", "category": "private_deal", "name": "x", "severity": "low"}
    resp = client.post("/compliance/rules/new/", data, **ZH)
    assert resp.status_code == 400 and "没有任何检测内容" in resp.content.decode()


def test_test_box_shows_hits_of_the_unsaved_draft(actors, login):
    rule = make_rule()
    client = login(actors.compliance)
    data = form(rule, terms="史上最强", allow="不是史上最强", sample="<b>史上最强</b>", sample_chat_type="group")
    body = client.post(f"/compliance/rules/{rule.pk}/test/", data, HTTP_HX_REQUEST="true", **ZH).content.decode()
    assert "&lt;b&gt;<mark>史上最强</mark>&lt;/b&gt;" in body and "<b>" not in body
    assert 'data-testid="suppressed"' not in body and "虚假或夸大宣传" in body
    data["sample"] = "这不是史上最强的"
    body = client.post(f"/compliance/rules/{rule.pk}/test/", data, HTTP_HX_REQUEST="true", **ZH).content.decode()
    assert 'data-testid="own-none"' in body and 'data-testid="suppressed"' in body
    assert "位于豁免短语“不是史上最强”之内" in body
    assert list(RuleTerm.objects.values_list("term", flat=True)) == ["全网最低价"]
    body = client.post(
        f"/compliance/rules/{rule.pk}/test/", form(rule, patterns="(", sample="x"), HTTP_HX_REQUEST="true", **ZH
    ).content.decode()
    assert 'data-testid="test-error"' in body and "不是有效的正则表达式" in body


def test_revision_diff_and_restore_pages(actors, login):
    rule = make_rule()
    client = login(actors.compliance)
    client.post(f"/compliance/rules/{rule.pk}/edit/", form(rule, terms="绝对第一", severity="low"))
    body = client.get(f"/compliance/rules/{rule.pk}/revisions/2/", **ZH).content.decode()
    assert "+ 绝对第一" in body and "− 全网最低价" in body and "高" in body and "低" in body
    assert client.get(f"/compliance/rules/{rule.pk}/revisions/9/").status_code == 404
    resp = client.post(f"/compliance/rules/{rule.pk}/revisions/1/restore/")
    assert resp.status_code == 302
    assert list(RuleTerm.objects.values_list("term", flat=True)) == ["全网最低价"]
    assert RuleRevision.objects.filter(rule=rule).count() == 3


def test_rules_page_shows_hit_counts_in_bounded_queries(actors, login, django_assert_max_num_queries):
    rule = make_rule()
    other = make_rule("other", terms=("加我微信",))
    for i in range(4):
        v = make_violation(actors.sales, text=f"全网最低价{i}", rule=rule)
        Violation.objects.filter(pk=v.pk).update(occurred_at=timezone.now() - dt.timedelta(days=2))
        if i == 0:
            Violation.objects.filter(pk=v.pk).update(status="confirmed")
        if i == 1:
            Violation.objects.filter(pk=v.pk).update(status="dismissed")
        if i == 3:
            Violation.objects.filter(pk=v.pk).update(occurred_at=timezone.now() - dt.timedelta(days=31))
    client = login(actors.compliance)
    with django_assert_max_num_queries(8):
        resp = client.get("/compliance/rules/")
    hits = {r.code: (r.hits.total, r.hits.confirmed, r.hits.dismissed) for r in resp.context["rules"]}
    assert hits == {"test-absolute": (3, 1, 1), "other": (0, 0, 0)}
    for i in range(20):
        make_rule(f"more-{i}", terms=(f"词{i}",))
    with django_assert_max_num_queries(8):
        client.get("/compliance/rules/")
    body = client.get(f"/compliance/rules/{rule.pk}/edit/", **ZH).content.decode()
    assert "3 条违规" in body and other.pk


def test_hit_days_is_a_setting(actors, login, settings):
    rule = make_rule()
    v = make_violation(actors.sales, rule=rule)
    assert login(actors.compliance).get("/compliance/rules/").context["rules"][0].hits.total == 0
    Violation.objects.filter(pk=v.pk).update(occurred_at=timezone.now() - dt.timedelta(days=40))
    client = login(actors.compliance)
    assert client.get("/compliance/rules/").context["rules"][0].hits.total == 0
    settings.RULE_HITS_DAYS = 60
    assert client.get("/compliance/rules/").context["rules"][0].hits.total == 1


def test_saving_a_default_rule_keeps_its_name_translatable(actors, login):
    rule = make_rule(builtin=True)
    Rule.objects.filter(pk=rule.pk).update(name="Absolute or superlative claims")
    rule.refresh_from_db()
    client = login(actors.compliance)
    body = client.get(f"/compliance/rules/{rule.pk}/edit/", **ZH).content.decode()
    assert 'name="name" value="绝对化用语"' in body and "Absolute or superlative claims" not in body
    assert (
        client.post(f"/compliance/rules/{rule.pk}/edit/", form(rule, name="绝对化用语", severity="low")).status_code
        == 302
    )
    rule.refresh_from_db()
    assert (rule.name, rule.severity) == ("Absolute or superlative claims", "low")


def test_admins_see_no_hit_counts(actors, login):
    rule = make_rule()
    v = make_violation(actors.sales, rule=rule)
    Violation.objects.filter(pk=v.pk).update(occurred_at=timezone.now())
    compliance = login(actors.compliance).get("/compliance/rules/").content.decode()
    assert f'data-testid="hits-{rule.code}">1' in compliance
    admin = login(actors.admin).get("/compliance/rules/").content.decode()
    assert f'data-testid="hits-{rule.code}">—' in admin
