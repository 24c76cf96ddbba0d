"""The rule editor's test box: scan a sample text with a rule as drafted (unsaved) and with every enabled
rule, and say which allowed phrase removed a hit. Nothing is written."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from django.utils.translation import gettext_noop

from zhidu.compliance import engine as eng
from zhidu.compliance.engine.normalize import normalize_text
from zhidu.compliance.engine.rules import CHAT_TYPES, SIDES
from zhidu.core.text import text_problem
from zhidu.org.models import Member

from ..models import Category, Rule, Severity
from .ingest import KNOWN_MSGTYPES
from .rule_edit import (
    EDITABLE,
    ERR_CATEGORY,
    LIST_FIELDS,
    _bad,
    _require_editor,
    rule_fields_clean,
    rule_snapshot,
)
from .rules import rules_engine

MAX_SAMPLE = 2_000
ERR_SAMPLE = gettext_noop("The sample must be 1–{max} characters.")
ERR_SAMPLE_SCOPE = gettext_noop("Choose a chat type, a sender side and an hour (0–23) for the sample.")


@dataclass(frozen=True)
class TestHit:
    finding: eng.Finding
    rule_name: str
    edited: bool  # a hit of the rule being edited (as drafted), not of another enabled rule


@dataclass(frozen=True)
class Suppressed:
    finding: eng.Finding
    phrase: str


@dataclass
class TestResult:
    text: str
    own: list[TestHit] = dataclasses.field(default_factory=list)
    all: list[TestHit] = dataclasses.field(default_factory=list)
    suppressed: list[Suppressed] = dataclasses.field(default_factory=list)


def _engine_rule(code: str, category: str, data: Mapping[str, Any]) -> eng.Rule:
    """The draft as an engine rule. Member and department scope are left out: the sample has no sender."""
    hours = (data["hour_start"], data["hour_end"]) if data["hour_start"] is not None else None
    return eng.Rule(
        code=code,
        name=data["name"],
        category=category,
        severity=data["severity"],
        terms=tuple(data["terms"]),
        patterns=tuple(data["patterns"]),
        detectors=tuple(data["detectors"]),
        allow=tuple(data["allow"]),
        scope=eng.Scope(
            chat_types=frozenset(data["chat_types"]),
            sides=frozenset(data["sides"]),
            hours=hours,
            msgtypes=frozenset(data["msgtypes"]),
        ),
        article=data["article"],
    )


def sample_msgtime(hour: int) -> int:
    """A time (ms) whose hour in the company's zone (UTC+8, as the engine counts) is `hour`."""
    return 20_000 * 86_400_000 + ((hour - 8) % 24) * 3_600_000


def rule_test(
    *,
    actor: Member | None,
    text: str,
    fields: Mapping[str, Any],
    rule: Rule | None = None,
    code: str = "draft",
    category: str = "",
    chat_type: str = "single",
    side: str = "staff",
    msgtype: str = "text",
    hour: int = 10,
) -> TestResult:
    """Scan `text` with the rule as drafted (`fields` over the saved rule, nothing written) and with every
    enabled rule (the saved one replaced by the draft). Reports hits the draft's allow phrases removed."""
    _require_editor(actor)
    if not text or len(text) > MAX_SAMPLE or text_problem(text, max_length=MAX_SAMPLE):
        raise _bad(ERR_SAMPLE, "text", max=MAX_SAMPLE)
    if chat_type not in CHAT_TYPES or side not in SIDES or not 0 <= hour <= 23 or msgtype not in KNOWN_MSGTYPES:
        raise _bad(ERR_SAMPLE_SCOPE, "sample")
    if rule is not None:
        base, code, category = rule_snapshot(rule), rule.code, rule.category
    else:
        base = {k: ([] if k in LIST_FIELDS else None) for k in EDITABLE}
        base |= {"name": code, "severity": Severity.MEDIUM, "enabled": True, "article": ""}
        if category not in Category.values:
            raise _bad(ERR_CATEGORY, "category")
    data = rule_fields_clean(fields, base=base)
    draft = _engine_rule(code, category, data)
    message = eng.Message(
        "sample",
        text,
        side=side,
        chat_type="group" if chat_type == "internal" else chat_type,
        internal=chat_type == "internal",
        msgtime=sample_msgtime(hour),
        msgtype=msgtype,
    )
    own = eng.Engine([draft]).scan([message])
    result = TestResult(text=text, own=[TestHit(f, draft.name, True) for f in own])
    saved, _codes = rules_engine()
    names = {r.code: r.name for r in saved.rules}
    others = [TestHit(f, names.get(f.rule, f.rule), False) for f in saved.scan([message]) if f.rule != code]
    mine = result.own if data["enabled"] else []
    result.all = sorted(others + mine, key=lambda h: (h.finding.start, h.finding.rule))
    if draft.allow:
        result.suppressed = _suppressed(draft, message, own)
    return result


def _suppressed(draft: eng.Rule, message: eng.Message, kept: list[eng.Finding]) -> list[Suppressed]:
    bare = eng.Engine([replace(draft, allow=())]).scan([message])
    normalised = normalize_text(message.text)
    present = [p for p in draft.allow if normalize_text(p) and normalize_text(p) in normalised]
    out = []
    for f in bare:
        if f in kept:
            continue
        phrase = next((p for p in present if f not in eng.Engine([replace(draft, allow=(p,))]).scan([message])), "")
        out.append(Suppressed(f, phrase))
    return out
