"""Spreadsheet cells written by the product: neutralise formula injection (OWASP "CSV injection").

A text cell that starts with = + - @ (or a tab or carriage return, which some spreadsheet programs skip
before looking for those) can be run as a formula when the file is opened, e.g. a rule term
`=HYPERLINK("http://evil", "click")`. Every export writes its text through `xlsx_cell`, which prefixes
such a value (and a value that already starts with an apostrophe, so the escape can be undone without
guessing) with an apostrophe and stores it as a string. Importers of our own exports read cells through
`xlsx_uncell`, which removes exactly that prefix, so an export → import round trip keeps the text.
"""

from __future__ import annotations

from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"


def xlsx_cell(value: Any) -> Any:
    """The value to write into a cell: text that could start a formula gets an apostrophe in front."""
    if isinstance(value, str) and value.startswith((*FORMULA_PREFIXES, ESCAPE)):
        return ESCAPE + value
    return value


def xlsx_row(values: list[Any]) -> list[Any]:
    return [xlsx_cell(v) for v in values]


def xlsx_uncell(value: str) -> str:
    """Undo `xlsx_cell` on text read back from a cell (other text is returned unchanged)."""
    if value.startswith(ESCAPE) and value[1:].startswith((*FORMULA_PREFIXES, ESCAPE)):
        return value[1:]
    return value
