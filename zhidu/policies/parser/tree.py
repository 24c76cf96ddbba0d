"""The result of parsing: a dataclass tree, and the one error type (naming the line)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext, gettext_noop

from .numerals import _CN_DIGITS, _CN_UNITS, int_to_cn

LINE_PROBLEM = gettext_noop("line {line}: {problem}")


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
    label: str  # as written: （一） (1) 1. 1、 7.1
    text: str
    line: int

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
            found["articles"].append({"number": art.number, "title": art.title, "items": len(art.items)})
        return groups

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            **self.counts(),
            "warnings": list(self.warnings),
            "outline": self.outline(),
            "lines": [self.first_line, self.last_line],
        }
