"""Models of the work app, one module per area; each area's models are imported here so Django finds them."""

from __future__ import annotations

from .library import (
    CaseStatus,
    CaseVerdict,
    LibraryCase,
    LibraryItem,
    LibraryKind,
    LibraryLike,
    LibraryStatus,
    LibraryTag,
    LibraryTerm,
    LibraryTopic,
    LibraryUse,
)
from .suggestions import Suggestion, SuggestionReply, SuggestionStatus, SuggestionTopic
from .tasks import ACTIVE_STATUSES, Plan, PlanPeriod, Recurrence, Task, TaskPriority, TaskStatus

__all__ = [
    "ACTIVE_STATUSES",
    "CaseStatus",
    "CaseVerdict",
    "LibraryCase",
    "LibraryItem",
    "LibraryKind",
    "LibraryLike",
    "LibraryStatus",
    "LibraryTag",
    "LibraryTerm",
    "LibraryTopic",
    "LibraryUse",
    "Plan",
    "PlanPeriod",
    "Recurrence",
    "Suggestion",
    "SuggestionReply",
    "SuggestionStatus",
    "SuggestionTopic",
    "Task",
    "TaskPriority",
    "TaskStatus",
]
