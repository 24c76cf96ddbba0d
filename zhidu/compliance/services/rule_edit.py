"""Editing rules in the app: validate a rule's editable fields, save them with an audit event and a numbered
revision, restore a revision, compare two (the test box is in `rule_test`).

The editable fields (`EDITABLE`) are what a revision snapshots: name, severity, enabled, article, terms,
patterns, allow phrases, detectors and the scope (departments, members, chat types, sides, message types,
hours). Every write bumps `Rule.updated_at` and adds a `RuleRevision`, and `rules_version()` reads both, so
`rules_engine()` rebuilds on the next scan.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_noop

from zhidu.compliance.engine.detect import detector_names
from zhidu.compliance.engine.match import required_literals
from zhidu.compliance.engine.normalize import normalize_text
from zhidu.compliance.engine.rules import CHAT_TYPES, SIDES
from zhidu.core.audit import audit_record
from zhidu.core.errors import DomainError
from zhidu.core.text import text_problem
from zhidu.org.models import Department, Member

from ..models import Category, Rule, RuleRevision, RuleTerm, Severity
from ..rule_labels import FIELD_LABELS
from ..selectors import RULE_EDITORS
from .ingest import KNOWN_MSGTYPES
from .rules import _ARTICLE_RE, _CODE_RE, MAX_TERM

MAX_TERMS = 20_000
MAX_PATTERNS = 50
MAX_PATTERN = 500
MAX_ALLOW = 500
MAX_SCOPE_IDS = 500
MAX_REASON = 300

LIST_FIELDS = ("terms", "patterns", "allow", "detectors", "departments", "members", "chat_types", "sides", "msgtypes")
SCALAR_FIELDS = ("name", "severity", "enabled", "article", "hour_start", "hour_end")
EDITABLE = SCALAR_FIELDS + LIST_FIELDS

ERR_FORBIDDEN = gettext_noop("You may not edit rules.")
ERR_UNKNOWN_FIELD = gettext_noop("Unknown rule field {name!r}.")
ERR_NAME = gettext_noop("The rule needs a name (at most {max} characters).")
ERR_CODE = gettext_noop("The rule code may contain only letters, digits, '.', '_' and '-' (at most 100).")
ERR_CODE_TAKEN = gettext_noop("A rule with the code {code!r} already exists.")
ERR_CATEGORY = gettext_noop("Choose a category.")
ERR_SEVERITY = gettext_noop("The severity must be low, medium or high.")
ERR_ARTICLE = gettext_noop("The article key must look like sales-conduct#17 or sales-conduct#17.1.")
ERR_EMPTY_RULE = gettext_noop(
    "The rule has nothing to detect: give it at least one term, pattern or detector (or disable it instead)."
)
ERR_TOO_MANY = gettext_noop("Too many {what}: at most {max} are allowed, there are {count}.")
ERR_TERM = gettext_noop("Term {value!r}: a term must be 1–{max} characters on one line.")
ERR_TERM_EMPTY_NORMALISED = gettext_noop(
    "Term {value!r} is made only of characters the engine ignores (zero-width or formatting characters); "
    "it can never match."
)
ERR_ALLOW = gettext_noop("Allowed phrase {value!r}: a phrase must be 1–{max} characters on one line.")
ERR_PATTERN_SYNTAX = gettext_noop("Pattern {value!r} is not a valid regular expression: {error}.")
ERR_PATTERN_LONG = gettext_noop("Pattern {value!r} is longer than {max} characters.")
ERR_PATTERN_NO_LITERAL = gettext_noop(
    "Pattern {value!r} has no fixed text that every match must contain, so it would run on every message. "
    "Make a word required, e.g. 微信.{{0,3}}[a-z0-9]{{6,}} rather than [a-z0-9]{{6,}}."
)
ERR_PATTERN_NOT_NORMALISED = gettext_noop(
    "Pattern {value!r} contains {literal!r}, which never occurs in the text the engine searches "
    "(lower case, half-width, simplified characters); write {normalised!r} instead."
)
ERR_PATTERN_EMPTY_MATCH = gettext_noop("Pattern {value!r} can match empty text.")
ERR_DETECTOR = gettext_noop("Unknown detector {value!r}.")
ERR_CHOICE = gettext_noop("Unknown {what} {value!r}.")
ERR_HOURS = gettext_noop("Give both hours (0–24) or neither; they must differ.")
ERR_DEPARTMENTS = gettext_noop("Some of the chosen departments do not exist.")
ERR_MEMBERS = gettext_noop("Some of the chosen members do not exist or have left.")
ERR_REVISION = gettext_noop("That revision does not exist for this rule.")
ERR_REASON = gettext_noop("The reason may have at most {max} characters.")


def _require_editor(actor: Member | None) -> None:
    if actor is not None and not (actor.is_active and actor.role in RULE_EDITORS):
        raise DomainError(ERR_FORBIDDEN, code="forbidden")


# --------------------------------------------------------------------------------------------- snapshots


def rule_snapshot(rule: Rule) -> dict[str, Any]:
    """The editable fields of a saved rule as plain JSON values (lists sorted where order does not matter)."""
    return {
        "name": rule.name,
        "severity": rule.severity,
        "enabled": rule.enabled,
        "article": rule.article,
        "hour_start": rule.hour_start,
        "hour_end": rule.hour_end,
        "terms": list(RuleTerm.objects.filter(rule=rule).order_by("id").values_list("term", flat=True)),
        "patterns": list(rule.patterns or []),
        "allow": list(rule.allow or []),
        "detectors": list(rule.detectors or []),
        "departments": sorted(rule.departments.values_list("pk", flat=True)),
        "members": sorted(rule.members.values_list("pk", flat=True)),
        "chat_types": list(rule.chat_types or []),
        "sides": list(rule.sides or []),
        "msgtypes": list(rule.msgtypes or []),
    }


# --------------------------------------------------------------------------------------------- validation


def _lines(value: Any) -> list[str]:
    """A list of strings, or one string with one item per line: trimmed, blanks dropped, duplicates removed."""
    if value is None:
        return []
    items = value.splitlines() if isinstance(value, str) else [str(v) for v in value]
    return list(dict.fromkeys(s.strip() for s in items if s and s.strip()))


def _bad(template: str, where: str, **params: Any) -> DomainError:
    return DomainError(template, field=where, **params)


def _check_count(items: Sequence[object], limit: int, name: str) -> None:
    if len(items) > limit:
        raise _bad(ERR_TOO_MANY, name, what=FIELD_LABELS[name], max=limit, count=len(items))


def _check_phrases(items: list[str], *, template: str, field: str) -> None:
    for s in items:
        if len(s) > MAX_TERM or any(c in s for c in "\t\r\n") or text_problem(s, max_length=MAX_TERM):
            raise _bad(template, field, value=s[:40], max=MAX_TERM)


def pattern_problem(pattern: str) -> DomainError | None:
    """Why `pattern` cannot be used by the engine, or None. Patterns run on NORMALISED text, and only on
    texts where the automaton saw one of the literals every match must contain."""
    if len(pattern) > MAX_PATTERN:
        return _bad(ERR_PATTERN_LONG, "patterns", value=pattern[:40], max=MAX_PATTERN)
    if text_problem(pattern, max_length=MAX_PATTERN):
        return _bad(ERR_PATTERN_LONG, "patterns", value=pattern[:40], max=MAX_PATTERN)
    try:
        compiled = re.compile(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        return _bad(ERR_PATTERN_SYNTAX, "patterns", value=pattern, error=str(exc))
    if compiled.fullmatch(""):
        return _bad(ERR_PATTERN_EMPTY_MATCH, "patterns", value=pattern)
    literals = required_literals(pattern)
    if not literals:
        return _bad(ERR_PATTERN_NO_LITERAL, "patterns", value=pattern)
    for lit in sorted(literals):
        norm = normalize_text(lit)
        if norm != lit:
            return _bad(ERR_PATTERN_NOT_NORMALISED, "patterns", value=pattern, literal=lit, normalised=norm)
    return None


def _clean_list(name: str, value: Any) -> list[Any]:
    if name in ("departments", "members"):
        try:
            ids = sorted({int(v) for v in (value or [])})
        except (TypeError, ValueError):
            raise _bad(ERR_DEPARTMENTS if name == "departments" else ERR_MEMBERS, name) from None
        _check_count(ids, MAX_SCOPE_IDS, name)
        return ids
    items = _lines(value)
    if name == "terms":
        _check_count(items, MAX_TERMS, name)
        _check_phrases(items, template=ERR_TERM, field=name)
        for t in items:
            if not normalize_text(t):
                raise _bad(ERR_TERM_EMPTY_NORMALISED, name, value=t)
    elif name == "allow":
        _check_count(items, MAX_ALLOW, name)
        _check_phrases(items, template=ERR_ALLOW, field=name)
    elif name == "patterns":
        _check_count(items, MAX_PATTERNS, name)
        for p in items:
            problem = pattern_problem(p)
            if problem is not None:
                raise problem
    elif name == "detectors":
        known = detector_names()
        for d in items:
            if d not in known:
                raise _bad(ERR_DETECTOR, name, value=d)
    else:
        choices = {"chat_types": CHAT_TYPES, "sides": SIDES, "msgtypes": tuple(KNOWN_MSGTYPES)}[name]
        for v in items:
            if v not in choices:
                raise _bad(ERR_CHOICE, name, what=FIELD_LABELS[name], value=v)
    return items


def _clean_hour(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        hour = int(value)
    except (TypeError, ValueError):
        raise _bad(ERR_HOURS, "hour_start") from None
    if not 0 <= hour <= 24:
        raise _bad(ERR_HOURS, "hour_start")
    return hour


def rule_fields_clean(fields: Mapping[str, Any], *, base: Mapping[str, Any]) -> dict[str, Any]:
    """`base` (a snapshot) updated with `fields`, every field checked; raises DomainError with the reason."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise _bad(ERR_UNKNOWN_FIELD, sorted(unknown)[0], name=sorted(unknown)[0])
    out = dict(base)
    for name, value in fields.items():
        if name in LIST_FIELDS:
            out[name] = _clean_list(name, value)
        elif name == "name":
            out[name] = str(value or "").strip()
        elif name in ("hour_start", "hour_end"):
            out[name] = _clean_hour(value)
        elif name == "enabled":
            out[name] = bool(value)
        else:
            out[name] = str(value or "").strip()
    max_name = Rule._meta.get_field("name").max_length or 200
    if not out["name"] or text_problem(out["name"], max_length=max_name):
        raise _bad(ERR_NAME, "name", max=max_name)
    if out["severity"] not in Severity.values:
        raise _bad(ERR_SEVERITY, "severity")
    if out["article"] and not _ARTICLE_RE.match(out["article"]):
        raise _bad(ERR_ARTICLE, "article")
    hours = (out["hour_start"], out["hour_end"])
    if (hours[0] is None) != (hours[1] is None) or (hours[0] is not None and hours[0] == hours[1]):
        raise _bad(ERR_HOURS, "hour_start")
    if not (out["terms"] or out["patterns"] or out["detectors"]):
        raise _bad(ERR_EMPTY_RULE, "terms")
    return out


