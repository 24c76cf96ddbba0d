"""Compliance engine: pure Python (no Django), normalise → match → detect → evaluate.

from zhidu.compliance.engine import Engine, default_rules
engine = Engine(default_rules())          # build once
findings = engine.scan(messages)          # list[Finding], spans in the original texts
"""

from .detect import MoneyMention, money_mentions
from .evaluate import Engine
from .normalize import normalize, normalize_text
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
]
