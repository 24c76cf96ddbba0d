"""The regulation library: templates a company can adopt, edit and publish as its own regulation.

Each template is two files in this folder: `<slug>.md` (the regulation text, our own condensed wording, parsed as
Markdown) and `<slug>.json` (metadata: title, order, shape, summary, source — the users' regulation S1–S9 it was
written after — and `citations`, the template's citation map). A citation map's keys are rule codes
("privacy.pii") or category codes ("privacy": every rule of the category without its own key); its values are
lists of clause labels as `selectors.clause_label` writes them: "第七条", "第十三条第（二）项", "4.1 第2点", "第3段".

This module is pure data access (no database): the adoption service lives in `policies.services`, and
`compliance` reads a published version's `template` slug through `template_citations` to fill in the
rules' citation maps.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from ..parser import ParsedRegulation, parse_text

LIBRARY_DIR = Path(__file__).resolve().parent
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")


@dataclass(frozen=True)
class Template:
    slug: str
    title: str
    shape: str = ""
    summary: str = ""
    order: int = 999
    source: str = ""
    citations: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return LIBRARY_DIR / f"{self.slug}.md"

    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    def parsed(self) -> ParsedRegulation:
        """The template parsed as Markdown, titled with the template's title (a text may have no title line)."""
        return _parsed(self.slug, self.title)


@cache
def _parsed(slug: str, title: str) -> ParsedRegulation:
    return parse_text((LIBRARY_DIR / f"{slug}.md").read_text(encoding="utf-8"), fmt="md", title=title)


def _load(meta_path: Path) -> Template:
    data = json.loads(meta_path.read_text(encoding="utf-8"))
    citations = {str(code): tuple(str(x) for x in labels) for code, labels in (data.get("citations") or {}).items()}
    return Template(
        slug=meta_path.stem,
        title=str(data["title"]),
        shape=str(data.get("shape", "")),
        summary=str(data.get("summary", "")),
        order=int(data.get("order", 999)),
        source=str(data.get("source", "")),
        citations=citations,
    )


@cache
def templates() -> tuple[Template, ...]:
    """Every template of the library, in the order of their `order` field, then slug."""
    found = [_load(p) for p in LIBRARY_DIR.glob("*.json") if (LIBRARY_DIR / f"{p.stem}.md").exists()]
    return tuple(sorted(found, key=lambda t: (t.order, t.slug)))


def template_get(slug: str) -> Template | None:
    if not SLUG_RE.match(slug or ""):
        return None
    return next((t for t in templates() if t.slug == slug), None)


def template_citations(slug: str) -> dict[str, tuple[str, ...]]:
    """The citation map a template ships with (rule code → clause labels); {} for an unknown slug."""
    found = template_get(slug)
    return dict(found.citations) if found is not None else {}
