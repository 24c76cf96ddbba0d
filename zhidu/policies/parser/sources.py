"""Turning file bytes into text: encodings (UTF-8, UTF-16 with BOM, GB18030), .docx, and junk detection."""

from __future__ import annotations

import io
import re
import zipfile

from django.utils.translation import gettext_noop

from .tree import ParseError

ERR_EMPTY = gettext_noop("the file is empty")
ERR_TOO_LARGE = gettext_noop("the file is larger than {mb} MB")
ERR_BROKEN_UTF16 = gettext_noop("broken UTF-16 text ({reason})")
ERR_BINARY = gettext_noop("the file looks binary (NUL byte), not text")
ERR_UNDECODABLE = gettext_noop(
    "cannot decode byte 0x{byte}: the file is neither UTF-8 nor GB18030 text (save it as UTF-8)"
)
ERR_NO_DOCX = gettext_noop("reading .docx needs python-docx")
ERR_BAD_DOCX = gettext_noop("not a readable .docx file ({kind})")
ERR_REPLACEMENT_CHAR = gettext_noop("unexpected U+FFFD replacement character (a wrong encoding conversion)")
ERR_CONTROL_CHAR = gettext_noop("unexpected control character U+{code} (binary or damaged file)")

MAX_BYTES = 5 * 1024 * 1024
_ENCODINGS = ("utf-8", "gb18030")
_BAD_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd]")


def _line_of(data: bytes | str, offset: int) -> int:
    if isinstance(data, bytes):
        return data[:offset].count(b"\n") + 1
    return data[:offset].count("\n") + 1


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030; anything else is a ParseError."""
    if not data.strip():
        raise ParseError(1, ERR_EMPTY)
    if len(data) > MAX_BYTES:
        raise ParseError(1, ERR_TOO_LARGE, mb=MAX_BYTES // (1024 * 1024))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ParseError(1, ERR_BROKEN_UTF16, reason=exc.reason) from None
    if b"\x00" in data:
        raise ParseError(_line_of(data, data.index(b"\x00")), ERR_BINARY)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    first_error: UnicodeDecodeError | None = None
    for encoding in _ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as exc:
            first_error = first_error or exc
    assert first_error is not None
    bad = data[first_error.start : first_error.start + 1].hex()
    raise ParseError(_line_of(data, first_error.start), ERR_UNDECODABLE, byte=bad)


def docx_to_markdown(data: bytes) -> str:
    """The paragraphs (and table cells) of a .docx as Markdown-ish lines, one paragraph per line."""
    try:
        import docx  # python-docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError:  # pragma: no cover - python-docx is a dependency
        raise ParseError(1, ERR_NO_DOCX) from None
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ParseError(1, ERR_BAD_DOCX, kind=exc.__class__.__name__) from None
    except Exception as exc:  # python-docx raises several kinds on a damaged package
        raise ParseError(1, ERR_BAD_DOCX, kind=exc.__class__.__name__) from None
    lines: list[str] = []
    list_counter = 0
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            para = Paragraph(child, document)
            style = (para.style.name if para.style is not None else "") or ""
            text = para.text.replace("\r", "\n")
            if style.startswith("List Number"):
                list_counter += 1
                text = f"{list_counter}. {text}"
            elif text.strip():
                list_counter = 0
            prefix = ""
            if style == "Title" or style == "Heading 1":
                prefix = "# "
            elif style == "Heading 2":
                prefix = "## "
            elif style.startswith("Heading"):
                prefix = "### "
            parts = text.split("\n")
            lines.append(prefix + parts[0])
            lines.extend(parts[1:])
        elif tag == "tbl":
            table = Table(child, document)
            for row in table.rows:
                cells = [c.text.strip() for c in row.cells if c.text.strip()]
                if cells:
                    lines.append(" ".join(dict.fromkeys(cells)))
    return "\n".join(lines)


def detect_format(filename: str, data: bytes) -> str:
    name = filename.lower()
    if data.startswith(b"PK\x03\x04") or name.endswith(".docx"):
        return "docx"
    if name.endswith((".md", ".markdown")):
        return "md"
    return "text"


def check_characters(text: str) -> None:
    bad = _BAD_CONTROL.search(text)
    if bad:
        ch = bad.group(0)
        line = _line_of(text, bad.start())
        if ch == "\ufffd":
            raise ParseError(line, ERR_REPLACEMENT_CHAR)
        raise ParseError(line, ERR_CONTROL_CHAR, code=f"{ord(ch):04X}")


def source_text(data: bytes, filename: str = "") -> tuple[str, str]:
    """(text, fmt) for bytes of a .txt/.md/.docx file; .docx becomes Markdown-ish text."""
    fmt = detect_format(filename, data)
    if fmt == "docx":
        if not data:
            raise ParseError(1, ERR_EMPTY)
        if len(data) > MAX_BYTES:
            raise ParseError(1, ERR_TOO_LARGE, mb=MAX_BYTES // (1024 * 1024))
        return docx_to_markdown(data), "md"
    return decode_text(data), fmt
