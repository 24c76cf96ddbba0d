"""Rule exports never write a formula (zhidu issue #7, defect 9), and the product's own export re-imports."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook

from zhidu.compliance import services
from zhidu.compliance.models import RuleTerm
from zhidu.core.xlsx import xlsx_cell, xlsx_uncell

DANGEROUS = [
    '=HYPERLINK("http://evil.example/","点我")',
    "=1+2",
    "+86 加我",
    "-2+3",
    "@SUM(A1)",
    "'=already quoted",
    "'普通",
]


@pytest.mark.parametrize("value", [*DANGEROUS, "\t=1+2", "\r=1+2", "普通词", "a=b", ""])
def test_cell_escape_round_trips(value):
    escaped = xlsx_cell(value)
    assert not str(escaped).startswith(("=", "+", "-", "@", "\t", "\r"))
    assert xlsx_uncell(escaped) == value


def test_export_writes_no_formula_and_reimports_the_text(actors):
    rows = services.parse_terms_text("\n".join([*DANGEROUS, "六合彩"]), category="prohibited")
    services.rules_import(actor=actors.compliance, rows=rows)
    before = set(RuleTerm.objects.values_list("term", "rule__code"))
    buf = io.BytesIO()
    services.rules_export_xlsx(buf)

    sheet = zipfile.ZipFile(io.BytesIO(buf.getvalue())).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet  # no formula element anywhere
    wb = load_workbook(io.BytesIO(buf.getvalue()))
    cells = [row[0].value for row in wb.worksheets[0].iter_rows(min_row=2)]
    assert all(row[0].data_type == "s" for row in wb.worksheets[0].iter_rows(min_row=2))
    assert not any(str(c).startswith(("=", "+", "-", "@")) for c in cells)

    RuleTerm.objects.all().delete()
    services.rules_import(actor=actors.compliance, rows=services.parse_terms_file("r.xlsx", buf.getvalue()))
    assert set(RuleTerm.objects.values_list("term", "rule__code")) == before
