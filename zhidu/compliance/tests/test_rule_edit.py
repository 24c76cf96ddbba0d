"""Editing rules: validation refuses bad input with the reason, saves write the rule, an audit event and a
revision together, restore and diff, the engine sees every change, and the test box writes nothing."""

from __future__ import annotations

import pytest
from django.db import connection  # noqa: F401  (pytest skipif expression)
from django.utils import translation

from zhidu.compliance import services
from zhidu.compliance.models import Rule, RuleRevision, RuleTerm
from zhidu.core.errors import DomainError
from zhidu.core.models import AuditEvent

from .factories import make_rule


def terms_of(rule):
    return list(RuleTerm.objects.filter(rule=rule).order_by("id").values_list("term", flat=True))


def test_update_writes_rule_terms_revision_and_audit(actors):
    rule = make_rule(terms=("全网最低价", "史上最强"))
    services.rule_update(
        actor=actors.compliance,
        rule=rule,
        terms=" 全网最低价\n\n绝对第一\n绝对第一\n",
        severity="low",
        allow=["不是全网最低价"],
        reason="收紧",
    )
    rule.refresh_from_db()
    assert terms_of(rule) == ["全网最低价", "绝对第一"] and rule.severity == "low"
    revs = list(RuleRevision.objects.filter(rule=rule).order_by("number"))
    assert [(r.number, r.baseline, r.actor) for r in revs] == [(1, True, None), (2, False, actors.compliance)]
    assert revs[0].snapshot["terms"] == ["全网最低价", "史上最强"] and revs[1].snapshot["terms"] == terms_of(rule)
    event = AuditEvent.objects.get(verb="rule.update", target_id=str(rule.pk))
    assert event.before["severity"] == "high" and event.after["severity"] == "low" and event.reason == "收紧"
    assert event.after["revision"] == 2


def test_unchanged_save_writes_nothing(actors):
    rule = make_rule()
    services.rule_update(actor=actors.compliance, rule=rule, terms=["全网最低价"], name=rule.name)
    assert not RuleRevision.objects.exists() and not AuditEvent.objects.filter(verb="rule.update").exists()


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"patterns": ["加(微信"]}, "patterns"),
        ({"patterns": ["[0-9]{6,}"]}, "patterns"),
        ({"patterns": ["WeChat\\d+"]}, "patterns"),
        ({"patterns": ["a*"]}, "patterns"),
        ({"terms": [], "patterns": [], "detectors": []}, "terms"),
        ({"terms": "\n  \n"}, "terms"),
        ({"terms": ["x" * 201]}, "terms"),
        ({"terms": ["\u200b\u200b"]}, "terms"),
        ({"detectors": ["telepathy"]}, "detectors"),
        ({"sides": ["robot"]}, "sides"),
        ({"severity": "fatal"}, "severity"),
        ({"name": ""}, "name"),
        ({"hour_start": 9}, "hour_start"),
        ({"hour_start": 9, "hour_end": 9}, "hour_start"),
        ({"article": "第七条"}, "article"),
        ({"members": [999999]}, "members"),
        ({"departments": [999999]}, "departments"),
        ({"code": "x"}, "code"),
    ],
)
def test_bad_input_is_refused_and_nothing_changes(actors, fields, field):
    rule = make_rule()
    before = (terms_of(rule), Rule.objects.values_list("severity", "patterns", "name").get(pk=rule.pk))
    with pytest.raises(DomainError) as exc:
        services.rule_update(actor=actors.compliance, rule=rule, **fields)
    assert exc.value.field == field and exc.value.message
    after = (terms_of(rule), Rule.objects.values_list("severity", "patterns", "name").get(pk=rule.pk))
    assert after == before and not RuleRevision.objects.exists() and not AuditEvent.objects.exists()


def test_reasons_are_explained_in_chinese(actors):
    rule = make_rule()
    cases = [
        ({"terms": [], "patterns": []}, ["没有任何检测内容"]),
        ({"patterns": ["加(微信"]}, ["不是有效的正则表达式", "加(微信"]),
        ({"patterns": ["[0-9]{6,}"]}, ["固定文字"]),
        ({"patterns": ["WeChat[0-9]+"]}, ["'wechat'"]),
        ({"sides": ["robot"]}, ["未知的发送方"]),
    ]
    for fields, words in cases:
        with translation.override("zh-hans"), pytest.raises(DomainError) as exc:
            services.rule_update(actor=actors.compliance, rule=rule, **fields)
        with translation.override("zh-hans"):
            message = exc.value.message
        assert all(w in message for w in words), message


