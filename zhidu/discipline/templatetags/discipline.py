"""Template helpers of the discipline pages."""

from __future__ import annotations

from typing import Any

from django import template

from zhidu.compliance.models import Category, Severity

from ..models import SanctionPolicy

register = template.Library()


@register.filter
def category_label(value: str) -> str:
    return str(Category(value).label) if value in Category.values else ""


@register.filter
def severity_label(value: str) -> str:
    return str(Severity(value).label) if value in Severity.values else ""


@register.simple_tag
def policy_kinds(policy: SanctionPolicy) -> list[tuple[str, Any, str]]:
    """(field, label, current kind) of the ladder's steps, for the policy form."""
    fields = ("first_kind", "again_kind", "loss_kind", "impact_kind", "serious_kind")
    return [(f, SanctionPolicy.label(f), getattr(policy, f)) for f in fields]
