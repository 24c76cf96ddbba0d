"""Test helpers for the compliance app: archive records, JSON-lines files, rules."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import orjson

from zhidu.compliance.models import Rule, RuleTerm

BASE_MS = 1_767_000_000_000  # 2025-12-29, a fixed clock for archive records
_ids = itertools.count(1)


def text_record(
    sender: str,
    to: str | Sequence[str],
    content: str,
    *,
    msgid: str | None = None,
    roomid: str = "",
    msgtime: int | None = None,
    msgtype: str = "text",
) -> dict[str, Any]:
    n = next(_ids)
    rec: dict[str, Any] = {
        "msgid": msgid or f"m{n:06d}",
        "action": "send",
        "from": sender,
        "tolist": [to] if isinstance(to, str) else list(to),
        "roomid": roomid,
        "msgtime": msgtime if msgtime is not None else BASE_MS + n * 1000,
        "msgtype": msgtype,
    }
    if msgtype == "text":
        rec["text"] = {"content": content}
    elif msgtype == "markdown":
        rec["info"] = {"content": content}
    elif msgtype == "link":
        rec["link"] = {"title": content, "description": "", "link_url": "https://example.com", "image_url": ""}
    return rec


def recall_record(sender: str, to: str, pre_msgid: str) -> dict[str, Any]:
    n = next(_ids)
    return {
        "msgid": f"r{n:06d}",
        "action": "recall",
        "from": sender,
        "tolist": [to],
        "roomid": "",
        "msgtime": BASE_MS + n * 1000,
        "msgtype": "revoke",
        "revoke": {"pre_msgid": pre_msgid},
    }


def write_jsonl(path: Path, records: Iterable[dict[str, Any] | str]) -> Path:
    """Records as JSON lines; a str item is written verbatim (to make malformed lines)."""
    with path.open("wb") as fh:
        for rec in records:
            fh.write(rec.encode() if isinstance(rec, str) else orjson.dumps(rec))
            fh.write(b"\n")
    return path


def make_rule(
    code: str = "test-absolute",
    *,
    category: str = "false_claim",
    terms: Sequence[str] = ("全网最低价",),
    severity: str = "high",
    article: str = "sales-conduct#17.1",
    **fields: Any,
) -> Rule:
    rule = Rule.objects.create(code=code, name=code, category=category, severity=severity, article=article, **fields)
    RuleTerm.objects.bulk_create([RuleTerm(rule=rule, term=t) for t in terms])
    return rule


def make_violation(
    member: Any, *, text: str = "今天报名是全网最低价", rule: Rule | None = None, customer: str = "wmCustomerF0001"
) -> Any:
    """A stored message of `member` to a customer and an open violation on it (ORM setup, no scan)."""
    from zhidu.compliance.models import ArchiveMessage, Violation, ms_to_datetime

    rule = rule or Rule.objects.filter(code="test-absolute").first() or make_rule()
    n = next(_ids)
    ms = BASE_MS + n * 1000
    msg = ArchiveMessage.objects.create(
        msgid=f"v{n:06d}",
        seq=n,
        action="send",
        sender=member.wecom_userid,
        receivers=[customer],
        msgtype="text",
        chat_key="|".join(sorted([member.wecom_userid, customer])),
        msgtime=ms,
        sent_at=ms_to_datetime(ms),
        text=text,
        raw={"text": {"content": text}},
        member=member,
        customer_id=customer,
    )
    start = text.find("全网最低价")
    return Violation.objects.create(
        message=msg,
        rule=rule,
        category=rule.category,
        severity=rule.severity,
        article=rule.article,
        start=max(start, 0),
        end=max(start, 0) + 5,
        matched="全网最低价",
        member=member,
        supervisor=member.reports_to,
        occurred_at=msg.sent_at,
    )