def _check_scope_ids(data: Mapping[str, Any]) -> None:
    if data["departments"] and Department.objects.filter(pk__in=data["departments"]).count() != len(
        data["departments"]
    ):
        raise _bad(ERR_DEPARTMENTS, "departments")
    if data["members"] and Member.objects.active().filter(pk__in=data["members"]).count() != len(data["members"]):
        raise _bad(ERR_MEMBERS, "members")


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if text_problem(reason, max_length=MAX_REASON):
        raise _bad(ERR_REASON, "reason", max=MAX_REASON)
    return reason


# --------------------------------------------------------------------------------------------- writes


def _write(rule: Rule, data: Mapping[str, Any]) -> None:
    for name in SCALAR_FIELDS:
        setattr(rule, name, data[name])
    for name in ("patterns", "allow", "detectors", "chat_types", "sides", "msgtypes"):
        setattr(rule, name, list(data[name]))
    rule.save()
    have = dict(RuleTerm.objects.filter(rule=rule).values_list("term", "pk"))
    wanted = list(data["terms"])
    gone = [pk for term, pk in have.items() if term not in set(wanted)]
    if gone:
        RuleTerm.objects.filter(pk__in=gone).delete()
    RuleTerm.objects.bulk_create([RuleTerm(rule=rule, term=t) for t in wanted if t not in have])
    rule.departments.set(data["departments"])
    rule.members.set(data["members"])


