"""Helpers of the discipline tests: confirmed violations through compliance's own service (events run)."""

from __future__ import annotations

from typing import Any

from zhidu.compliance.models import Impact, Violation
from zhidu.compliance.services.review import violation_confirm
from zhidu.compliance.tests.factories import make_rule, make_violation
from zhidu.discipline.models import Sanction


def confirm(
    actors: Any,
    capture: Any,
    member: Any = None,
    *,
    loss: object = None,
    impact: str = Impact.NONE,
    rule: Any = None,
    cited_article: int | None = None,
) -> tuple[Violation, Sanction | None]:
    """A violation of `member` (the canonical salesperson), confirmed by their supervisor with the given facts;
    returns it and the sanction proposed by the `violation.confirmed` handler."""
    member = member or actors.sales
    v = make_violation(member, rule=rule)
    if cited_article is not None:
        v.cited = [{"version": 1, "article": cited_article, "item": None, "citation": "《制度》第九条", "anchor": ""}]
        v.citation = "《制度》第九条"
        v.save(update_fields=["cited", "citation"])
    with capture(execute=True):
        violation_confirm(actor=member.reports_to, violation=v, loss_amount=loss, impact=impact)
    return v, Sanction.objects.filter(violation=v).first()


def rule(code: str, category: str = "false_claim", severity: str = "medium") -> Any:
    return make_rule(code, category=category, severity=severity, terms=(code,))
