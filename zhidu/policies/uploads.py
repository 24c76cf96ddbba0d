"""Reading an uploaded regulation file into text, within limits, in a worker when there is one.

A .docx is a zip: 80 KB can hold 40,000 paragraphs and 0.9 MB can unpack to 200 MB of XML. The limits
(settings POLICY_IMPORT_MAX_UNZIPPED_MB, POLICY_IMPORT_MAX_ZIP_RATIO, POLICY_IMPORT_MAX_PARAGRAPHS) are checked
before anything is parsed. With a Celery broker and result backend the reading and a trial parse run in a worker
(`policy_parse_task`), stopped after POLICY_IMPORT_TIME_LIMIT seconds; without a broker they run inline, where
the limits alone bound the work.
"""

from __future__ import annotations

import base64
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_noop

from .parser import ParseError, parse_text, source_text

ERR_TOO_SLOW = gettext_noop("reading the document took longer than {seconds} seconds; split it into smaller files")


def import_limits() -> dict[str, int]:
    return {
        "max_unzipped_mb": settings.POLICY_IMPORT_MAX_UNZIPPED_MB,
        "max_ratio": settings.POLICY_IMPORT_MAX_ZIP_RATIO,
        "max_paragraphs": settings.POLICY_IMPORT_MAX_PARAGRAPHS,
    }


def upload_read(data: bytes, filename: str, *, title: str = "", document: int | None = None) -> tuple[str, str]:
    """(text, fmt) of an upload, proven to parse (what the worker runs). Raises ParseError."""
    text, fmt = source_text(data, filename, **import_limits())
    parse_text(text, fmt=fmt, document=document, title=title)
    return text, fmt


def error_payload(exc: ParseError) -> dict[str, Any]:
    """A ParseError as JSON (what a task may return); `error_from_payload` rebuilds it."""
    return {"line": exc.line, "template": exc.template, "params": exc.params}


def error_from_payload(payload: dict[str, Any]) -> ParseError:
    return ParseError(int(payload["line"]), str(payload["template"]), **dict(payload.get("params") or {}))


def uses_worker() -> bool:
    """A request can wait for a worker only with a broker and a result backend; else parsing runs inline."""
    return not settings.CELERY_TASK_ALWAYS_EAGER and bool(settings.CELERY_RESULT_BACKEND)


def upload_source(data: bytes, filename: str, *, title: str = "", document: int | None = None) -> tuple[str, str]:
    """(text, fmt) of an upload: in a time-limited worker when there is one, else inline. Raises ParseError."""
    if not uses_worker():
        return source_text(data, filename, **import_limits())
    from .tasks import policy_parse_task

    limit = settings.POLICY_IMPORT_TIME_LIMIT
    result = policy_parse_task.apply_async(
        args=[base64.b64encode(data).decode("ascii"), filename, title, document],
        soft_time_limit=limit,
        time_limit=limit + 5,
    )
    try:
        out = result.get(timeout=limit + 30)
    except Exception:  # the hard time limit killed the worker's child, or no worker answered in time
        raise ParseError(1, ERR_TOO_SLOW, seconds=limit) from None
    finally:
        result.forget()
    if "error" in out:
        raise error_from_payload(out["error"])
    return str(out["text"]), str(out["fmt"])
