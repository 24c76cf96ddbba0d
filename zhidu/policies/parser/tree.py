"""The result of parsing: a dataclass tree, and the one error type (naming the line)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext, gettext_noop

from .numerals import _CN_DIGITS, _CN_UNITS, int_to_cn

LINE_PROBLEM = gettext_noop("line {line}: {problem}")

# The shapes a regulation is written in (PolicyVersion.shape stores the key).
SHAPE_ARTICLES = "articles"  # 第X章 / 第X条, items （一） 1. 7.1
SHAPE_DECIMAL = "decimal"  # numbered sections 1. / 4.1, bullets • - inside
SHAPE_PROSE = "prose"  # no numbering: one paragraph (or topic) per clause
SHAPE_LABELS = {
    SHAPE_ARTICLES: gettext_noop("articles (第X条)"),
    SHAPE_DECIMAL: gettext_noop("numbered sections (1., 4.1)"),
    SHAPE_PROSE: gettext_noop("paragraphs without numbering"),
}
BULLETS = "•·●▪◆■-－*"


class ParseError(ValueError):
    """The input is not a regulation we can read. `line` is 1-based (a paragraph number for .docx).

    `problem` is an English template (marked with `gettext_noop` where it is written) with keyword `params`; like
    `DomainError`, it is translated into the active language when it is read.
    """

    def __init__(self, line: int, problem: str, **params: object) -> None:
        super().__init__(line, problem)
        self.line = line
        self.template = problem
        self.params = params

    @property
    def problem(self) -> str:
        text = gettext(self.template)
        try:
            return text.format(**self.params) if self.params else text
        except (KeyError, IndexError, ValueError):  # a broken translation must not hide the error
            return self.template.format(**self.params)

    def __str__(self) -> str:
        return gettext(LINE_PROBLEM).format(line=self.line, problem=self.problem)


@dataclass
class ParsedItem:
    number: int
    label: str  # as written: （一） (1) 1. 1、 7.1, or the bullet (• -) in sections and paragraphs
    text: str
    line: int

    @property
    def bullet(self) -> bool:
        return self.label in BULLETS

    @property
    def chinese(self) -> bool:
        return any(ch in _CN_DIGITS or ch in _CN_UNITS for ch in self.label)


@dataclass
class ParsedArticle:
    number: int
    title: str
    text: str  # the article's own text before its items
    closing: str  # text after the items (a following paragraph)
    items: list[ParsedItem]
    chapter: int | None
    line: int
    label: str = ""  # the citation label when not 第X条: "4.1" for a numbered section, "第3段" for a paragraph


@dataclass
class ParsedChapter:
    number: int
    title: str
    text: str
    line: int


@dataclass
class ParsedRegulation:
    title: str
    preamble: str
    chapters: list[ParsedChapter]
    articles: list[ParsedArticle]
    warnings: list[str]
    first_line: int
    last_line: int
    shape: str = SHAPE_ARTICLES
    title_lines: list[str] = field(default_factory=list)  # every line read as the title (a heading may repeat)

    @property
    def shape_label(self) -> str:
        return gettext(SHAPE_LABELS[self.shape])

    @property
    def item_count(self) -> int:
        return sum(len(a.items) for a in self.articles)

    def counts(self) -> dict[str, int]:
        return {"chapters": len(self.chapters), "articles": len(self.articles), "items": self.item_count}

    def outline(self) -> list[dict[str, Any]]:
        """Chapters with their article numbers (a chapter-less document gives one entry with chapter None)."""
        groups: list[dict[str, Any]] = []
        by_chapter: dict[int | None, dict[str, Any]] = {}
        for ch in self.chapters:
            entry: dict[str, Any] = {
                "chapter": ch.number,
                "title": ch.title,
                "heading": f"第{int_to_cn(ch.number)}章 {ch.title}".strip(),
                "articles": [],
            }
            by_chapter[ch.number] = entry
            groups.append(entry)
        for art in self.articles:
            found = by_chapter.get(art.chapter)
            if found is None:
                found = {"chapter": art.chapter, "title": "", "heading": "", "articles": []}
                by_chapter[art.chapter] = found
                if art.chapter is None:
                    groups.insert(0, found)
                else:
                    groups.append(found)
            found["articles"].append(
                {"number": art.number, "label": art.label, "title": art.title, "items": len(art.items)}
            )
        return groups

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "shape": self.shape,
            **self.counts(),
            "warnings": list(self.warnings),
            "outline": self.outline(),
            "lines": [self.first_line, self.last_line],
        }
