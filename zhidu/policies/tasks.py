"""Periodic work for regulations, and reading uploads in a worker."""

from __future__ import annotations

import base64
from typing import Any

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from .parser import ParseError
from .services import policies_apply_effective_dates
from .uploads import ERR_TOO_SLOW, error_payload, upload_read


@shared_task(name="zhidu.policies.tasks.policy_effective_dates_task", ignore_result=True)
def policy_effective_dates_task() -> int:
    """Versions whose effective date has come take force; the ones they replace become superseded. Idempotent."""
    return len(policies_apply_effective_dates())


@shared_task(name="zhidu.policies.tasks.policy_parse_task", ignore_result=False)
def policy_parse_task(data_b64: str, filename: str, title: str = "", document: int | None = None) -> dict[str, Any]:
    """Read an upload (and parse it once) within the time limits the caller sets; {"text", "fmt"} or {"error"}.

    No side effects: safe to retry. The caller passes soft_time_limit/time_limit (POLICY_IMPORT_TIME_LIMIT).
    """
    try:
        text, fmt = upload_read(base64.b64decode(data_b64), filename, title=title, document=document)
    except ParseError as exc:
        return {"error": error_payload(exc)}
    except SoftTimeLimitExceeded:
        from django.conf import settings

        return {"error": error_payload(ParseError(1, ERR_TOO_SLOW, seconds=settings.POLICY_IMPORT_TIME_LIMIT))}
    return {"text": text, "fmt": fmt}
