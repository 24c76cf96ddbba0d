"""Rules: the default pack, term imports (validated whole), export round trip, and the engine cache."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from zhidu.compliance import engine as eng
from zhidu.compliance import services
from zhidu.compliance.models import Rule, RuleTerm
from zhidu.core.errors import DomainError

from .factories import make_rule


def test_seed_default_is_idempotent(db):
    pack = eng.default_rules()
    assert services.rules_seed_default(actor=None) == len(pack) > 0
    assert services.rules_seed_default(actor=None) == 0
    assert Rule.objects.count() == len(pack) and all(Rule.objects.values_list("builtin", flat=True))
    sample = pack[0]
    stored = Rule.objects.get(code=sample.code)
    assert (stored.category, stored.severity, stored.article) == (sample.category, sample.severity, sample.article)
    assert sorted(RuleTerm.objects.filter(rule=stored).values_list("term", flat=True)) == sorted(set(sample.terms))


def test_seed_keeps_operator_edits(db):
    services.rules_seed_default(actor=None)
    rule = Rule.objects.order_by("id").first()
    Rule.objects.filter(pk=rule.pk).update(enabled=False, severity="low")
    services.rules_seed_default(actor=None)
    rule.refresh_from_db()
    assert (rule.enabled, rule.severity) == (False, "low")


def test_compiled_rules_match_the_default_pack(db):
    services.rules_seed_default(actor=None)
    compiled = {r.code: r for r in services.rules_compile()}
    for r in eng.default_rules():
        c = compiled[r.code]
        assert (set(c.terms), c.patterns, c.detectors, c.allow, c.article, c.scope.chat_types, c.scope.sides) == (
            set(r.terms),
            r.patterns,
            r.detectors,
            r.allow,
            r.article,
            r.scope.chat_types,
            r.scope.sides,
        )


def test_engine_is_cached_and_rebuilt_on_change(actors):
    rule = make_rule()
    engine, codes = services.rules_engine()
    assert services.rules_engine()[0] is engine and codes == {"test-absolute": rule.pk}
    assert engine.scan_text("全网最低价", sender=actors.sales.wecom_userid)
    services.rules_import(
        actor=None,
        rows=services.parse_terms_text("史上最强", category="false_claim", severity="high", rule="test-absolute"),
    )
    rebuilt, _codes = services.rules_engine()
    assert rebuilt is not engine and rebuilt.scan_text("史上最强")
    services.rule_set_enabled(actor=actors.compliance, rule=rule, enabled=False)
    assert services.rules_engine()[0].scan_text("全网最低价") == []


def test_scope_compiles_departments_with_subtree(actors):
    rule = make_rule()
    rule.departments.add(actors.root)
    rule.members.add(actors.sales)
    scope = services.rules_compile()[0].scope
    assert {actors.root.pk, actors.dept1.pk, actors.dept2.pk} <= scope.departments
    assert scope.members == frozenset({actors.sales.wecom_userid})


def test_import_text_file(actors):
    rows = services.parse_terms_text(
        "# 赌博\n网络赌场\n\n六合彩\n网络赌场\n", category="prohibited", severity="high", article="sales-conduct#22.2"
    )
    result = services.rules_import(actor=actors.compliance, rows=rows)
    assert (result.rules_created, result.terms_added, result.terms_existing) == (1, 2, 1)
    rule = Rule.objects.get(code="imported-prohibited-high")
    assert (rule.category, rule.article) == ("prohibited", "sales-conduct#22.2")
    again = services.rules_import(actor=actors.compliance, rows=rows)
    assert (again.rules_created, again.terms_added) == (0, 0) and RuleTerm.objects.count() == 2


def _xlsx(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_bad_rows_write_nothing_and_name_the_rows(actors):
    data = _xlsx(
        [
            ["term", "category", "severity", "article"],
            ["包过", "false_claim", "high", "sales-conduct#17.3"],
            ["", "false_claim", "high", ""],
            ["稳赚不赔", "gossip", "", ""],
            ["保本", "false_claim", "urgent", "第十七条"],
        ]
    )
    rows = services.parse_terms_file("t.xlsx", data)
    with pytest.raises(DomainError) as err:
        services.rules_import(actor=actors.compliance, rows=rows)
    msg = err.value.message
    assert "3 bad row(s)" in msg and "row 3" in msg and "row 4" in msg and "row 5" in msg and "row 2" not in msg
    assert "gossip" in msg and "urgent" in msg
    assert Rule.objects.count() == 0 and RuleTerm.objects.count() == 0


def test_import_refuses_non_admins(actors):
    rows = services.parse_terms_text("六合彩", category="prohibited")
    with pytest.raises(DomainError):
        services.rules_import(actor=actors.supervisor, rows=rows)
    assert RuleTerm.objects.count() == 0


def test_export_round_trip(actors, tmp_path):
    services.rules_seed_default(actor=None)
    services.rules_import(actor=None, rows=services.parse_terms_text("六合彩\n网络赌场", category="prohibited"))

    def terms():
        return set(
            RuleTerm.objects.values_list("term", "rule__code", "rule__category", "rule__severity", "rule__article")
        )

    before = terms()
    path = tmp_path / "rules.xlsx"
    count = services.rules_export_xlsx(path)
    assert count == len(before)
    header = next(load_workbook(path).worksheets[0].iter_rows(values_only=True))
    assert list(header) == ["term", "category", "severity", "article", "rule"]
    RuleTerm.objects.all().delete()
    Rule.objects.filter(builtin=False).delete()
    services.rules_import(actor=None, rows=services.parse_terms_file(path.name, path.read_bytes()))
    assert terms() == before


def test_rules_commands(db, tmp_path):
    text = tmp_path / "ads.txt"
    text.write_text("扫码进群\n加群领红包\n", encoding="utf-8")
    call_command("rules", "import", str(text), "--category", "ads", "--article", "sales-conduct#22.1")
    assert RuleTerm.objects.filter(rule__code="imported-ads-medium").count() == 2
    out = tmp_path / "out.xlsx"
    call_command("rules", "export", str(out))
    assert out.exists()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(_xlsx([["ok term", "ads"], ["x" * 300, "ads"]]))
    with pytest.raises(CommandError, match="row 2"):
        call_command("rules", "import", str(bad))
    assert RuleTerm.objects.count() == 2
    with pytest.raises(CommandError, match="category"):
        call_command("rules", "import", str(text))
