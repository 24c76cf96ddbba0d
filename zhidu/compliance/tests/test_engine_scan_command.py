"""`zhidu scan FILE.jsonl` — no database, default pack or --rules, table or JSON lines."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

RECORDS = [
    {
        "msgid": "a1",
        "action": "send",
        "from": "zhangsan",
        "tolist": ["wmC1"],
        "roomid": "",
        "msgtime": 1700000000000,
        "msgtype": "text",
        "text": {"content": "这款是全网最好的，加我微信 wxid_abc12345"},
    },
    {
        "msgid": "a2",
        "action": "send",
        "from": "wmC1",
        "tolist": ["zhangsan"],
        "roomid": "",
        "msgtime": 1700000001000,
        "msgtype": "text",
        "text": {"content": "收货电话13812345678"},
    },
    {
        "msgid": "a3",
        "action": "send",
        "from": "zhangsan",
        "tolist": ["wmC1"],
        "roomid": "",
        "msgtime": 1700000002000,
        "msgtype": "link",
        "link": {"title": "內部資料", "description": "", "link_url": "https://x.cn"},
    },
    {"msgid": "a4", "action": "switch", "time": 1700000003000, "user": "zhangsan"},
    {
        "msgid": "a5",
        "action": "send",
        "from": "zhangsan",
        "tolist": ["wmC1"],
        "roomid": "",
        "msgtime": 1700000004000,
        "msgtype": "image",
        "image": {"md5sum": "x", "sdkfileid": "y"},
    },
]


def write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("scan", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    lines = [json.dumps(r, ensure_ascii=False) for r in RECORDS]
    lines.insert(2, "{not json")
    lines.insert(4, json.dumps({"action": "send", "msgtype": "text", "text": {"content": "最好"}}))
    lines.insert(5, json.dumps({"msgid": "b9", "action": "send", "msgtype": "hologram", "hologram": {}}))
    lines.insert(6, "")
    return write_jsonl(tmp_path / "archive.jsonl", lines)


def test_json_output_one_object_per_finding(archive: Path) -> None:
    out, err = run(str(archive), "--format", "json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert {(r["msgid"], r["category"]) for r in rows} == {
        ("a1", "false_claim"),
        ("a1", "private_deal"),
        ("a3", "secret"),
    }
    for r in rows:
        assert {"msgid", "category", "rule", "article", "severity", "start", "end"} <= r.keys()
    text = RECORDS[0]["text"]["content"]  # type: ignore[index]
    claim = next(r for r in rows if r["category"] == "false_claim")
    assert text[claim["start"] : claim["end"]] == "全网最好" == claim["matched"]
    assert claim["article"] == "sales-conduct#17.1" and claim["line"] == 1
    secret = next(r for r in rows if r["category"] == "secret")
    assert secret["matched"] == "內部資料"
    # malformed lines are reported with their line numbers and skipped
    assert "line 3: bad JSON" in err
    assert "line 5: missing msgid" in err
    assert "line 6: unknown msgtype 'hologram'" in err
    assert "3 malformed lines skipped" in err


def test_table_output(archive: Path) -> None:
    out, err = run(str(archive))
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["line", "msgid", "severity"]
    assert any("a1" in line and "false_claim" in line and "全网最好" in line for line in lines)
    # 3 findings, one per rule that fires (a1: the claim and the off-book deal; a3: the leak)
    assert lines[-1].startswith("9 lines, 3 messages with text, 3 findings, 3 malformed lines skipped")
    assert "line 3: bad JSON" in err


def test_custom_rules_file(tmp_path: Path, archive: Path) -> None:
    rules = tmp_path / "rules.jsonl"
    rules.write_text(
        json.dumps(
            {
                "code": "phone",
                "category": "privacy",
                "severity": "high",
                "detectors": ["mobile"],
                "article": "sales-conduct#18.1",
            }
        )
        + "\n",
        encoding="utf-8",
    )
    out, _ = run(str(archive), "--rules", str(rules), "--format", "json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["msgid"], r["rule"], r["matched"]) for r in rows] == [("a2", "phone", "13812345678")]


def test_bad_rules_file_is_a_command_error(tmp_path: Path, archive: Path) -> None:
    rules = write_jsonl(tmp_path / "bad.json", ['[{"code": "x", "category": "nope", "terms": ["a"]}]'])
    with pytest.raises(CommandError, match="category must be one of"):
        run(str(archive), "--rules", str(rules))


def test_missing_file_is_a_command_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="cannot open"):
        run(str(tmp_path / "nope.jsonl"))
