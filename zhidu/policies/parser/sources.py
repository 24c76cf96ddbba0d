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
ERR_DOCX_UNZIPPED = gettext_noop("the .docx unpacks to more than {mb} MB; split the document or remove large images")
ERR_DOCX_RATIO = gettext_noop(
    "the .docx inflates {ratio} times when unpacked (at most {max} times is accepted): it looks like a zip bomb"
)
ERR_DOCX_PARAGRAPHS = gettext_noop("the document has more than {max} paragraphs; split it into several regulations")

MAX_BYTES = 5 * 1024 * 1024
# Defaults of the import limits (settings POLICY_IMPORT_MAX_UNZIPPED_MB, …_MAX_ZIP_RATIO, …_MAX_PARAGRAPHS).
MAX_UNZIPPED_MB = 50
MAX_ZIP_RATIO = 100
MAX_PARAGRAPHS = 10000
# A paragraph start tag whatever its namespace prefix: <w:p>, <w:p w:rsidR=…>, <x:p/>; not <w:pPr>.
_PARAGRAPH_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?p[\s/>]")
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


def check_docx(
    data: bytes,
    *,
    max_unzipped_mb: int = MAX_UNZIPPED_MB,
    max_ratio: int = MAX_ZIP_RATIO,
    max_paragraphs: int = MAX_PARAGRAPHS,
) -> None:
    """Refuse a .docx before python-docx reads it: unpacked size and inflation ratio from the zip directory
    (zipfile enforces the declared sizes while reading, so they cannot lie), then the paragraph count of the body
    by scanning its XML bytes (no tree is built)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            members = package.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise ParseError(1, ERR_BAD_DOCX, kind=exc.__class__.__name__) from None
    unzipped = sum(m.file_size for m in members)
    if unzipped > max_unzipped_mb * 1024 * 1024:
        raise ParseError(1, ERR_DOCX_UNZIPPED, mb=max_unzipped_mb)
    packed = max(sum(m.compress_size for m in members), 1)
    if unzipped > max_ratio * packed:
        raise ParseError(1, ERR_DOCX_RATIO, ratio=unzipped // packed, max=max_ratio)
    body = next((m for m in members if m.filename == "word/document.xml"), None)
    if body is None:
        return  # not a Word package: python-docx names the problem
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            paragraphs = len(_PARAGRAPH_TAG.findall(package.read(body)))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, ValueError, OSError, EOFError, RuntimeError) as exc:
        raise ParseError(1, ERR_BAD_DOCX, kind=exc.__class__.__name__) from None
    if paragraphs > max_paragraphs:
        raise ParseError(1, ERR_DOCX_PARAGRAPHS, max=max_paragraphs)


def docx_to_markdown(data: bytes, **limits: int) -> str:
    """The paragraphs (and table cells) of a .docx as Markdown-ish lines, one paragraph per line.

    `limits` (max_unzipped_mb, max_ratio, max_paragraphs) are checked first, see `check_docx`.
    """
    try:
        import docx  # python-docx
        from docx.enum.style import WD_STYLE_TYPE
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError:  # pragma: no cover - python-docx is a dependency
        raise ParseError(1, ERR_NO_DOCX) from None
    check_docx(data, **limits)
    try:
        document = docx.Document(io.BytesIO(data))
        # Style names by id, read once: python-docx's `paragraph.style` searches styles.xml on every call, which
        # made reading a document quadratic (5,000 paragraphs took 36 s).
        style_names = {st.style_id: st.name or "" for st in document.styles if st.type == WD_STYLE_TYPE.PARAGRAPH}
        default_style = document.styles.default(WD_STYLE_TYPE.PARAGRAPH)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ParseError(1, ERR_BAD_DOCX, kind=exc.__class__.__name__) from None
    except Exception as exc:  # python-docx raises several kinds on a damaged package
        raise ParseError(1, ERR_BAD_DOCX, kind=exc.__class__.__name__) from None
    default_name = (default_style.name if default_style is not None else "") or ""
    lines: list[str] = []
    list_counter = 0
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1] if isinstance(child.tag, str) else ""
        if tag == "p":
            para = Paragraph(child, document)
            style = style_names.get(child.style, default_name) if child.style else default_name
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


def source_text(data: bytes, filename: str = "", **limits: int) -> tuple[str, str]:
    """(text, fmt) for bytes of a .txt/.md/.docx file; .docx becomes Markdown-ish text.

    `limits`: max_unzipped_mb and max_ratio for .docx, max_paragraphs (paragraphs of a .docx, lines of text).
    """
    fmt = detect_format(filename, data)
    if fmt == "docx":
        if not data:
            raise ParseError(1, ERR_EMPTY)
        if len(data) > MAX_BYTES:
            raise ParseError(1, ERR_TOO_LARGE, mb=MAX_BYTES // (1024 * 1024))
        return docx_to_markdown(data, **limits), "md"
    text = decode_text(data)
    max_paragraphs = limits.get("max_paragraphs", MAX_PARAGRAPHS)
    if text.count("\n") >= max_paragraphs:
        raise ParseError(1, ERR_DOCX_PARAGRAPHS, max=max_paragraphs)
    return text, fmt
