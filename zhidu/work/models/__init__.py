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
from .meetings import ActionItem, Attendance, Meeting, MeetingKind, MeetingParticipant, MeetingStatus
from .reports import SENT_STATUSES, Report, ReportComment, ReportKind, ReportStatus, ReportTemplate
from .suggestions import Suggestion, SuggestionReply, SuggestionStatus, SuggestionTopic
from .tasks import (
    ACTIVE_STATUSES,
    Plan,
    PlanPeriod,
    Recurrence,
    Task,
    TaskAttachment,
    TaskChecklistItem,
    TaskComment,
    TaskPriority,
    TaskStatus,
)

__all__ = [
    "ACTIVE_STATUSES",
    "SENT_STATUSES",
    "ActionItem",
    "Attendance",
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
    "Meeting",
    "MeetingKind",
    "MeetingParticipant",
    "MeetingStatus",
    "Plan",
    "PlanPeriod",
    "Recurrence",
    "Report",
    "ReportComment",
    "ReportKind",
    "ReportStatus",
    "ReportTemplate",
    "Suggestion",
    "SuggestionReply",
    "SuggestionStatus",
    "SuggestionTopic",
    "Task",
    "TaskAttachment",
    "TaskChecklistItem",
    "TaskComment",
    "TaskPriority",
    "TaskStatus",
]
