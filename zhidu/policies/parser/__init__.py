"""Parse a regulation (制度) into chapters (章), articles (条) and items (项). Pure Python, no Django.

Input: plain text, Markdown, or .docx bytes. Output: a `ParsedRegulation` dataclass tree. Anything that
cannot be read as a regulation raises `ParseError(line, problem, **params)`; the message names the line and is
translated when read.

The rules (also in docs/regulations.md):

* Headings are 第X章 / 第X条 with Chinese (第二十三条, 第一百零二条) or Arabic (第7条) numbers.
* A heading may sit in the middle of a line (copied web pages run whole chapters together). It only
  *starts* a chapter or article where a heading can start a clause: at the start of a line, after
  sentence-ending punctuation (。；;！!？?), right after a chapter title ("第二章团队构成第六条…"), or after
  the document title on the same line ("…管理制度第一章总则第一条…"). In the middle of a line it must
  also carry the next expected number, so references such as "依照第五条" or "。第五条所述…" stay text.
* At the start of a line, a number that goes backwards or repeats is an error — except a wrapped
  reference (the previous line did not end a sentence and the heading reads on like "第五条规定…").
  A forward gap is accepted with a warning.
* Items: （一）/(一), （1）/(1), 1. / 1． / 1、 and "7.1"-style (article 7, item 1). An item starts at
  the start of a line, after 。；;：: or right after the article heading, must continue the numbering
  of the article's first item in the same style, and must carry the next number when mid-line. Another
  style inside an item (a nested list) stays text of that item. "- " bullets stay text.
* A short line without sentence punctuation that names a regulation (…制度, …规定, …办法, …) is a title.
  One file may hold several documents: a title line after body text starts a new document when the
  numbering restarts after it (第一章/第一条) or no more articles follow. `parse_documents` returns
  them all; `parse_text`/`parse_bytes` return one (the first that has articles, or `document=N`).
* A document without any 第X条 gets another shape (`shapes`): numbered sections ("1. 引言", "4.1 客户开发") or,
  under a title naming a regulation, prose paragraphs; each section or paragraph is one clause (numbered in
  document order, labelled "4.1" or "第3段"), "•" / "- " bullets inside are its items. Numbered section headings
  before the first 第X条 are an error naming the line (a document is numbered one way).
* Markdown: "# T" is the title, "## 第一章 总则" or "## 总则" a chapter, "### 第一条 目的" an article
  with a heading; ** and __ emphasis is dropped. .docx: Title/Heading 1 → "#", Heading 2 → "##",
  Heading 3+ → "###", "List Number" paragraphs get "1." labels; for .docx a "line" is a paragraph.
"""

from .numerals import cn_to_int, int_to_cn
from .sources import decode_text, detect_format, docx_to_markdown, source_text
from .structure import parse_bytes, parse_documents, parse_text
from .tree import ParsedArticle, ParsedChapter, ParsedItem, ParsedRegulation, ParseError

__all__ = [
    "ParseError",
    "ParsedArticle",
    "ParsedChapter",
    "ParsedItem",
    "ParsedRegulation",
    "cn_to_int",
    "decode_text",
    "detect_format",
    "docx_to_markdown",
    "int_to_cn",
    "parse_bytes",
    "parse_documents",
    "parse_text",
    "source_text",
]
