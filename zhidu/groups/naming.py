"""Matching group names and group nicknames against a department's templates (pure Python, no queries).

A template is literal text with placeholders: `{部门}` a department label, `{姓名}` the member's name, `{*}` any
text (possibly empty). Matching is lenient about how people type, strict about what they type:

- both sides are NFKC-normalised (full-width letters, digits, `－`, `＿`, `／` and the ideographic space become
  their ASCII forms), case-folded, and the middle dots `・`, `•`, `‧` read as `·`; leading and trailing spaces
  are ignored;
- next to a placeholder, any run of the convention's separators (default `-`, `_`, `·`, `/`, space) is allowed;
- a department label is the department's name, its short name (the name without its parent's name in front,
  e.g. `A组` for `销售一部A组` under `销售一部`), or the name of any ancestor department below the top one
  (the top department is the company itself; `销售中心张伟` is accepted when 销售中心 is below it).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

PLACEHOLDER = re.compile(r"\{(部门|姓名|\*)\}")
_DOTS = str.maketrans({"・": "·", "•": "·", "‧": "·", "･": "·", "\u3000": " "})


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text.translate(_DOTS)).translate(_DOTS).casefold()


def fold(text: str) -> str:
    return _norm(text).strip()


@dataclass(frozen=True, slots=True)
class DepartmentInfo:
    id: int
    name: str
    parent_id: int | None


def department_labels(department_id: int | None, departments: Mapping[int, DepartmentInfo]) -> list[str]:
    """Accepted labels for a member of `department_id`, the department's own name first."""
    dept = departments.get(department_id) if department_id is not None else None
    if dept is None:
        return []
    labels = [dept.name]
    parent = departments.get(dept.parent_id) if dept.parent_id is not None else None
    if parent is not None and dept.name.startswith(parent.name) and len(dept.name) > len(parent.name):
        labels.append(dept.name[len(parent.name) :])
    seen = {dept.id}
    while parent is not None and parent.id not in seen and parent.parent_id is not None:
        seen.add(parent.id)
        labels.append(parent.name)
        parent = departments.get(parent.parent_id)
    return [label for label in dict.fromkeys(label.strip() for label in labels) if label]


def compile_template(
    template: str, *, labels: Iterable[str], name: str | None = "", separators: str = ""
) -> re.Pattern[str]:
    """A regular expression that matches folded text following `template`. With `name=None` the first `{姓名}`
    matches any non-empty text (captured as the group `name`)."""
    sep = f"[{re.escape(_norm(separators))}]*" if separators else ""
    alternatives = sorted({re.escape(fold(label)) for label in labels if fold(label)}, key=len, reverse=True)
    dept = f"(?:{'|'.join(alternatives)})" if alternatives else "(?!)"
    parts: list[str] = []
    pos = 0
    captured = False
    template = template.strip()
    for m in PLACEHOLDER.finditer(template):
        parts.append(re.escape(_norm(template[pos : m.start()])))
        token = m.group(1)
        if token == "部门":
            parts.append(sep + dept + sep)
        elif token == "姓名" and name is None:
            parts.append(sep + ("(?P<name>.+?)" if not captured else ".+?") + sep)
            captured = True
        elif token == "姓名":
            wanted = fold(name or "")
            parts.append(sep + (re.escape(wanted) if wanted else "(?!)") + sep)
        else:
            parts.append(".*")
        pos = m.end()
    parts.append(re.escape(_norm(template[pos:])))
    return re.compile("".join(parts), re.DOTALL)


@lru_cache(maxsize=2048)
def _compiled(template: str, labels: tuple[str, ...], name: str | None, separators: str) -> re.Pattern[str]:
    return compile_template(template, labels=labels, name=name, separators=separators)


def follows(text: str, template: str, *, labels: Iterable[str], name: str = "", separators: str = "") -> bool:
    """Whether `text` follows `template`. One pattern per template and department serves every member: the
    name part is captured and compared; only when that comparison fails is the exact per-name pattern tried."""
    folded, key = fold(text), tuple(labels)
    generic = _compiled(template, key, None, separators).fullmatch(folded)
    if "{姓名}" not in template or generic is None:
        return generic is not None
    if not fold(name):
        return False
    if generic.group("name").strip(_norm(separators)) == fold(name):
        return True
    return _compiled(template, key, name, separators).fullmatch(folded) is not None


def render(template: str, *, department: str, name: str = "") -> str:
    """What we show as the expected text: the department's own name and the member's name filled in."""
    return template.replace("{部门}", department).replace("{姓名}", name).replace("{*}", "…")
