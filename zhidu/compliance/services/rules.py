"""Rules: the default pack, enable/disable, term import (validated whole) and export, and the engine cache."""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, Max
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext as _

from zhidu.compliance import engine as eng
from zhidu.core.audit import audit_record
from zhidu.core.errors import DomainError
from zhidu.core.xlsx import xlsx_row, xlsx_uncell
from zhidu.org.models import Department, Member, Role, department_subtree_ids

from ..models import (
    BEHAVIOUR_CODE_PREFIX,
    BEHAVIOUR_DETECTOR,
    Category,
    Rule,
    RuleRevision,
    RuleTerm,
    Severity,
)
from .citations import citations_for_new_rules
from .price import price_snapshot_build, price_version

log = logging.getLogger(__name__)

ERR_NOT_ALLOWED = gettext_noop("You may not do this.")
ERR_IMPORT_ROWS = gettext_noop("The import was not written: {count} bad row(s): {details}")
ERR_IMPORT_EMPTY = gettext_noop("The file has no terms.")
ERR_NOT_XLSX = gettext_noop("The file is not a readable .xlsx workbook: {error}")
ERR_NOT_UTF8 = gettext_noop("The text file must be UTF-8.")
ERR_BAD_CATEGORY = gettext_noop("unknown category {value!r} (expected one of: {choices})")
ERR_BAD_SEVERITY = gettext_noop("unknown severity {value!r} (expected low, medium or high)")
ERR_BAD_ARTICLE = gettext_noop("article key {value!r} must look like sales-conduct#17 or sales-conduct#17.1")
ERR_BAD_TERM = gettext_noop("a term must be 1–{max} characters without line breaks or tabs")
ERR_BAD_RULE_CODE = gettext_noop("rule code {value!r} may contain only letters, digits, '.', '_' and '-'")
ERR_RULE_CATEGORY = gettext_noop("rule {code!r} exists with category {existing!r}, not {value!r}")
ROW_PROBLEMS = gettext_noop("row {row}: {problems}")
MORE_ROWS = gettext_noop("… and {count} more")
SHOWN_ROWS = 20

Problem = tuple[str, dict[str, Any]]  # an English template and its parameters


class RowProblems:
    """The bad rows of an import, put into words when the error is read (so in the reader's language)."""

    def __init__(self, rows: list[tuple[int, list[Problem]]]) -> None:
        self.rows = rows

    def __str__(self) -> str:
        parts = [
            gettext(ROW_PROBLEMS).format(row=row, problems="; ".join(gettext(t).format(**p) for t, p in problems))
            for row, problems in self.rows[:SHOWN_ROWS]
        ]
        if len(self.rows) > SHOWN_ROWS:
            parts.append(gettext(MORE_ROWS).format(count=len(self.rows) - SHOWN_ROWS))
        return "; ".join(parts)


RULE_ADMINS = (Role.COMPLIANCE, Role.ADMIN, Role.DIRECTOR)


_ENGINE: dict[str, Any] = {"version": None, "engine": None, "codes": {}}


def rules_version() -> tuple[Any, ...]:
    """Changes whenever rules, their terms, their revisions or the department tree change (cheap aggregates).
    Behaviour rules do not count: the text engine never compiles them, and the streaming checks create theirs on
    first use during ingestion, which must not make the next batch rebuild the engine."""
    r = Rule.objects.exclude(code__startswith=BEHAVIOUR_CODE_PREFIX).aggregate(n=Count("id"), t=Max("updated_at"))
    t = RuleTerm.objects.aggregate(n=Count("id"), m=Max("id"))
    d = Department.objects.aggregate(n=Count("id"), t=Max("updated_at"))
    v = RuleRevision.objects.aggregate(m=Max("id"))  # edits in the app (scope changes touch no term row)
    return (r["n"], r["t"], t["n"], t["m"], d["n"], d["t"], v["m"])


