"""Customers: external contacts and who follows them (contacts); more aggregates live in sibling modules."""

from .contacts import (
    AddWay,
    Customer,
    CustomerQuerySet,
    CustomerType,
    FollowEnd,
    FollowRelation,
    FollowRelationQuerySet,
    Gender,
    Tag,
    TagGroup,
)
from .development import (
    CLOSED_STAGES,
    Development,
    DevelopmentPlan,
    FollowUp,
    FollowUpKind,
    PlanPeriod,
    ReminderKind,
    ReminderLevel,
    ReminderSent,
    Stage,
)

__all__ = [
    "CLOSED_STAGES",
    "AddWay",
    "Customer",
    "CustomerQuerySet",
    "CustomerType",
    "Development",
    "DevelopmentPlan",
    "FollowEnd",
    "FollowRelation",
    "FollowRelationQuerySet",
    "FollowUp",
    "FollowUpKind",
    "Gender",
    "PlanPeriod",
    "ReminderKind",
    "ReminderLevel",
    "ReminderSent",
    "Stage",
    "Tag",
    "TagGroup",
]
