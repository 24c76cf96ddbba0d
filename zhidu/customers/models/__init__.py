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

__all__ = [
    "AddWay",
    "Customer",
    "CustomerQuerySet",
    "CustomerType",
    "FollowEnd",
    "FollowRelation",
    "FollowRelationQuerySet",
    "Gender",
    "Tag",
    "TagGroup",
]
