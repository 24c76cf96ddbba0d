"""Sections other apps add to the group detail page (convention status, moderation ledger, open tasks …).

Apps above `groups` register from their `AppConfig.ready()`:

    from zhidu.groups.sections import register_group_section
    register_group_section("moderation", "compliance/group_moderation.html", order=30, context=my_context)

`context(viewer, group)` returns the template's context (its keys are available to the included template),
or None to leave the section out for this viewer and group. Sections render in `order`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from zhidu.org.models import Member

from .models import GroupChat

SectionContext = Callable[[Member, GroupChat], dict[str, Any] | None]


@dataclass(frozen=True)
class GroupSection:
    key: str
    template: str
    order: int
    context: SectionContext | None


_SECTIONS: dict[str, GroupSection] = {}


def register_group_section(key: str, template: str, *, order: int = 100, context: SectionContext | None = None) -> None:
    _SECTIONS[key] = GroupSection(key, template, order, context)


def group_sections(viewer: Member, group: GroupChat) -> list[tuple[str, dict[str, Any]]]:
    """(template, context) of each registered section that shows for this viewer and group, in order."""
    out: list[tuple[str, dict[str, Any]]] = []
    for section in sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key)):
        ctx = section.context(viewer, group) if section.context else {}
        if ctx is not None:
            out.append((section.template, ctx))
    return out
