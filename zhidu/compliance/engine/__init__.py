"""Compliance engine: pure Python (no Django), normalise → match → detect → evaluate.

from zhidu.compliance.engine import Engine, default_rules
engine = Engine(default_rules())          # build once
findings = engine.scan(messages)          # list[Finding], spans in the original texts
engine = Engine(rules, price_policy=snapshot_from_rows(products, defaults))  # with the price check
"""

from .detect import MoneyMention, money_mentions
from .evaluate import Engine
from .normalize import normalize, normalize_text
from .price_policy import PriceChecker, PriceQuote, PriceSnapshot, ProductPrice, snapshot_from_rows
from .records import extract_text, message_from_archive
from .rules import (
    CATEGORIES,
    SEVERITIES,
    Finding,
    Message,
    Rule,
    RuleError,
    Scope,
    default_rules,
    load_rules,
    parse_rules,
    rule_from_dict,
    rule_to_dict,
)

__all__ = [
    "CATEGORIES",
    "SEVERITIES",
    "Engine",
    "Finding",
    "Message",
    "MoneyMention",
    "PriceChecker",
    "PriceQuote",
    "PriceSnapshot",
    "ProductPrice",
    "Rule",
    "RuleError",
    "Scope",
    "default_rules",
    "extract_text",
    "load_rules",
    "message_from_archive",
    "money_mentions",
    "normalize",
    "normalize_text",
    "parse_rules",
    "rule_from_dict",
    "rule_to_dict",
    "snapshot_from_rows",
]
