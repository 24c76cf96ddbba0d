"""The compliance check of a library text: the enabled rules that scan chats (`compliance.services.rules_engine`),
applied to the text as if the author sent it to a customer in a single chat during working hours. Each rule it
breaks is reported once, with the regulation clauses in force that back the rule (`citations_in_force`), cited
the way violations are. Nothing is written."""

from __future__ import annotations

from dataclasses import dataclass

from zhidu.compliance import engine as eng
from zhidu.compliance.models import Category
from zhidu.compliance.selectors import citation_text, citations_in_force
from zhidu.compliance.services import rules_engine
from zhidu.compliance.services.rule_test import sample_msgtime
from zhidu.org.models import Member

WORKING_HOUR = 10  # the hour the text is checked at (rules limited to other hours do not apply to a script)


@dataclass(frozen=True)
class LibraryFinding:
    rule_id: int
    rule_name: str
    category: str
    matched: str
    start: int
    end: int
    citation: str  # "" when no regulation in force backs the rule

    @property
    def category_label(self) -> str:
        return str(Category(self.category).label) if self.category in Category.values else self.category


def text_findings(*, author: Member, text: str) -> list[LibraryFinding]:
    """The enabled rules `text` breaks when `author` sends it to a customer, first hit per rule, in text order."""
    if not text.strip():
        return []
    engine, codes = rules_engine()
    message = eng.Message(
        msgid="library",
        text=text,
        sender=author.wecom_userid or "",
        side="staff",
        chat_type="single",
        msgtime=sample_msgtime(WORKING_HOUR),
        department_id=author.department_id,
        msgtype="text",
        role=author.role,
    )
    first: dict[str, eng.Finding] = {}
    for f in engine.scan([message]):
        if f.rule in codes and (f.rule not in first or f.start < first[f.rule].start):
            first[f.rule] = f
    if not first:
        return []
    names = {r.code: r.name for r in engine.rules}
    cited = citations_in_force({codes[code] for code in first})
    out = [
        LibraryFinding(
            rule_id=codes[code],
            rule_name=names.get(code, code),
            category=f.category,
            matched=f.matched[:200],
            start=f.start,
            end=f.end,
            citation=citation_text(cited.get(codes[code], [])),
        )
        for code, f in first.items()
    ]
    return sorted(out, key=lambda x: (x.start, x.rule_id))