def rules_compile() -> list[eng.Rule]:
    """Enabled rules as engine rules (department scope expanded to sub-departments)."""
    rules = list(Rule.objects.filter(enabled=True).prefetch_related("departments", "members"))
    terms: dict[int, list[str]] = defaultdict(list)
    for rule_id, term in RuleTerm.objects.filter(rule__enabled=True).values_list("rule_id", "term").order_by("id"):
        terms[rule_id].append(term)
    out = []
    for rule in rules:
        if BEHAVIOUR_DETECTOR in (rule.detectors or ()):
            continue  # a behaviour check's rule row: the streaming checks read it, not the text engine
        depts: set[int] = set()
        for d in rule.departments.all():
            depts |= department_subtree_ids(d.pk)
        hours = (rule.hour_start, rule.hour_end) if rule.hour_start is not None and rule.hour_end is not None else None
        out.append(
            eng.Rule(
                code=rule.code,
                name=rule.name,
                category=rule.category,
                severity=rule.severity,
                terms=tuple(terms.get(rule.pk, ())),
                patterns=tuple(rule.patterns or ()),
                detectors=tuple(rule.detectors or ()),
                allow=tuple(rule.allow or ()),
                scope=eng.Scope(
                    members=frozenset(m.wecom_userid for m in rule.members.all() if m.wecom_userid),
                    departments=frozenset(depts),
                    chat_types=frozenset(rule.chat_types or ()),
                    sides=frozenset(rule.sides or ()),
                    hours=hours,
                    msgtypes=frozenset(rule.msgtypes or ()),
                ),
                article=rule.article,
                yield_to=tuple(rule.yield_to or ()),
            )
        )
    return out


def rules_engine() -> tuple[eng.Engine, dict[str, int]]:
    """The engine for the current rules and price policy (rebuilt only when `rules_version()` or
    `price_version()` changes) and rule pk by code."""
    version = (rules_version(), price_version())
    if _ENGINE["version"] != version or _ENGINE["engine"] is None:
        _ENGINE["engine"] = eng.Engine(rules_compile(), price_policy=price_snapshot_build())
        _ENGINE["codes"] = dict(Rule.objects.filter(enabled=True).values_list("code", "pk"))
        _ENGINE["version"] = version
    return _ENGINE["engine"], _ENGINE["codes"]


def _require_rule_admin(actor: Member | None) -> None:
    if actor is not None and not (actor.is_active and actor.role in RULE_ADMINS):
        raise DomainError(ERR_NOT_ALLOWED, code="forbidden")


@transaction.atomic
def rules_seed_default(*, actor: Member | None = None) -> int:
    """Create the default pack's rules that do not exist yet (by code); never overwrites edits. Idempotent."""
    _require_rule_admin(actor)
    existing = set(Rule.objects.values_list("code", flat=True))
    created = 0
    new_rules: list[Rule] = []
    for r in eng.default_rules():
        if r.code in existing:
            continue
        rule = Rule.objects.create(
            code=r.code,
            name=r.name,
            category=r.category,
            severity=r.severity,
            patterns=list(r.patterns),
            detectors=list(r.detectors),
            allow=list(r.allow),
            yield_to=list(r.yield_to),
            article=r.article,
            builtin=True,
            chat_types=sorted(r.scope.chat_types),
            sides=sorted(r.scope.sides),
            msgtypes=sorted(r.scope.msgtypes),
            hour_start=r.scope.hours[0] if r.scope.hours else None,
            hour_end=r.scope.hours[1] if r.scope.hours else None,
        )
        RuleTerm.objects.bulk_create([RuleTerm(rule=rule, term=t) for t in dict.fromkeys(r.terms)])
        created += 1
        new_rules.append(rule)
    if created:
        audit_record(actor=actor, verb="rule.seed", target_type="compliance.rule", after={"created": created})
    citations_for_new_rules(new_rules)  # map them against the regulations already published
    return created


@transaction.atomic
def rule_set_enabled(*, actor: Member | None, rule: Rule, enabled: bool) -> Rule:
    _require_rule_admin(actor)
    rule = Rule.objects.select_for_update().get(pk=rule.pk)
    if rule.enabled != enabled:
        before = {"enabled": rule.enabled}
        rule.enabled = enabled
        rule.save(update_fields=["enabled", "updated_at"])
        audit_record(
            actor=actor,
            verb="rule.enable" if enabled else "rule.disable",
            target=rule,
            before=before,
            after={"enabled": enabled},
        )
    return rule


