"""`zhidu archive import` and the home-page tile."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from zhidu.compliance.models import ArchiveMessage, Violation

from .factories import make_rule, make_violation, text_record, write_jsonl


def test_archive_import_command_is_idempotent_and_reports_bad_lines(actors, tmp_path):
    make_rule()
    s = actors.sales.wecom_userid
    path = write_jsonl(
        tmp_path / "chat.jsonl",
        [
            text_record(s, "wmC1", "全网最低价"),
            "{oops",
            text_record("wmC1", s, "真的吗"),
        ],
    )
    out, err = io.StringIO(), io.StringIO()
    call_command("archive", "import", str(path), stdout=out, stderr=err)
    assert "stored=2" in out.getvalue() and "violations=1" in out.getvalue()
    assert "skipped line 2: bad JSON" in err.getvalue()
    out = io.StringIO()
    call_command("archive", "import", str(path), stdout=out)
    assert "stored=0" in out.getvalue()
    assert (ArchiveMessage.objects.count(), Violation.objects.count()) == (2, 1)


def test_archive_import_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="not a readable file"):
        call_command("archive", "import", str(tmp_path / "none.jsonl"))


@pytest.mark.parametrize(
    "actor, value", [("supervisor", 1), ("manager", 1), ("compliance", 1), ("sales_b", 0), ("admin", None)]
)
def test_home_tile_counts_open_violations_in_scope(actors, login, actor, value):
    make_violation(actors.sales)
    counts = {c["key"]: c["value"] for c in login(actors.by_name(actor)).get("/").context["counts"]}
    assert counts.get("open_violations") == value
