"""Behaviour checks: what the chat archive shows people *doing* rather than saying — late replies, flooding, chatting
during meetings. They stream over archived messages in time order (state persisted between batches) and record
`Violation`s against a behaviour rule row (`BEHAVIOUR_DETECTOR`), so reviews, citations and hit counts work as for
text rules. Each check lives in its own module of this package; thresholds are settings with documented defaults.
"""

from __future__ import annotations

from django.db import transaction

from ..models import BEHAVIOUR_CODE_PREFIX, BEHAVIOUR_DETECTOR, Rule, Severity


@transaction.atomic
def behaviour_rule(*, code: str, name: str, category: str, severity: str = Severity.MEDIUM) -> Rule:
    """The rule row a behaviour check cites (created on first use, enabled; an admin's edits are never overwritten)."""
    if not code.startswith(BEHAVIOUR_CODE_PREFIX):
        raise ValueError(f"a behaviour rule's code starts with {BEHAVIOUR_CODE_PREFIX!r}: {code!r}")
    rule, _created = Rule.objects.get_or_create(
        code=code,
        defaults={
            "name": name,
            "category": category,
            "severity": severity,
            "detectors": [BEHAVIOUR_DETECTOR],
            "builtin": True,
        },
    )
    return rule
