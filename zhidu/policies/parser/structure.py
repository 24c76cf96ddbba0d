"""Finding chapters, articles and items in text (the rules are in the package docstring)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext_noop

from .numerals import cn_to_int, int_to_cn
from .shapes import check_not_mixed, parse_shape
from .sources import ERR_EMPTY, check_characters, source_text
from .tree import SHAPE_ARTICLES, SHAPE_PROSE, ParsedArticle, ParsedChapter, ParsedItem, ParsedRegulation, ParseError

ERR_NO_DOCUMENT = gettext_noop("there is no document {document}; the file holds {count}")
ERR_DOCUMENT_EMPTY = gettext_noop("document {document} («{title}») has no articles (第X条)")
ERR_NO_ARTICLES = gettext_noop(
    "no articles (第X条), no numbered sections (1., 4.1) and no regulation title above the paragraphs: this does "
    "not look like a regulation"
)
ERR_CHAPTER_RESTARTS = gettext_noop(
    "chapter numbering restarts at {label} after {previous}; if a new regulation starts here, put its title on its "
    "own line above it"
)
ERR_ARTICLE_RESTARTS = gettext_noop(
    "article numbering restarts at {label} after {previous}; if a new regulation starts here, put its title on its "
    "own line above it"
)
ERR_CHAPTER_REPEATS = gettext_noop("chapter number {label} repeats (the previous chapter is {previous})")
ERR_CHAPTER_BACKWARDS = gettext_noop("chapter number {label} goes backwards (the previous chapter is {previous})")
ERR_ARTICLE_REPEATS = gettext_noop("article number {label} repeats (the previous article is {previous})")
ERR_ARTICLE_BACKWARDS = gettext_noop("article number {label} goes backwards (the previous article is {previous})")
ERR_ITEM_REPEATS = gettext_noop("item {label} in {article} repeats (the previous item is number {last})")
ERR_ITEM_BACKWARDS = gettext_noop("item {label} in {article} goes backwards (the previous item is number {last})")

TITLE_MAX = 40
HEADING_MAX = 20

_NUM = r"[0-9０-９零〇一二两三四五六七八九十百千]+"
_CN_NUM = r"[零〇一二两三四五六七八九十百]+"
_CANDIDATE = re.compile(
    rf"(?P<head>第\s*(?P<hnum>{_NUM})\s*(?P<kind>[章条]))"
    rf"|(?P<paren>[（(]\s*(?P<pnum>{_CN_NUM}|[0-9]{{1,3}})\s*[）)])"
    r"|(?P<sub>(?<![0-9.．])(?P<sa>[0-9]{1,3})[.．](?P<sb>[0-9]{1,3})(?![0-9]))"
    r"|(?P<dot>(?<![0-9.．])(?P<dnum>[0-9]{1,3})\s*[.．、](?![0-9]))"
)
_STRONG_HEAD = re.compile(
    rf"^(?P<prefix>[^。，,；;：:！!？?]{{0,{TITLE_MAX}}}?)第\s*(?P<num>{_NUM})\s*(?P<kind>[章条])"
)
_SENTENCE_PUNCT = set("。，,；;：:！!？?")
_CLAUSE_END = set("。；;！!？?")
_ITEM_BOUNDARY = _CLAUSE_END | set("：:")
_CLOSERS = " \t\u3000\xa0”’」』\"'"
_LINE_END_OK = _CLAUSE_END | set("：:”’」』\"')）")
_REF_FOLLOW = tuple("规的所之中、和及或至款项以第")
_REG_WORDS = re.compile(r"制度|规定|办法|规章|规则|细则|守则|章程|条例|准则|规范|须知|公约|群规|手册")
_MD_HEADING = re.compile(r"^(#{1,6})\s*(.*?)\s*#*$")
_MD_EMPHASIS = re.compile(r"\*\*|__|(?<!\w)\*(?=\S)|(?<=\S)\*(?!\w)")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!])")
_BRACKET_HEADING = re.compile(r"^[【\[]([^】\]]{1,20})[】\]]\s*")
_NESTED_MARK = re.compile(r"\s*(?:[-•·*]\s|[（(]\s*\S{1,3}\s*[）)]|[0-9]{1,3}\s*[.．、)）])")
_MD_BULLET_HEAD = re.compile(r"^[-*+]\s+(?=第\s*[0-9０-９零〇一二两三四五六七八九十百千]+\s*[章条])")
_LEADING_SEPARATORS = " \t\u3000\xa0:：、.．,，"


def _has_sentence_punct(text: str) -> bool:
    return any(ch in _SENTENCE_PUNCT for ch in text)


def _char_before(line: str, start: int, skip: str) -> str:
    """The character before `start` once the characters in `skip` right before it are passed over ("" if none)."""
    i = start
    while i > 0 and line[i - 1] in skip:
        i -= 1
    return line[i - 1 : i]


def _space_before(line: str, start: int, floor: int) -> int:
    """The index after the last non-space character of line[floor:start] (floor when there is none)."""
    i = start
    while i > floor and line[i - 1].isspace():
        i -= 1
    return i


def _glued(line: str, pos: int, start: int) -> bool:
    """line[pos:start] is a short run without sentence punctuation (a chapter title with an article glued on)."""
    end = _space_before(line, start, pos)
    if end - pos > 30 + 64:  # leading spaces count too, but no title starts with this many
        return False
    pending = line[pos:end].strip()
    return len(pending) <= 30 and not _has_sentence_punct(pending)


def _title_like_before(line: str, lead: int, start: int) -> bool:
    """_title_like(line[:start]), without copying a long prefix that cannot be a title."""
    end = _space_before(line, start, lead)
    return end - lead <= TITLE_MAX and _title_like(line[lead:end])


def _title_like(text: str, *, need_word: bool = True) -> bool:
    text = text.strip()
    if not (2 <= len(text) <= TITLE_MAX) or _has_sentence_punct(text):
        return False
    if _STRONG_HEAD.match(text) or _CANDIDATE.match(text):
        return False
    return bool(_REG_WORDS.search(text)) or not need_word


def _item_family(kind: str, label_num: str) -> str:
    if kind == "paren":
        return "paren-cn" if not label_num.isdigit() else "paren-num"
    return kind  # "dot" (1. 1、) or "sub" (7.1)


@dataclass
class _Item:
    number: int
    label: str
    line: int
    parts: list[str] = field(default_factory=list)


@dataclass
class _Article:
    number: int
    chapter: int | None
    line: int
    md_heading: bool = False
    head: str = ""  # the text right after 第X条 on its own line, before anything else
    head_open: bool = True
    parts: list[str] = field(default_factory=list)
    closing: list[str] = field(default_factory=list)
    items: list[_Item] = field(default_factory=list)
    family: str = ""


@dataclass
class _Chapter:
    number: int
    line: int
    title: str = ""
    parts: list[str] = field(default_factory=list)


@dataclass
class _Doc:
    first_line: int
    title: str = ""
    title_lines: list[str] = field(default_factory=list)
    preamble: list[str] = field(default_factory=list)
    chapters: list[_Chapter] = field(default_factory=list)
    articles: list[_Article] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    last_line: int = 0
    has_body: bool = False
    md_title: bool = False
    body: list[tuple[int, int, str]] = field(default_factory=list)  # (line, heading level, text) after the title

    @property
    def last_article(self) -> int:
        return self.articles[-1].number if self.articles else 0

    @property
    def last_chapter(self) -> int:
        return self.chapters[-1].number if self.chapters else 0


def _append(parts: list[str], text: str, new_line: bool) -> None:
    if not text:
        return
    if new_line and parts and parts[-1] != "\n":
        parts.append("\n")
    parts.append(text)


def _joined(parts: Iterable[str]) -> str:
    return "\n".join(line.strip() for line in "".join(parts).split("\n") if line.strip())


class _Parser:
    def __init__(self, lines: list[str], markdown: bool) -> None:
        self.lines = lines
        self.markdown = markdown
        self.docs: list[_Doc] = []
        self.doc = _Doc(first_line=1)
        self.docs.append(self.doc)
        self.chapter_title_open = False
        self.item: _Item | None = None
        self.new_line = True
        self.prev_raw = ""

    # -- helpers ------------------------------------------------------------------------------------------------
    def _clean(self, raw: str) -> tuple[int, str]:
        line = raw.strip(" \t\r\n\u3000\xa0\ufeff")
        if not self.markdown:
            return 0, line
        line = _MD_ESCAPE.sub(r"\1", line)
        if line.startswith(">"):
            line = line.lstrip("> ")
        line = _MD_BULLET_HEAD.sub("", line)  # "- 第一条 …" in a Markdown list
        m = _MD_HEADING.match(line)
        level = 0
        if m:
            level, line = len(m.group(1)), m.group(2)
        line = _MD_EMPHASIS.sub("", line).strip()
        return level, line

    def _strong_head(self, line: str) -> tuple[str, int] | None:
        m = _STRONG_HEAD.match(line)
        if not m:
            return None
        prefix = m.group("prefix").strip()
        try:
            number = cn_to_int(m.group("num"))
        except ValueError:
            return None
        if prefix and not (number == 1 and _title_like(prefix)):
            return None
        return m.group("kind"), number

    def _is_boundary(self, index: int) -> bool:
        """A title-like line at `index` starts a new document if numbering restarts after it or nothing follows."""
        for raw in self.lines[index + 1 :]:
            level, line = self._clean(raw)
            if not line:
                continue
            if level == 1 or _title_like(line):
                return True
            head = self._strong_head(line)
            if head is not None:
                return head[1] == 1
        return True

    def _new_doc(self, lineno: int) -> None:
        self._close_item()
        self.doc = _Doc(first_line=lineno)
        self.docs.append(self.doc)
        self.chapter_title_open = False

    def _close_item(self) -> None:
        self.item = None

    def _set_title(self, title: str, lineno: int) -> None:
        doc = self.doc
        if doc.title and doc.title != title:
            doc.warnings.append(
                f"line {lineno}: «{title}» taken as the title (the line above, «{doc.title}», "
                f"is treated as a heading of the collection)"
            )
        doc.title = title
        doc.title_lines.append(title)
        doc.last_line = lineno

    # -- text routing -------------------------------------------------------------------------------------------
    def _text(self, text: str) -> None:
        if not text.strip():
            return
        doc = self.doc
        doc.has_body = True
        if self.chapter_title_open and doc.chapters:
            chapter = doc.chapters[-1]
            chapter.title = (chapter.title + text).strip()
            return
        article = doc.articles[-1] if doc.articles else None
        if self.item is not None and article is not None:
            item_text = "".join(self.item.parts).rstrip()
            nested = _NESTED_MARK.match(text)
            if self.new_line and not nested and item_text and item_text[-1] in _CLAUSE_END | set("”’」』"):
                self.item = None  # a new paragraph after the items
            else:
                _append(self.item.parts, text, self.new_line)
                self.new_line = False
                return
        if article is not None and (not doc.chapters or article.chapter == doc.last_chapter):
            if article.items:
                _append(article.closing, text, self.new_line)
            elif article.head_open and not self.new_line:
                article.head += text
            else:
                article.head_open = False
                _append(article.parts, text, self.new_line)
        elif doc.chapters:
            _append(doc.chapters[-1].parts, text, self.new_line)
        else:
            _append(doc.preamble, text, self.new_line)
        self.new_line = False

    # -- acceptance of headings ---------------------------------------------------------------------------------
    def _reference_at_line_start(self, line: str, end: int) -> bool:
        """第五条规定… / 第五条的… right after the number, or after a line that did not end a sentence."""
        rest = line[end:]
        if rest.startswith(_REF_FOLLOW):
            return True
        prev = self.prev_raw.rstrip()
        return bool(prev) and prev[-1] not in _LINE_END_OK and rest.lstrip().startswith(_REF_FOLLOW)

    def _accept_heading(self, kind: str, number: int, position: str, line: str, end: int, lineno: int) -> bool:
        doc = self.doc
        last = doc.last_chapter if kind == "章" else doc.last_article
        name = "chapter" if kind == "章" else "article"
        label = f"第{int_to_cn(number)}{kind}"
        expected = last + 1
        if number == expected:
            return True
        if position == "boundary":  # mid-line after punctuation: only the next number starts a heading
            return False
        if number > expected:
            if last:
                doc.warnings.append(f"line {lineno}: {name} numbering jumps from 第{int_to_cn(last)}{kind} to {label}")
            else:
                doc.warnings.append(f"line {lineno}: the first {name} is {label}, not 第一{kind}")
            return True
        if position == "start" and self._reference_at_line_start(line, end):
            doc.warnings.append(f"line {lineno}: «{line[: end + 4]}…» read as a reference in the text, not a heading")
            return False
        previous = f"第{int_to_cn(last)}{kind}"
        chapter = kind == "章"
        if number == 1 and last > 1:
            raise ParseError(
                lineno, ERR_CHAPTER_RESTARTS if chapter else ERR_ARTICLE_RESTARTS, label=label, previous=previous
            )
        if number == last:
            raise ParseError(
                lineno, ERR_CHAPTER_REPEATS if chapter else ERR_ARTICLE_REPEATS, label=label, previous=previous
            )
        raise ParseError(
            lineno, ERR_CHAPTER_BACKWARDS if chapter else ERR_ARTICLE_BACKWARDS, label=label, previous=previous
        )

    def _open_chapter(self, number: int, lineno: int) -> None:
        self.item = None
        self.doc.chapters.append(_Chapter(number=number, line=lineno))
        self.doc.has_body = True
        self.chapter_title_open = True

    def _open_article(self, number: int, lineno: int, md_heading: bool) -> None:
        self.item = None
        self.chapter_title_open = False
        doc = self.doc
        chapter = doc.chapters[-1].number if doc.chapters else None
        doc.articles.append(_Article(number=number, chapter=chapter, line=lineno, md_heading=md_heading))
        doc.has_body = True

    # -- acceptance of items ------------------------------------------------------------------------------------
    def _item_ok(self, m: re.Match[str], position: str, lineno: int) -> tuple[int, str] | None:
        """(number, family) if the candidate at `m` starts the next item of the current article."""
        doc = self.doc
        if not doc.articles or self.chapter_title_open:
            return None
        article = doc.articles[-1]
        if doc.chapters and article.chapter != doc.last_chapter:
            return None
        kind = m.lastgroup or ""
        if kind == "paren":
            raw_num = m.group("pnum")
        elif kind == "sub":
            if int(m.group("sa")) != article.number:
                return None
            raw_num = m.group("sb")
        else:
            raw_num = m.group("dnum")
        try:
            number = cn_to_int(raw_num)
        except ValueError:
            return None
        family = _item_family(kind, raw_num)
        if article.family and family != article.family:
            return None  # a nested list in another style: text of the current item
        if position == "none" and kind != "sub":
            return None  # "7.1" labels may follow the heading text directly; others need a clause start
        last = article.items[-1].number if article.items else 0
        if number != last + 1:
            if position != "start":
                return None
            if number <= last:
                raise ParseError(
                    lineno,
                    ERR_ITEM_REPEATS if number == last else ERR_ITEM_BACKWARDS,
                    label=m.group(0).strip(),
                    article=f"第{int_to_cn(article.number)}条",
                    last=last,
                )
            if last == 0:
                return None  # a list that does not start at 1 is text
            doc.warnings.append(
                f"line {lineno}: item numbering in 第{int_to_cn(article.number)}条 jumps from {last} to {number}"
            )
        return number, family

    def _open_item(self, number: int, family: str, label: str, lineno: int) -> None:
        article = self.doc.articles[-1]
        article.family = family
        self.item = _Item(number=number, label=re.sub(r"\s+", "", label), line=lineno)
        article.items.append(self.item)
        article.head_open = False

    # -- main loop ----------------------------------------------------------------------------------------------
    def run(self) -> list[_Doc]:
        first_content = True
        for index, raw in enumerate(self.lines):
            lineno = index + 1
            level, line = self._clean(raw)
            if not line:
                self.doc.body.append((lineno, 0, ""))
                continue
            self.new_line = True
            self.chapter_title_open = False
            doc = self.doc
            if level == 1:
                if doc.has_body or doc.md_title:
                    self._new_doc(lineno)
                self._set_title(line, lineno)
                self.doc.md_title = True
                first_content = False
                self.prev_raw = line
                continue
            if level == 0 and (_title_like(line) or (first_content and _title_like(line, need_word=False))):
                if not doc.has_body and not doc.md_title:
                    self._set_title(line, lineno)
                    first_content = False
                    self.prev_raw = line
                    continue
                if doc.has_body and self._is_boundary(index):
                    self._new_doc(lineno)
                    self._set_title(line, lineno)
                    self.prev_raw = line
                    continue
            first_content = False
            if level == 2 and not _STRONG_HEAD.match(line):
                self._open_chapter(self.doc.last_chapter + 1, lineno)
                self._text(line)
                self.chapter_title_open = False
                self.doc.last_line = lineno
                self.doc.body.append((lineno, level, line))
                self.prev_raw = line
                continue
            self._scan(line, lineno, md_heading=level >= 2)
            self.doc.last_line = lineno
            self.doc.body.append((lineno, level, line))
            self.prev_raw = line
        return self.docs

    def _scan(self, line: str, lineno: int, *, md_heading: bool) -> None:
        """Split one line at the headings and items that may start there; route the text between them."""
        # Linear in the line's length: a line may hold thousands of candidates ("…依照第五条…" repeated), so no
        # per-candidate slice or strip of everything before it (that made a 300 KB line take 14 s).
        pos = 0
        accepted_end = -1  # end of the last accepted heading or item label on this line
        lead = len(line) - len(line.lstrip())  # a candidate at or before `lead` starts the line
        for m in _CANDIDATE.finditer(line):
            start = m.start()
            is_head = m.lastgroup == "head"
            if start <= lead:
                position = "start"
            elif start == accepted_end:
                position = "strong"
            elif _char_before(line, start, _CLOSERS) in (_CLAUSE_END if is_head else _ITEM_BOUNDARY):
                position = "boundary"
            else:
                position = "none"
            if not is_head:
                found = self._item_ok(m, position, lineno)
                if found is not None:
                    self._text(line[pos:start])
                    self._open_item(found[0], found[1], m.group(0), lineno)
                    pos = accepted_end = m.end()
                    self.new_line = False
                continue
            try:
                number = cn_to_int(m.group("hnum"))
            except ValueError:
                continue
            kind = m.group("kind")
            if position == "none" and kind == "条" and self.chapter_title_open and _glued(line, pos, start):
                position = "strong"  # 第二章团队构成第六条…
            if position == "none" and pos == 0 and number == 1 and _title_like_before(line, lead, start):
                position = "strong"  # …管理制度第一章总则第一条…
                doc = self.doc
                if doc.articles or (kind == "章" and doc.chapters):
                    self._new_doc(lineno)
                if not self.doc.title:
                    self._set_title(line[:start].strip(), lineno)
                pos = start
            if position == "none":
                continue
            if not self._accept_heading(kind, number, position, line, m.end(), lineno):
                continue
            self._text(line[pos:start])
            if kind == "章":
                self._open_chapter(number, lineno)
            else:
                self._open_article(number, lineno, md_heading)
            pos = accepted_end = m.end()
            self.new_line = False
        self._text(line[pos:])


def _finish_shape(doc: _Doc) -> ParsedRegulation:
    """A document without 第X条: numbered sections or paragraphs (see `shapes`)."""
    shape, preamble, articles, warnings = parse_shape(doc.body)
    if not (articles and (shape != SHAPE_PROSE or _REG_WORDS.search(doc.title))):
        articles = []  # paragraphs count as clauses only under a title that names a regulation
    return ParsedRegulation(
        title=doc.title.strip(),
        preamble=preamble,
        chapters=[],
        articles=articles,
        warnings=[*doc.warnings, *warnings],
        first_line=doc.first_line,
        last_line=max(doc.last_line, doc.first_line),
        shape=shape,
        title_lines=list(doc.title_lines),
    )


def _finish(doc: _Doc) -> ParsedRegulation:
    if not doc.articles:
        return _finish_shape(doc)
    firsts = [doc.articles[0].line] + ([doc.chapters[0].line] if doc.chapters else [])
    check_not_mixed(doc.body, min(firsts))
    warnings = list(doc.warnings)
    chapters = [
        ParsedChapter(
            number=c.number, title=c.title.strip(_LEADING_SEPARATORS)[:200], text=_joined(c.parts), line=c.line
        )
        for c in doc.chapters
    ]
    articles: list[ParsedArticle] = []
    for a in doc.articles:
        head = a.head.lstrip(_LEADING_SEPARATORS).rstrip()
        title = ""
        body_parts = list(a.parts)
        bracket = _BRACKET_HEADING.match(head)
        if bracket:
            title, head = bracket.group(1).strip(), head[bracket.end() :]
        elif head and (
            (a.md_heading and len(head) <= TITLE_MAX)
            or (len(head) <= HEADING_MAX and not _has_sentence_punct(head) and (a.items or _joined(a.parts)))
        ):
            title, head = head, ""
        text = _joined([head, "\n", *body_parts]) if head else _joined(body_parts)
        items = [ParsedItem(number=i.number, label=i.label, text=_joined(i.parts), line=i.line) for i in a.items]
        if not text and not items and not title:
            warnings.append(f"line {a.line}: 第{int_to_cn(a.number)}条 is empty")
        articles.append(
            ParsedArticle(
                number=a.number,
                title=title,
                text=text,
                closing=_joined(a.closing),
                items=items,
                chapter=a.chapter,
                line=a.line,
            )
        )
    return ParsedRegulation(
        title=doc.title.strip(),
        preamble=_joined(doc.preamble),
        chapters=chapters,
        articles=articles,
        warnings=warnings,
        first_line=doc.first_line,
        last_line=max(doc.last_line, doc.first_line),
        shape=SHAPE_ARTICLES,
        title_lines=list(doc.title_lines),
    )


def parse_documents(text: str, *, fmt: str = "text") -> list[ParsedRegulation]:
    """Every document in `text` (a file may hold several), each possibly without articles."""
    if fmt not in ("text", "md"):
        raise ValueError(f"unknown text format {fmt!r}")
    if not text.strip():
        raise ParseError(1, ERR_EMPTY)
    check_characters(text)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    docs = _Parser(lines, markdown=fmt == "md").run()
    return [_finish(d) for d in docs if d.has_body or d.title]


def _choose(docs: list[ParsedRegulation], document: int | None, title: str) -> ParsedRegulation:
    with_articles = [d for d in docs if d.articles]
    if document is not None:
        if not 1 <= document <= len(docs):
            raise ParseError(1, ERR_NO_DOCUMENT, document=document, count=len(docs))
        chosen = docs[document - 1]
        if not chosen.articles:
            raise ParseError(chosen.first_line, ERR_DOCUMENT_EMPTY, document=document, title=chosen.title)
    elif not with_articles:
        first = docs[0].first_line if docs else 1
        raise ParseError(first, ERR_NO_ARTICLES)
    else:
        chosen = with_articles[0]
    if len(docs) > 1:
        listing = "; ".join(
            f"{n}. «{d.title or '?'}» lines {d.first_line}–{d.last_line}, {len(d.articles)} articles"
            for n, d in enumerate(docs, 1)
        )
        chosen.warnings.insert(
            0,
            f"the file holds {len(docs)} documents ({listing}); parsed "
            f"document {docs.index(chosen) + 1} only (choose another with --document)",
        )
    if title:
        chosen.title = title.strip()
    return chosen


def parse_text(text: str, *, fmt: str = "text", document: int | None = None, title: str = "") -> ParsedRegulation:
    """One regulation from text or Markdown: `document` (1-based) or the first document that has articles."""
    return _choose(parse_documents(text, fmt=fmt), document, title)


def parse_bytes(data: bytes, filename: str = "", *, document: int | None = None, title: str = "") -> ParsedRegulation:
    text, fmt = source_text(data, filename)
    return parse_text(text, fmt=fmt, document=document, title=title)
