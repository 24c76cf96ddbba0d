"""Detectors: structured things a word list cannot express.

Two kinds, both working on NORMALISED text (see normalize.py: lower case, half-width, simplified,
numerals in number runs already digits):
  * run detectors ("mobile", "id_number", "bank_card") share one digit-run regex that the engine
    runs over a whole chunk; `classify_digit_run` decides what a run is;
  * trigger detectors ("wechat_id", "diversion", "payment", "redpacket", "link", "money") declare
    literals; the engine looks at a message only when the automaton saw one of them.

`money_mentions(text)` is the public API for the price-policy check: parsed amounts, discounts,
cash-backs and reductions with spans in the ORIGINAL text.

Where things live: `base` (Hit, Detector, negation and boundary helpers), `pii` (digit runs),
`diversion` (WeChat ids, "add me", payments, red packets), `links`, `malware` (dangerous file
names, malware-shaped links), `money`, `registry` (by name).
"""

from .base import (
    NEGATIONS,
    ChunkCheck,
    Detector,
    Hit,
    TriggerCheck,
    boundary_ok,
    is_word_char,
    negated,
)
from .diversion import (
    DIVERSION_EXCLUDE,
    DIVERSION_TRIGGERS,
    PAYMENT_EXCLUDE,
    PAYMENT_TRIGGERS,
    REDPACKET_TRIGGERS,
    WECHAT_EXCLUDE,
    WECHAT_TRIGGERS,
)
from .links import LINK_RE, LINK_TRIGGERS
from .malware import BAD_LINK_TRIGGERS, CONTAINER_EXTENSIONS, EXECUTABLE_EXTENSIONS, FILE_TRIGGERS
from .money import (
    AMOUNT_RE,
    CASHBACK_RE,
    DISCOUNT_RE,
    FULL_REDUCTION_RE,
    MONEY_TRIGGERS,
    MoneyMention,
    money_in_normalized,
    money_mentions,
    parse_cn_number,
)
from .pii import (
    DIGIT_RUN_RE,
    MOBILE_RE,
    classify_digit_run,
    id_check_char,
    id_number_valid,
    luhn_valid,
    mobile_valid,
)
from .registry import DETECTORS, DIGIT_DETECTORS, detector_names, get_detector

__all__ = [
    "AMOUNT_RE",
    "BAD_LINK_TRIGGERS",
    "CASHBACK_RE",
    "CONTAINER_EXTENSIONS",
    "DETECTORS",
    "DIGIT_DETECTORS",
    "DIGIT_RUN_RE",
    "DISCOUNT_RE",
    "DIVERSION_EXCLUDE",
    "DIVERSION_TRIGGERS",
    "EXECUTABLE_EXTENSIONS",
    "FILE_TRIGGERS",
    "FULL_REDUCTION_RE",
    "LINK_RE",
    "LINK_TRIGGERS",
    "MOBILE_RE",
    "MONEY_TRIGGERS",
    "NEGATIONS",
    "PAYMENT_EXCLUDE",
    "PAYMENT_TRIGGERS",
    "REDPACKET_TRIGGERS",
    "WECHAT_EXCLUDE",
    "WECHAT_TRIGGERS",
    "ChunkCheck",
    "Detector",
    "Hit",
    "MoneyMention",
    "TriggerCheck",
    "boundary_ok",
    "classify_digit_run",
    "detector_names",
    "get_detector",
    "id_check_char",
    "id_number_valid",
    "is_word_char",
    "luhn_valid",
    "mobile_valid",
    "money_in_normalized",
    "money_mentions",
    "negated",
    "parse_cn_number",
]