def test_a_pattern_with_a_literal_is_accepted_and_the_engine_sees_it(actors):
    rule = make_rule()
    engine, _codes = services.rules_engine()
    assert engine.scan_text("加我vx吧") == []
    services.rule_update(actor=actors.compliance, rule=rule, patterns=["加.{0,3}vx"])
    rebuilt, _codes = services.rules_engine()
    assert rebuilt is not engine and [f.matched for f in rebuilt.scan_text("加我vx吧")] == ["加我vx"]


def test_engine_sees_scope_only_changes(actors):
    rule = make_rule()
    assert services.rules_engine()[0].scan_text("全网最低价", side="customer")
    services.rule_update(actor=actors.compliance, rule=rule, sides=["staff"])
    assert services.rules_engine()[0].scan_text("全网最低价", side="customer") == []
    services.rule_update(actor=actors.compliance, rule=rule, enabled=False)
    assert services.rules_engine()[0].scan_text("全网最低价") == []


@pytest.mark.parametrize("actor", ["director", "manager", "supervisor", "sales", "outsider"])
def test_only_compliance_and_admin_edit(actors, actor):
    rule = make_rule()
    with pytest.raises(DomainError) as exc:
        services.rule_update(actor=actors.by_name(actor), rule=rule, severity="low")
    assert exc.value.code == "forbidden"
    rule.refresh_from_db()
    assert rule.severity == "high" and not AuditEvent.objects.exists()


def test_create_custom_rule(actors):
    rule = services.rule_create(
        actor=actors.admin, code="custom-vx", category="private_deal", name="私下微信", terms="加我vx\n"
    )
    assert not rule.builtin and terms_of(rule) == ["加我vx"]
    assert RuleRevision.objects.get(rule=rule).number == 1
    assert AuditEvent.objects.filter(verb="rule.create", target_id=str(rule.pk)).exists()
    with pytest.raises(DomainError) as exc:
        services.rule_create(actor=actors.admin, code="custom-vx", category="private_deal", name="x", terms="y")
    assert exc.value.field == "code"
    with pytest.raises(DomainError) as exc:
        services.rule_create(actor=actors.admin, code="custom-2", category="private_deal", name="空规则")
    assert exc.value.field == "terms" and Rule.objects.count() == 1


def test_restore_and_diff(actors):
    rule = make_rule(terms=("全网最低价",))
    services.rule_update(actor=actors.compliance, rule=rule, terms=["全网最低价", "绝对第一"], severity="low")
    services.rule_update(actor=actors.compliance, rule=rule, terms=["绝对第一"])
    revs = {r.number: r for r in RuleRevision.objects.filter(rule=rule)}
    diff = {c.name: c for c in services.revision_diff(revs[1].snapshot, revs[3].snapshot)}
    assert diff["terms"].added == ["绝对第一"] and diff["terms"].removed == ["全网最低价"]
    assert (diff["severity"].before, diff["severity"].after) == ("high", "low")
    services.rule_revision_restore(actor=actors.compliance, rule=rule, number=1)
    rule.refresh_from_db()
    assert terms_of(rule) == ["全网最低价"] and rule.severity == "high"
    latest = RuleRevision.objects.filter(rule=rule).order_by("-number").first()
    assert (latest.number, latest.restored_from) == (4, 1)
    assert AuditEvent.objects.filter(verb="rule.restore", target_id=str(rule.pk)).count() == 1
    with pytest.raises(DomainError):
        services.rule_revision_restore(actor=actors.compliance, rule=rule, number=99)


