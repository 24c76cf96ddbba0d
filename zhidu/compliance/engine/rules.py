"""Engine data types (rules, messages, findings) and rule files.

A rule file is JSON — a list of rule objects, or {"rules": [...]} — or JSON lines (one rule object
per line). A rule object has the fields of `Rule`; `scope` is an object with the fields of `Scope`
(lists for the sets, [start, end] for hours). Terms and allow phrases are plain text (normalised
when the engine is built); patterns are Python regular expressions matched against NORMALISED text
(lower case, half-width, simplified characters, Chinese numerals in number runs as digits).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CATEGORIES = (
    "false_claim",
    "privacy",
    "secret",
    "private_deal",
    "price",
    "abuse",
    "ads",
    "prohibited",
    "rumor",
    "resource_misuse",
    "malware",
    "unfair_competition",
    "counterfeit",
    "politics",
    "violence",
    "ethnic",
)
SEVERITIES = ("low", "medium", "high")
SIDES = ("staff", "customer")
# "internal" in a scope: a group chat whose members are all staff (Message.internal); it is a group too
CHAT_TYPES = ("single", "group", "internal")
# The default pack: one file per category (data/rules/<category>.json), read in CATEGORIES order.
DEFAULT_RULES_DIR = Path(__file__).resolve().parent / "data" / "rules"
# The category classifier's rules ("<category>.model", detectors "model:<category>"), written by
# scripts/train_categories.py and appended to the pack after the category files.
MODEL_RULES_PATH = Path(__file__).resolve().parent / "data" / "model_rules.json"


class RuleError(ValueError):
    """A rule file or rule object is invalid; the message says where."""


@dataclass(frozen=True, slots=True)
class Scope:
    """Where a rule applies; an empty set means "all". Hours are local (Asia/Shanghai), [start, end),
    wrapping past midnight when start > end. `chat_types` "internal" matches group chats whose
    members are all staff; `msgtypes` are archive msgtypes ("text", "file", …)."""

    members: frozenset[str] = frozenset()
    departments: frozenset[int] = frozenset()
    chat_types: frozenset[str] = frozenset()
    sides: frozenset[str] = frozenset()
    hours: tuple[int, int] | None = None
    msgtypes: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str
    category: str
    severity: str
    terms: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    detectors: tuple[str, ...] = ()
    allow: tuple[str, ...] = ()
    scope: Scope = field(default_factory=Scope)
    article: str = ""
    # categories this rule gives way to: a finding of this rule made by a detector alone (no term or
    # pattern hit, e.g. the offensive-language classifier) is dropped when a rule of one of these
    # categories reports the same message (a slur on a region is `ethnic`, not also `abuse`)
    yield_to: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Message:
    msgid: str
    text: str
    sender: str = ""
    side: str = "staff"
    chat_type: str = "single"
    roomid: str = ""
    msgtime: int = 0  # ms since the epoch, UTC
    department_id: int | None = None
    msgtype: str = ""  # archive msgtype; "" when unknown
    internal: bool = False  # a group chat whose members (sender and receivers) are all staff
    # the sender's context for the price-authority check (price_policy.py): their role ("sales",
    # "supervisor", "manager", "director"; "" = unknown, not checked) and the codes of the products
    # they sold (used when a quote names no product)
    role: str = ""
    products: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Finding:
    msgid: str
    rule: str
    category: str
    article: str
    severity: str
    start: int  # span in the ORIGINAL message text
    end: int
    matched: str
    detector: str = ""
    confidence: float = 1.0
    detail: str = ""  # JSON with what a detector computed (the price check: product, prices, authority)

    def as_dict(self) -> dict[str, Any]:
        return {
            "msgid": self.msgid,
            "rule": self.rule,
            "category": self.category,
            "article": self.article,
            "severity": self.severity,
            "start": self.start,
            "end": self.end,
            "matched": self.matched,
            "detector": self.detector,
            "confidence": self.confidence,
            "detail": self.detail,
        }


# --- (de)serialisation -------------------------------------------------------------------------

_RULE_KEYS = {
    "code",
    "name",
    "category",
    "severity",
    "terms",
    "patterns",
    "detectors",
    "allow",
    "scope",
    "article",
    "yield_to",
}
_IGNORED_KEYS = {"description", "enabled"}
_SCOPE_KEYS = {"members", "departments", "chat_types", "sides", "hours", "msgtypes"}


def _str_tuple(value: Any, where: str, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RuleError(f"{where}: {key} must be a list of strings")
    return tuple(v for v in (s.strip() for s in value) if v)


def scope_from_dict(data: Mapping[str, Any] | None, where: str = "rule") -> Scope:
    if not data:
        return Scope()
    if not isinstance(data, Mapping):
        raise RuleError(f"{where}: scope must be an object")
    unknown = set(data) - _SCOPE_KEYS
    if unknown:
        raise RuleError(f"{where}: unknown scope field(s) {', '.join(sorted(unknown))}")
    chat_types = frozenset(_str_tuple(data.get("chat_types"), where, "scope.chat_types"))
    sides = frozenset(_str_tuple(data.get("sides"), where, "scope.sides"))
    if chat_types - set(CHAT_TYPES):
        raise RuleError(f"{where}: scope.chat_types must be among {', '.join(CHAT_TYPES)}")
    if sides - set(SIDES):
        raise RuleError(f"{where}: scope.sides must be among {', '.join(SIDES)}")
    depts = data.get("departments") or []
    if not isinstance(depts, list) or not all(isinstance(d, int) and not isinstance(d, bool) for d in depts):
        raise RuleError(f"{where}: scope.departments must be a list of integers")
    hours = data.get("hours")
    hours_t: tuple[int, int] | None = None
    if hours is not None:
        if (
            not isinstance(hours, list | tuple)
            or len(hours) != 2
            or not all(isinstance(h, int) and 0 <= h <= 24 for h in hours)
            or hours[0] == hours[1]
        ):
            raise RuleError(f"{where}: scope.hours must be [start, end] with 0 <= hour <= 24 and start != end")
        hours_t = (int(hours[0]), int(hours[1]))
    return Scope(
        members=frozenset(_str_tuple(data.get("members"), where, "scope.members")),
        departments=frozenset(depts),
        chat_types=chat_types,
        sides=sides,
        hours=hours_t,
        msgtypes=frozenset(_str_tuple(data.get("msgtypes"), where, "scope.msgtypes")),
    )


def rule_from_dict(data: Mapping[str, Any], where: str = "rule") -> Rule:
    """Build a Rule from a JSON object, raising RuleError with `where` in the message."""
    from .detect import detector_names

    if not isinstance(data, Mapping):
        raise RuleError(f"{where}: a rule must be a JSON object")
    unknown = set(data) - _RULE_KEYS - _IGNORED_KEYS
    if unknown:
        raise RuleError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    code = data.get("code")
    if not isinstance(code, str) or not code.strip():
        raise RuleError(f"{where}: code is required")
    where = f"{where} ({code})"
    category = data.get("category")
    if category not in CATEGORIES:
        raise RuleError(f"{where}: category must be one of {', '.join(CATEGORIES)}")
    severity = data.get("severity", "medium")
    if severity not in SEVERITIES:
        raise RuleError(f"{where}: severity must be one of {', '.join(SEVERITIES)}")
    detectors = _str_tuple(data.get("detectors"), where, "detectors")
    bad = [d for d in detectors if d not in detector_names()]
    if bad:
        raise RuleError(f"{where}: unknown detector(s) {', '.join(bad)}")
    yield_to = _str_tuple(data.get("yield_to"), where, "yield_to")
    if set(yield_to) - set(CATEGORIES):
        raise RuleError(f"{where}: yield_to must list categories among {', '.join(CATEGORIES)}")
    rule = Rule(
        code=code.strip(),
        name=str(data.get("name") or code).strip(),
        category=category,
        severity=severity,
        terms=_str_tuple(data.get("terms"), where, "terms"),
        patterns=_str_tuple(data.get("patterns"), where, "patterns"),
        detectors=detectors,
        allow=_str_tuple(data.get("allow"), where, "allow"),
        scope=scope_from_dict(data.get("scope"), where),
        article=str(data.get("article") or ""),
        yield_to=yield_to,
    )
    if not (rule.terms or rule.patterns or rule.detectors):
        raise RuleError(f"{where}: a rule needs terms, patterns or detectors")
    import re

    for p in rule.patterns:
        try:
            re.compile(p)
        except re.error as exc:
            raise RuleError(f"{where}: bad pattern {p!r}: {exc}") from None
    return rule


def rule_to_dict(rule: Rule) -> dict[str, Any]:
    scope: dict[str, Any] = {}
    if rule.scope.members:
        scope["members"] = sorted(rule.scope.members)
    if rule.scope.departments:
        scope["departments"] = sorted(rule.scope.departments)
    if rule.scope.chat_types:
        scope["chat_types"] = sorted(rule.scope.chat_types)
    if rule.scope.sides:
        scope["sides"] = sorted(rule.scope.sides)
    if rule.scope.hours is not None:
        scope["hours"] = list(rule.scope.hours)
    if rule.scope.msgtypes:
        scope["msgtypes"] = sorted(rule.scope.msgtypes)
    return {
        "code": rule.code,
        "name": rule.name,
        "category": rule.category,
        "severity": rule.severity,
        "article": rule.article,
        "terms": list(rule.terms),
        "patterns": list(rule.patterns),
        "detectors": list(rule.detectors),
        "allow": list(rule.allow),
        "scope": scope,
        "yield_to": list(rule.yield_to),
    }


def rules_from_objects(objects: Iterable[Any], source: str = "rules") -> list[Rule]:
    rules = []
    seen: set[str] = set()
    for i, obj in enumerate(objects, 1):
        rule = rule_from_dict(obj, f"{source}: rule {i}")
        if rule.code in seen:
            raise RuleError(f"{source}: rule {i}: duplicate code {rule.code}")
        seen.add(rule.code)
        rules.append(rule)
    return rules


def parse_rules(text: str, source: str = "rules") -> list[Rule]:
    """Parse a JSON document (list or {"rules": [...]}) or JSON lines into rules."""
    stripped = text.strip()
    if not stripped:
        raise RuleError(f"{source}: empty rule file")
    try:
        doc = json.loads(stripped)
    except json.JSONDecodeError:
        doc = None
        objects = []
        for lineno, line in enumerate(stripped.splitlines(), 1):
            if not line.strip():
                continue
            try:
                objects.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise RuleError(f"{source}: line {lineno}: bad JSON ({exc.msg})") from None
        return rules_from_objects(objects, source)
    if isinstance(doc, Mapping) and "rules" in doc:
        doc = doc["rules"]
    elif isinstance(doc, Mapping):
        doc = [doc]
    if not isinstance(doc, list):
        raise RuleError(f"{source}: expected a list of rules")
    return rules_from_objects(doc, source)


def load_rules(path: str | Path) -> list[Rule]:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise RuleError(f"{p}: cannot read ({exc.strerror})") from None
    return parse_rules(text, str(p))


def default_rules() -> list[Rule]:
    """Our own default rule pack (package data, no network, no ../shared): every category's file, in
    CATEGORIES order, then the category classifier's rules (data/model_rules.json); a file for a
    category the engine does not know is an error."""
    files = {p.stem: p for p in DEFAULT_RULES_DIR.glob("*.json")}
    unknown = sorted(set(files) - set(CATEGORIES))
    if unknown:
        raise RuleError(f"{DEFAULT_RULES_DIR}: files for unknown categories: {', '.join(unknown)}")
    out: list[Rule] = []
    for category in CATEGORIES:
        if category in files:
            rules = load_rules(files[category])
            wrong = [r.code for r in rules if r.category != category]
            if wrong:
                raise RuleError(f"{files[category]}: rules of another category: {', '.join(wrong)}")
            out.extend(rules)
    if MODEL_RULES_PATH.exists():
        model_rules = load_rules(MODEL_RULES_PATH)
        taken = {r.code for r in out} & {r.code for r in model_rules}
        if taken:
            raise RuleError(f"{MODEL_RULES_PATH}: codes already used by the category files: {', '.join(sorted(taken))}")
        out.extend(model_rules)
    return out
