"""Seeded generator of realistic Chinese sales chats in the decrypted archive schema (API.md §7.4).

    generate_messages(seed=42, staff=[...], customers=[...], rooms=[...], count=1000, start_ms=...)
    → iterator of (record, labels)

Conversations (single chats between a salesperson and a customer they follow, and customer groups)
run through greeting → inquiry → product → price → order → delivery → after-sales → follow-up, with
slot-filled templates (products, prices, names, dates, addresses), interleaved in time and mostly
inside business hours (Asia/Shanghai). A `violation_share` of messages is replaced by a labelled
violation (labels = category codes, see zhidu.compliance.engine.CATEGORIES) and a
`hard_negative_share` by look-alikes that are NOT violations (最佳保质期, 追求最好的服务, a customer's
own phone number for delivery, 第一次购买 …; labels = ()). Some of those slots take the rarer lines
of `overlay` (serious categories, file messages with executable names, staff advertising in groups
of staff only) from a second random stream. All texts are our own. Deterministic for a seed; pure
Python; about 1M messages in ~10 s.

Modules: `vocabulary` (products, names, places), `pools` (ordinary chat lines per step), `violations`
(the labelled catalogue, category weights, hard negatives), `slots` (prepared pools, rare slot
values), `media` (other message types), `overlay` (the rare lines and the staff-only groups),
`generator` (generate_messages).
"""

from __future__ import annotations

from .generator import CustomerInfo, RoomInfo, StaffInfo, generate_messages
from .pools import (
    AFTER_C,
    AFTER_S,
    CLOSE,
    DELIVERY_C,
    DELIVERY_S,
    FOLLOW_C,
    FOLLOW_S,
    GREET_C,
    GREET_S,
    GROUP_C,
    GROUP_S,
    INQUIRY_C,
    INTRO_S,
    NEGOTIATE_S,
    ORDER_C,
    ORDER_S,
    PRICE_C,
    PRICE_S,
)
from .violations import (
    CATEGORY_WEIGHTS,
    HARD_NEGATIVES,
    RARE_HARD_NEGATIVES,
    RARE_VIOLATIONS,
    SINGLE_CATEGORIES,
    VIOLATIONS,
)
from .vocabulary import PRODUCTS

__all__ = [
    "AFTER_C",
    "AFTER_S",
    "CATEGORY_WEIGHTS",
    "CLOSE",
    "DELIVERY_C",
    "DELIVERY_S",
    "FOLLOW_C",
    "FOLLOW_S",
    "GREET_C",
    "GREET_S",
    "GROUP_C",
    "GROUP_S",
    "HARD_NEGATIVES",
    "INQUIRY_C",
    "INTRO_S",
    "NEGOTIATE_S",
    "ORDER_C",
    "ORDER_S",
    "PRICE_C",
    "PRICE_S",
    "PRODUCTS",
    "RARE_HARD_NEGATIVES",
    "RARE_VIOLATIONS",
    "SINGLE_CATEGORIES",
    "VIOLATIONS",
    "CustomerInfo",
    "RoomInfo",
    "StaffInfo",
    "generate_messages",
]