# Default article per category (interfaces: demo regulation `sales-conduct`).
CATEGORY_ARTICLE = {
    Category.FALSE_CLAIM: "sales-conduct#17",
    Category.PRIVACY: "sales-conduct#18.1",
    Category.SECRET: "sales-conduct#19",
    Category.PRIVATE_DEAL: "sales-conduct#20",
    Category.PRICE: "sales-conduct#14",
    Category.ABUSE: "sales-conduct#21",
    Category.ADS: "sales-conduct#22.1",
    Category.PROHIBITED: "sales-conduct#22.2",
    Category.RUMOR: "sales-conduct#23.1",
    Category.RESOURCE_MISUSE: "sales-conduct#23.2",
    Category.MALWARE: "sales-conduct#23.3",
    Category.UNFAIR_COMPETITION: "sales-conduct#23.4",
    Category.COUNTERFEIT: "sales-conduct#23.5",
    Category.POLITICS: "sales-conduct#23.6",
    Category.VIOLENCE: "sales-conduct#23.7",
    Category.ETHNIC: "sales-conduct#23.8",
}
MAX_TERM = 200
_ARTICLE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*#\d+(\.\d+)?$")
_CODE_RE = re.compile(r"^[A-Za-z0-9._-]{1,100}$")


@dataclass(frozen=True, slots=True)
class TermRow:
    row: int
    term: str
    category: str
    severity: str = Severity.MEDIUM
    article: str = ""
    rule: str = ""  # optional rule code; default imported-<category>-<severity>


@dataclass
class ImportResult:
    rules_created: int = 0
    terms_added: int = 0
    terms_existing: int = 0
    rules: list[str] = field(default_factory=list)


def _row_errors(row: TermRow) -> list[Problem]:
    errors: list[Problem] = []
    if not row.term or len(row.term) > MAX_TERM or any(c in row.term for c in "\t\r\n"):
        errors.append((ERR_BAD_TERM, {"max": MAX_TERM}))
    if row.category not in Category.values:
        errors.append((ERR_BAD_CATEGORY, {"value": row.category, "choices": ", ".join(Category.values)}))
    if row.severity not in Severity.values:
        errors.append((ERR_BAD_SEVERITY, {"value": row.severity}))
    if row.article and not _ARTICLE_RE.match(row.article):
        errors.append((ERR_BAD_ARTICLE, {"value": row.article}))
    if row.rule and not _CODE_RE.match(row.rule):
        errors.append((ERR_BAD_RULE_CODE, {"value": row.rule}))
    return errors


def _rule_code_for(row: TermRow) -> str:
    if row.rule:
        return row.rule
    code = f"imported-{row.category}-{row.severity}"
    article = row.article or CATEGORY_ARTICLE.get(row.category, "")  # type: ignore[call-overload]
    if article != CATEGORY_ARTICLE.get(row.category, ""):  # type: ignore[call-overload]
        code += "-" + re.sub(r"[^a-z0-9]+", "-", article.lower()).strip("-")
    return code[:100]


@transaction.atomic
def rules_import(*, actor: Member | None, rows: Sequence[TermRow]) -> ImportResult:
    """Add terms to rules (created on demand). Every row is validated first; any bad row → nothing written."""
    _require_rule_admin(actor)
    if not rows:
        raise DomainError(ERR_IMPORT_EMPTY, field="file")
    bad: list[tuple[int, list[Problem]]] = []
    for row in rows:
        errors = _row_errors(row)
        if errors:
            bad.append((row.row, errors))
    groups: dict[str, list[TermRow]] = defaultdict(list)
    for row in rows:
        if not _row_errors(row):
            groups[_rule_code_for(row)].append(row)
    existing = {r.code: r for r in Rule.objects.filter(code__in=groups)}
    for code, items in groups.items():
        cat = items[0].category
        if code in existing and existing[code].category != cat:
            bad.append(
                (items[0].row, [(ERR_RULE_CATEGORY, {"code": code, "existing": existing[code].category, "value": cat})])
            )
        for other in items[1:]:
            if other.category != cat:
                bad.append((other.row, [(ERR_RULE_CATEGORY, {"code": code, "existing": cat, "value": other.category})]))
    if bad:
        raise DomainError(ERR_IMPORT_ROWS, field="file", count=len(bad), details=RowProblems(bad))
    result = ImportResult()
    new_rules: list[Rule] = []
    for code, items in groups.items():
        rule = existing.get(code)
        first = items[0]
        if rule is None:
            label = Category(first.category).label
            rule = Rule.objects.create(
                code=code,
                name=f"{label} ({_('imported terms')}, {first.severity})",
                category=first.category,
                severity=first.severity,
                article=first.article or CATEGORY_ARTICLE.get(first.category, ""),  # type: ignore[call-overload]
            )
            result.rules_created += 1
            new_rules.append(rule)
        have = set(RuleTerm.objects.filter(rule=rule).values_list("term", flat=True))
        new = [t for t in dict.fromkeys(r.term for r in items) if t not in have]
        RuleTerm.objects.bulk_create([RuleTerm(rule=rule, term=t) for t in new])
        result.terms_added += len(new)
        result.terms_existing += len(items) - len(new)
        result.rules.append(code)
        rule.save(update_fields=["updated_at"])  # bumps the rules version: engines rebuild
        audit_record(actor=actor, verb="rule.import", target=rule, after={"added": len(new)})
    citations_for_new_rules(new_rules)  # map them against the regulations already published
    return result


