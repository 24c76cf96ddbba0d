"""`zhidu policy import|load-demo|resolve` through call_command (and once through the console script)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from zhidu.core.models import AuditEvent
from zhidu.policies.models import Article, Item, Policy, PolicyVersion, VersionStatus
from zhidu.policies.services import DEMO_FIXTURE
from zhidu.policies.tests.factories import SMALL

pytestmark = pytest.mark.django_db


def run(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("policy", *args, stdout=out)
    return out.getvalue().strip().splitlines()


def db_state():
    return (
        Policy.objects.count(),
        PolicyVersion.objects.count(),
        Article.objects.count(),
        Item.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def small_file(tmp_path: Path) -> Path:
    path = tmp_path / "small.txt"
    path.write_text(SMALL, encoding="utf-8")
    return path


def test_dry_run_json_last_line(small_file):
    before = db_state()
    lines = run("import", str(small_file), "--dry-run", "--format", "json")
    result = json.loads(lines[-1])
    assert {k: result[k] for k in ("chapters", "articles", "items", "title", "dry_run")} == {
        "chapters": 2,
        "articles": 4,
        "items": 3,
        "title": "测试管理制度",
        "dry_run": True,
    }
    assert "policy_id" not in result
    assert any("第二章 行为规范: 第三条–第四条, 3 items" in line for line in lines)
    assert db_state() == before


def test_import_writes_a_draft(small_file, actors):
    lines = run(
        "import",
        str(small_file),
        "--code",
        "cli-rules",
        "--title",
        "命令行制度",
        "--format",
        "json",
        "--actor",
        "director",
    )
    result = json.loads(lines[-1])
    version = PolicyVersion.objects.get(pk=result["version_id"])
    assert result["policy_id"] == version.policy_id and result["dry_run"] is False
    assert (version.policy.code, version.title, version.status) == ("cli-rules", "命令行制度", VersionStatus.DRAFT)
    assert version.created_by == actors.director
    assert version.articles.count() == 4


def test_text_output(small_file):
    lines = run("import", str(small_file), "--dry-run")
    assert lines[0] == "《测试管理制度》: 2 chapters, 4 articles, 3 items"
    assert lines[-1] == "dry run: nothing written"


def test_demo_fixture_and_docx(tmp_path):
    result = json.loads(run("import", str(DEMO_FIXTURE), "--dry-run", "--format", "json")[-1])
    assert (result["chapters"], result["articles"], result["items"]) == (7, 29, 26)
    import docx

    document = docx.Document()
    document.add_paragraph("办公规定", style="Title")
    document.add_paragraph("第一条 办公室保持整洁。")
    document.add_paragraph("第二条 离开时关灯。")
    path = tmp_path / "office.docx"
    document.save(str(path))
    result = json.loads(run("import", str(path), "--format", "json")[-1])
    assert (result["title"], result["articles"], result["format"]) == ("办公规定", 2, "md")


@pytest.mark.parametrize(
    "content, line",
    [
        ("制度\n第一条 甲。\n第二条 乙。\n第二条 丙。\n", 4),
        ("", 1),
        ("没有条款的文字。\n", 1),
    ],
)
def test_errors_name_the_line_and_write_nothing(tmp_path, content, line):
    path = tmp_path / "bad.txt"
    path.write_text(content, encoding="utf-8")
    before = db_state()
    out = io.StringIO()
    with pytest.raises(CommandError, match=f"line {line}: "):
        call_command("policy", "import", str(path), "--format", "json", stdout=out)
    assert json.loads(out.getvalue().strip().splitlines()[-1])["line"] == line
    assert db_state() == before


def test_binary_and_missing_files(tmp_path):
    junk = tmp_path / "junk.txt"
    junk.write_bytes(bytes(range(256)) * 10)
    with pytest.raises(CommandError, match="line 1: "):
        run("import", str(junk))
    with pytest.raises(CommandError, match="cannot read"):
        run("import", str(tmp_path / "missing.txt"))
    assert db_state() == (0, 0, 0, 0, 0)


def test_refused_code_writes_nothing(small_file):
    with pytest.raises(CommandError, match="not valid"):
        run("import", str(small_file), "--code", "Not A Slug")
    assert db_state() == (0, 0, 0, 0, 0)


def test_load_demo_and_resolve():
    result = json.loads(run("load-demo", "--format", "json")[-1])
    assert result["policy"] == "sales-conduct" and result["status"] == VersionStatus.PUBLISHED
    assert run("resolve", "sales-conduct#17.1") == ["《销售团队管理制度》第十七条第（一）项"]
    with pytest.raises(CommandError):
        run("resolve", "sales-conduct#99")


def test_console_script_dry_run(small_file):
    """`zhidu policy import FILE --dry-run --format json` as an operator types it (dry run touches no database)."""
    script = Path(sys.executable).with_name("zhidu")
    if not script.exists():
        pytest.skip("the zhidu console script is not installed in this environment")
    env = {**os.environ, "ZHIDU_ENV": "test"}
    proc = subprocess.run(
        [str(script), "policy", "import", str(small_file), "--dry-run", "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1])["articles"] == 4
    bad = small_file.with_name("bad.txt")
    bad.write_text("制度\n第一条 甲。\n第一条 乙。\n", encoding="utf-8")
    proc = subprocess.run(
        [str(script), "policy", "import", str(bad), "--dry-run"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode != 0 and "line 3" in proc.stderr