def _revise(rule: Rule, *, actor: Member | None, snapshot: dict[str, Any], **extra: Any) -> RuleRevision:
    last = RuleRevision.objects.filter(rule=rule).aggregate(n=Max("number"))["n"] or 0
    return RuleRevision.objects.create(rule=rule, number=last + 1, snapshot=snapshot, actor=actor, **extra)


def _diff_for_audit(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Changed fields: scalars as old and new values, lists as the items removed (before) and added (after)."""
    old: dict[str, Any] = {}
    new: dict[str, Any] = {}
    for c in revision_diff(before, after):
        if c.name in LIST_FIELDS:
            old[c.name], new[c.name] = c.removed, c.added
        else:
            old[c.name], new[c.name] = c.before, c.after
    return old, new


def rule_update(*, actor: Member | None, rule: Rule, reason: str = "", **fields: Any) -> Rule:
    """Change a rule's editable fields. Everything is checked first; then the rule, its terms, an audit event
    and a new revision are written together. A save that changes nothing writes nothing."""
    return _update(actor=actor, rule=rule, reason=reason, restored_from=None, fields=fields)


@transaction.atomic
def _update(
    *, actor: Member | None, rule: Rule, reason: str, restored_from: int | None, fields: Mapping[str, Any]
) -> Rule:
    _require_editor(actor)
    reason = _clean_reason(reason)
    rule = Rule.objects.select_for_update().get(pk=rule.pk)
    before = rule_snapshot(rule)
    data = rule_fields_clean(fields, base=before)
    _check_scope_ids(data)
    if data == before:
        return rule
    if not RuleRevision.objects.filter(rule=rule).exists():
        _revise(rule, actor=None, snapshot=before, baseline=True)
    _write(rule, data)
    revision = _revise(rule, actor=actor, snapshot=rule_snapshot(rule), reason=reason, restored_from=restored_from)
    b, a = _diff_for_audit(before, data)
    verb = "rule.update" if restored_from is None else "rule.restore"
    audit_record(actor=actor, verb=verb, target=rule, before=b, after=a | {"revision": revision.number}, reason=reason)
    return rule


@transaction.atomic
def rule_create(*, actor: Member | None, code: str, category: str, reason: str = "", **fields: Any) -> Rule:
    """A new custom rule (not from the default pack), with revision 1."""
    _require_editor(actor)
    reason = _clean_reason(reason)
    code = (code or "").strip()
    if not _CODE_RE.match(code):
        raise _bad(ERR_CODE, "code")
    if category not in Category.values:
        raise _bad(ERR_CATEGORY, "category")
    base: dict[str, Any] = {k: ([] if k in LIST_FIELDS else None) for k in EDITABLE}
    base |= {"name": "", "severity": Severity.MEDIUM, "enabled": True, "article": ""}
    data = rule_fields_clean(fields, base=base)
    _check_scope_ids(data)
    if Rule.objects.filter(code=code).exists():
        raise _bad(ERR_CODE_TAKEN, "code", code=code)
    rule = Rule(code=code, category=category, builtin=False)
    _write(rule, data)
    revision = _revise(rule, actor=actor, snapshot=rule_snapshot(rule), reason=reason)
    audit_record(
        actor=actor,
        verb="rule.create",
        target=rule,
        after={"code": code, "category": category, "revision": revision.number}
        | {k: v for k, v in data.items() if k != "terms"}
        | {"terms": len(data["terms"])},
        reason=reason,
    )
    return rule


def rule_revision_restore(*, actor: Member | None, rule: Rule, number: int, reason: str = "") -> Rule:
    """Make a past revision current again: a new revision with its fields (members who left are dropped)."""
    _require_editor(actor)
    revision = RuleRevision.objects.filter(rule=rule, number=number).first()
    if revision is None:
        raise _bad(ERR_REVISION, "revision")
    snap = {k: v for k, v in revision.snapshot.items() if k in EDITABLE}
    members, departments = snap.get("members", []), snap.get("departments", [])
    snap["members"] = list(Member.objects.active().filter(pk__in=members).values_list("pk", flat=True))
    snap["departments"] = list(Department.objects.filter(pk__in=departments).values_list("pk", flat=True))
    return _update(actor=actor, rule=rule, reason=reason, restored_from=number, fields=snap)


# --------------------------------------------------------------------------------------------- diff


@dataclass(frozen=True)
class FieldChange:
    name: str
    before: Any = None
    after: Any = None
    added: list[Any] = dataclasses.field(default_factory=list)
    removed: list[Any] = dataclasses.field(default_factory=list)


def revision_diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[FieldChange]:
    """What changed from snapshot `old` to `new`: scalars before → after, lists as added and removed items."""
    out = []
    for name in EDITABLE:
        a, b = old.get(name), new.get(name)
        if a == b:
            continue
        if name in LIST_FIELDS:
            sa, sb = list(a or []), list(b or [])
            added = [x for x in sb if x not in set(sa)]
            removed = [x for x in sa if x not in set(sb)]
            if added or removed:
                out.append(FieldChange(name, added=added, removed=removed))
        else:
            out.append(FieldChange(name, before=a, after=b))
    return out