def parse_terms_text(
    content: str, *, category: str, severity: str = Severity.MEDIUM, article: str = "", rule: str = ""
) -> list[TermRow]:
    """One term per line; blank lines and lines starting with # are skipped. Row numbers are line numbers."""
    out = []
    for lineno, line in enumerate(content.splitlines(), start=1):
        term = line.strip().lstrip("\ufeff")
        if not term or term.startswith("#"):
            continue
        out.append(TermRow(row=lineno, term=term, category=category, severity=severity, article=article, rule=rule))
    return out


XLSX_COLUMNS = ("term", "category", "severity", "article", "rule")


def parse_terms_xlsx(
    file: Any, *, category: str = "", severity: str = Severity.MEDIUM, article: str = "", rule: str = ""
) -> list[TermRow]:
    """Rows of (term[, category, severity, article, rule]); an optional header row names the columns.
    Empty cells fall back to the given defaults. Row numbers are the sheet's."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a bad file
        raise DomainError(ERR_NOT_XLSX, field="file", error=exc) from None
    ws = wb.worksheets[0]
    columns = list(XLSX_COLUMNS)
    out: list[TermRow] = []
    for index, values in enumerate(ws.iter_rows(values_only=True), start=1):
        cells = ["" if v is None else xlsx_uncell(str(v)).strip() for v in values]
        if index == 1 and cells and cells[0].lower() == "term":
            columns = [c.lower() for c in cells]
            continue
        if not any(cells):
            continue
        data = dict(zip(columns, cells, strict=False))
        out.append(
            TermRow(
                row=index,
                term=data.get("term", ""),
                category=data.get("category") or category,
                severity=data.get("severity") or severity,
                article=data.get("article") or article,
                rule=data.get("rule") or rule,
            )
        )
    wb.close()
    return out


def parse_terms_file(name: str, content: bytes | Any, **defaults: str) -> list[TermRow]:
    """Dispatch on the file name: .xlsx → workbook, anything else → UTF-8 text, one term per line."""
    if name.lower().endswith(".xlsx"):
        import io

        return parse_terms_xlsx(io.BytesIO(content) if isinstance(content, bytes) else content, **defaults)
    raw = content if isinstance(content, bytes) else content.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError(ERR_NOT_UTF8, field="file") from None
    if not defaults.get("category"):
        raise DomainError(ERR_BAD_CATEGORY, field="category", value="", choices=", ".join(Category.values))
    return parse_terms_text(text, **defaults)


def rules_export_xlsx(file: Any, *, rules: Iterable[Rule] | None = None) -> int:
    """Write every term (one row each: term, category, severity, article, rule) to an .xlsx; returns rows."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "terms"
    ws.append(list(XLSX_COLUMNS))
    qs = RuleTerm.objects.select_related("rule").order_by("rule__category", "rule__code", "id")
    if rules is not None:
        qs = qs.filter(rule__in=list(rules))
    count = 0
    for t in qs:
        ws.append(xlsx_row([t.term, t.rule.category, t.rule.severity, t.rule.article, t.rule.code]))
        count += 1
    wb.save(file)
    return count
