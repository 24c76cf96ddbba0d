"""Money amounts, discounts, cash-backs and reductions: the "money" detector and `money_mentions`,
the public API for the price-policy check (spans in the ORIGINAL text)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from ..normalize import normalize
from .base import Hit

# --- money amounts and discounts ---------------------------------------------------------------

_CN_NUM = "零〇一二两三四五六七八九十百千万"
_NUM = r"(?:[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?|[" + _CN_NUM + r"]+)"
AMOUNT_RE = re.compile(
    r"(?:¥|\$|rmb|人民币)[ ]*(?P<n1>" + _NUM + r")[ ]*(?P<m1>万|千|k|w)?"
    r"|(?P<n2>" + _NUM + r")[ ]*(?P<m2>万|千|k|w)?[ ]*(?:元|块钱|块|rmb|人民币|刀)"
)
DISCOUNT_RE = re.compile(
    r"(?P<d>[0-9](?:\.[0-9])?|[1-9][0-9]|[一二三四五六七八九](?:点?[一二三四五六七八九五])?)[ ]*折(?!叠|旧|腾|磨|扣)"
    r"|(?P<half>半价|对折)"
)
CASHBACK_RE = re.compile(
    r"(?P<kind>返现|返利|返点|返|立减|减|优惠|便宜|让利|让)[ ]*(?:了|你|给你|您|给您)?[ ]*(?P<n>" + _NUM + r")"
    r"[ ]*(?P<m>万|千|k|w)?[ ]*(?P<u>元|块钱|块|%|个点)?"
)
FULL_REDUCTION_RE = re.compile(r"满[ ]*(?P<a>" + _NUM + r")[ ]*(?:元|块)?[ ]*减[ ]*(?P<b>" + _NUM + r")[ ]*(?:元|块)?")
MONEY_TRIGGERS = ("元", "块", "¥", "$", "rmb", "人民币", "刀", "折", "返", "减", "优惠", "便宜", "让", "半价", "对折")
_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNIT = {"十": 10, "百": 100, "千": 1000}


def parse_cn_number(s: str) -> int | None:
    """Parse a Chinese numeral such as 三百, 两千五, 一万二, 十五, 一百零五 (None if it is not one)."""
    if not s:
        return None
    total = 0
    section = 0
    digit = None
    last_unit = 1
    for ch in s:
        if ch in ("零", "〇"):
            digit = None
            continue
        if ch in _CN_DIGIT:
            if digit is not None:  # 一二 is not a number here
                return None
            digit = _CN_DIGIT[ch]
        elif ch in _CN_UNIT:
            unit = _CN_UNIT[ch]
            section += (1 if digit is None else digit) * unit
            digit = None
            last_unit = unit
        elif ch == "万":
            section += digit or 0
            total += (section or 1) * 10000
            section = 0
            digit = None
            last_unit = 10000
        else:
            return None
    if digit is not None:
        # colloquial tail: 两千五 = 2500, 一万二 = 12000, but 一百零五 = 105
        if last_unit > 1 and s[-2:-1] not in ("零", "〇"):
            section += digit * (last_unit // 10)
        else:
            section += digit
    return total + section


def _number(raw: str) -> Decimal | None:
    if raw[0].isdigit():
        return Decimal(raw.replace(",", ""))
    n = parse_cn_number(raw)
    return None if n is None else Decimal(n)


_MULT = {"万": Decimal(10000), "w": Decimal(10000), "千": Decimal(1000), "k": Decimal(1000)}


@dataclass(frozen=True, slots=True)
class MoneyMention:
    """kind: "amount" (yuan), "discount" (value = share of the price paid, 0.85 for 85折),
    "cashback" or "reduction" (yuan, or percent when unit == "%")."""

    kind: str
    value: Decimal
    unit: str
    start: int
    end: int
    text: str


def _discount_value(raw: str) -> Decimal | None:
    if raw[0].isdigit():
        if "." in raw:
            return Decimal(raw) / 10
        return Decimal(raw) / (10 if len(raw) == 1 else 100)
    digits = [_CN_DIGIT[c] for c in raw if c in _CN_DIGIT]
    if not digits:
        return None
    if len(digits) == 1:
        return Decimal(digits[0]) / 10
    return Decimal(digits[0] * 10 + digits[1]) / 100


def money_in_normalized(text: str) -> list[tuple[str, Decimal, str, int, int]]:
    """(kind, value, unit, start, end) in normalised coordinates."""
    out: list[tuple[str, Decimal, str, int, int]] = []
    taken: list[tuple[int, int]] = []
    for m in DISCOUNT_RE.finditer(text):
        if m.group("half"):
            out.append(("discount", Decimal("0.5"), "ratio", m.start(), m.end()))
        else:
            v = _discount_value(m.group("d"))
            if v is not None and 0 < v < 1:
                out.append(("discount", v, "ratio", m.start(), m.end()))
        taken.append((m.start(), m.end()))
    for m in FULL_REDUCTION_RE.finditer(text):
        threshold, n = _number(m.group("a")), _number(m.group("b"))
        if threshold is None or n is None:
            continue
        out.append(("reduction", n, "yuan", m.start(), m.end()))
        taken.append((m.start(), m.end()))
    for m in CASHBACK_RE.finditer(text):
        n = _number(m.group("n"))
        if n is None or any(s < m.end() and m.start() < e for s, e in taken):
            continue
        kind = "cashback" if m.group("kind").startswith("返") else "reduction"
        unit = "%" if m.group("u") in ("%", "个点") else "yuan"
        if m.group("m"):
            n *= _MULT[m.group("m")]
        if unit == "yuan" and not m.group("u") and not m.group("m"):
            continue  # 减3 without a unit is too vague
        out.append((kind, n, unit, m.start(), m.end()))
        taken.append((m.start(), m.end()))
    for m in AMOUNT_RE.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        raw = m.group("n1") or m.group("n2")
        n = _number(raw)
        if n is None:
            continue
        mult = m.group("m1") or m.group("m2")
        if mult:
            n *= _MULT[mult]
        out.append(("amount", n, "yuan", m.start(), m.end()))
    out.sort(key=lambda x: x[3])
    return out


def money_mentions(text: str) -> list[MoneyMention]:
    """Parsed money amounts, discounts, cash-backs and reductions in `text` (original offsets)."""
    norm = normalize(text)
    result = []
    for kind, value, unit, s, e in money_in_normalized(norm.text):
        os_, oe = norm.to_original(s, e)
        result.append(MoneyMention(kind, value, unit, os_, oe, text[os_:oe]))
    return result


def _money_check(text: str, occ: Sequence[tuple[int, int, int]]) -> list[Hit]:
    return [Hit(s, e, "money", 0.9, f"{kind}:{value}") for kind, value, _u, s, e in money_in_normalized(text)]
