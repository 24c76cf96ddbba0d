"""Regulations without 第X条: numbered sections (1. 引言, 4.1 客户开发) and prose paragraphs.

`structure` finds the documents of a file and their 第X章/第X条 clauses. A document without any gets one of two
other shapes here, from its body lines (after the title):

* decimal: a line starting with "1." (1． 1、) and later lines carrying the next number ("2.", or "1.1" below
  "1.") are sections; each section is one clause labelled as written ("4.1"), its heading (a short line
  without sentence punctuation) becomes the clause title. A section label out of sequence is text (a list inside
  the section), with a warning when it reads like a heading.
* prose: without numbering, each paragraph is a clause labelled 第N段. A paragraph ends at a blank line, a
  Markdown heading, or a line that ends a sentence (。！？；…); a line that does not (a wrapped line, a topic
  heading) runs on into the next one.

In both shapes "•" (or "- " after a space or a clause end) starts a bullet: an item of the clause labelled 第N点.
Text before the first bullet is the clause's text, a new line after a bullet that ended a sentence its closing.
Clauses are numbered 1, 2, 3… in document order, so keys stay `code#<number>[.<item>]`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext_noop

from .tree import SHAPE_DECIMAL, SHAPE_PROSE, ParsedArticle, ParsedItem, ParseError

ERR_MIXED = gettext_noop(
    "this document mixes articles (第X条, line {articles}) with numbered sections («{section}», line {sections}); "
    "number it one way, or put the title of the next document on its own line between them"
)

HEADING_MAX = 20

# "1. 引言", "1、引言", "4.1 客户开发", "4.1. 客户开发" at the start of a line (never "2024年" or "3.5%").
SECTION = re.compile(
    r"^(?P<a>[0-9]{1,2})(?:[.．](?P<b>[0-9]{1,2})(?:[.．、]|\s|$)|[.．、](?![0-9]))\s*(?P<rest>.*)$", re.S
)
_BULLET = re.compile(r"[•●▪◆■]\s*|(?:^|(?<=[\s：:；;。，,]))[-－*·]\s+")
_SENTENCE_PUNCT = set("。，,；;：:！!？?")
_PARAGRAPH_END = set('。；;！!？?…”’」』"')
_RUN_ON = set("。，,；;：:！!？?…、”’」』\"')）")


def section_heading(line: str) -> tuple[str, str] | None:
    """(label, heading) when `line` is a numbered section heading such as "4.1 客户开发" (short, no sentence)."""
    m = SECTION.match(line)
    if not m:
        return None
    rest = m.group("rest").strip()
    if not rest or len(rest) > HEADING_MAX or any(ch in _SENTENCE_PUNCT for ch in rest):
        return None
    label = m.group("a") + (f".{m.group('b')}" if m.group("b") else "")
    return label, rest


def _join(text: str, more: str, *, wrapped: bool = True) -> str:
    """Add a line: on a new line after one that ends a clause or is short (a heading), else run on (a line
    `wrapped` mid-sentence)."""
    if not text:
        return more
    if text[-1] in _RUN_ON or not wrapped:
        return text + "\n" + more
    if text[-1].isascii() and text[-1].isalnum() and more[:1].isascii() and more[:1].isalnum():
        return text + " " + more
    return text + more


@dataclass
class _Clause:
    line: int
    label: str = ""
    title: str = ""
    text: str = ""
    closing: str = ""
    items: list[ParsedItem] = field(default_factory=list)
    open_item: bool = False  # the last bullet may run on into the next line
    wrapped: bool = True  # the previous line was long enough to be wrapped, not a short heading-like line

    def add(self, line: str, lineno: int, *, new_line: bool) -> None:
        """Route one line (or the rest of one) into text, bullets and closing text."""
        pieces: list[tuple[str, str]] = []  # (bullet or "", text)
        pos, bullet = 0, ""
        for m in _BULLET.finditer(line):
            pieces.append((bullet, line[pos : m.start()].strip()))
            pos, bullet = m.end(), m.group(0).strip()
        pieces.append((bullet, line[pos:].strip()))
        for n, (mark, piece) in enumerate(pieces):
            if mark:
                self.items.append(ParsedItem(number=len(self.items) + 1, label=mark, text=piece, line=lineno))
                self.open_item = True
            elif piece:
                self._add_text(piece, new_line=new_line and n == 0)
        self.wrapped = len(line) > HEADING_MAX

    def _add_text(self, piece: str, *, new_line: bool) -> None:
        if self.items and self.open_item:
            last = self.items[-1]
            if not (new_line and last.text and last.text[-1] in _PARAGRAPH_END):
                last.text = _join(last.text, piece, wrapped=self.wrapped) if new_line else (last.text + piece)
                return
            self.open_item = False
        if self.items:
            self.closing = _join(self.closing, piece, wrapped=self.wrapped)
        else:
            self.text = _join(self.text, piece, wrapped=self.wrapped)

    def parsed(self, number: int) -> ParsedArticle:
        return ParsedArticle(
            number=number,
            title=self.title,
            text=self.text,
            closing=self.closing,
            items=self.items,
            chapter=None,
            line=self.line,
            label=self.label,
        )


Line = tuple[int, int, str]  # (line number, Markdown heading level, cleaned text; "" for a blank line)


def _sections(body: list[Line]) -> tuple[list[_Clause], list[str], list[str]] | None:
    """The body read as numbered sections, or None when it has fewer than two in sequence from 1."""
    clauses: list[_Clause] = []
    preamble: list[str] = []
    warnings: list[str] = []
    last_a = last_b = 0
    for lineno, _level, line in body:
        if not line:
            continue
        m = SECTION.match(line)
        if m:
            a, b = int(m.group("a")), int(m.group("b") or 0)
            in_sequence = (b == 0 and a == last_a + 1) or (b and a == last_a and b == last_b + 1)
            if in_sequence:
                label = f"{a}.{b}" if b else str(a)
                clause = _Clause(line=lineno, label=label)
                heading = section_heading(line)
                if heading is not None:
                    clause.title = heading[1]
                else:
                    clause.add(m.group("rest"), lineno, new_line=True)
                clauses.append(clause)
                last_a, last_b = a, b
                continue
            heading = section_heading(line)
            if heading is not None and clauses:
                warnings.append(
                    f"line {lineno}: «{line}» read as text of section {clauses[-1].label} "
                    f"(it does not follow {clauses[-1].label})"
                )
        if clauses:
            clauses[-1].add(line, lineno, new_line=True)
        else:
            preamble.append(line)
    if len(clauses) < 2:
        return None
    return clauses, preamble, warnings


def _continues(clause: _Clause, line: str, ended: bool) -> bool:
    """Whether `line` belongs to the paragraph `clause` (which `ended` at a blank line or a sentence end)."""
    if not ended or not (clause.text or clause.items):  # a run-on line, or the paragraph under a heading
        return True
    bullet = _BULLET.match(line) is not None
    return bullet and (bool(clause.items) or clause.text[-1] in "：:")  # the next bullet of a list


def _paragraphs(body: list[Line]) -> list[_Clause]:
    clauses: list[_Clause] = []
    current: _Clause | None = None
    ended = False
    for lineno, level, line in body:
        if not line:
            ended = True
            continue
        if level >= 2:  # a Markdown heading names the paragraph under it
            current = _Clause(line=lineno, title=line)
            clauses.append(current)
            ended = False
            continue
        if current is None or not _continues(current, line, ended):
            current = _Clause(line=lineno)
            clauses.append(current)
        current.add(line, lineno, new_line=True)
        ended = line[-1] in _PARAGRAPH_END
    return [c for c in clauses if c.text or c.items or c.title]


def parse_shape(body: list[Line]) -> tuple[str, str, list[ParsedArticle], list[str]]:
    """(shape, preamble, clauses, warnings) of a document body that has no 第X条."""
    found = _sections(body)
    if found is not None:
        clauses, preamble, warnings = found
        return SHAPE_DECIMAL, "\n".join(preamble), [c.parsed(n) for n, c in enumerate(clauses, 1)], warnings
    paragraphs = _paragraphs(body)
    articles = []
    for n, c in enumerate(paragraphs, 1):
        c.label = f"第{n}段"
        articles.append(c.parsed(n))
    return SHAPE_PROSE, "", articles, []


def check_not_mixed(body: list[Line], first_article: int) -> None:
    """A document with 第X条 articles (the first at line `first_article`) must not open with numbered sections.

    Only the lines before the first article (or chapter) are looked at: inside an article "1. 甲" is an item or a
    list in its text. The error names the first article's line, where the document stops being one shape.
    """
    for lineno, _level, line in body:
        if lineno >= first_article:
            return
        if section_heading(line) is None:
            continue
        raise ParseError(
            first_article,
            ERR_MIXED,
            articles=first_article,
            section=line if len(line) <= 30 else line[:30] + "…",
            sections=lineno,
        )