def test_test_box_scans_the_draft_and_writes_nothing(actors):
    rule = make_rule(terms=("全网最低价",))
    make_rule("other-vx", category="private_deal", terms=("加我微信",), severity="medium", article="")
    counts = (Rule.objects.count(), RuleTerm.objects.count(), AuditEvent.objects.count(), RuleRevision.objects.count())
    result = services.rule_test(
        actor=actors.compliance,
        rule=rule,
        text="保证史上最强，但不是全网最低价哦，加我微信",
        fields={"terms": "史上最强\n全网最低价", "allow": "不是全网最低价"},
    )
    assert [h.finding.matched for h in result.own] == ["史上最强"]
    assert [(h.finding.rule, h.finding.matched) for h in result.all] == [
        ("test-absolute", "史上最强"),
        ("other-vx", "加我微信"),
    ]
    assert counts == (
        Rule.objects.count(),
        RuleTerm.objects.count(),
        AuditEvent.objects.count(),
        RuleRevision.objects.count(),
    )
    result = services.rule_test(
        actor=actors.compliance, rule=rule, text="不是全网最低价", fields={"allow": "不是全网最低价"}
    )
    assert result.own == [] and [(s.finding.matched, s.phrase) for s in result.suppressed] == [
        ("全网最低价", "不是全网最低价")
    ]


def test_test_box_bounds_and_bad_drafts(actors):
    rule = make_rule()
    with pytest.raises(DomainError) as exc:
        services.rule_test(actor=actors.compliance, rule=rule, text="x" * 2001, fields={})
    assert exc.value.field == "text"
    with pytest.raises(DomainError) as exc:
        services.rule_test(actor=actors.compliance, rule=rule, text="abc", fields={"patterns": "("})
    assert exc.value.field == "patterns"
    with pytest.raises(DomainError) as exc:
        services.rule_test(actor=actors.sales, rule=rule, text="abc", fields={})
    assert exc.value.code == "forbidden"


def test_test_box_respects_chat_type_side_and_hours(actors):
    rule = make_rule()
    fields = {"chat_types": ["group"], "hour_start": 9, "hour_end": 18}
    hit = services.rule_test(actor=actors.compliance, rule=rule, text="全网最低价", fields=fields, chat_type="group")
    assert len(hit.own) == 1
    for kw in ({"chat_type": "single"}, {"chat_type": "group", "hour": 20}):
        miss = services.rule_test(actor=actors.compliance, rule=rule, text="全网最低价", fields=fields, **kw)
        assert miss.own == []


@pytest.mark.postgres
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_edits_get_distinct_revision_numbers(actors):
    import threading

    from django.db import connections

    rule = make_rule()
    barrier = threading.Barrier(3)
    errors: list[Exception] = []

    def edit(term):
        try:
            barrier.wait()
            services.rule_update(actor=actors.compliance, rule=rule, terms=["全网最低价", term])
        except Exception as exc:  # any failure fails the test below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=edit, args=(t,)) for t in ("甲", "乙", "丙")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    numbers = sorted(RuleRevision.objects.filter(rule=rule).values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4]
    last = RuleRevision.objects.get(rule=rule, number=4)
    assert last.snapshot["terms"] == terms_of(rule) and len(terms_of(rule)) == 2


def test_every_choice_has_a_label():
    from zhidu.compliance.engine.detect import detector_names
    from zhidu.compliance.engine.rules import CHAT_TYPES, SIDES
    from zhidu.compliance.rule_labels import (
        CHAT_TYPE_LABELS,
        DETECTOR_LABELS,
        FIELD_LABELS,
        MSGTYPE_LABELS,
        SIDE_LABELS,
    )
    from zhidu.compliance.services.ingest import KNOWN_MSGTYPES

    assert set(DETECTOR_LABELS) == set(detector_names()) and set(MSGTYPE_LABELS) == set(KNOWN_MSGTYPES)
    assert set(CHAT_TYPE_LABELS) == set(CHAT_TYPES) and set(SIDE_LABELS) == set(SIDES)
    assert set(FIELD_LABELS) == set(services.EDITABLE)
    with translation.override("zh-hans"):
        labels = [
            *DETECTOR_LABELS.values(),
            *MSGTYPE_LABELS.values(),
            *CHAT_TYPE_LABELS.values(),
            *FIELD_LABELS.values(),
        ]
        untranslated = [str(v) for v in labels if str(v).isascii() and str(v) != "Markdown"]
    assert untranslated == []
