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
from .transfers import (
    ItemReason,
    ItemStatus,
    Transfer,
    TransferItem,
    TransferKind,
    TransferQuerySet,
    TransferStatus,
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
    "ItemReason",
    "ItemStatus",
    "Tag",
    "TagGroup",
    "Transfer",
    "TransferItem",
    "TransferKind",
    "TransferQuerySet",
    "TransferStatus",
]
