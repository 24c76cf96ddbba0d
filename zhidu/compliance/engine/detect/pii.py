"""Digit-run detectors: mainland mobile numbers, resident ID numbers (GB 11643), bank cards (Luhn)."""

from __future__ import annotations

import re
from datetime import date

from .base import Hit

# --- digits: mobile numbers, ID numbers, bank cards --------------------------------------------

DIGIT_RUN_RE = re.compile(r"[0-9][0-9 \-]{5,}[0-9x]")  # ≥ 7 characters; split and classified below
MOBILE_RE = re.compile(r"1(?:610\d|740[0-5])\d{6}|1(?:[38]\d|4[57]|[59][0-35-9]|6[25-7]|7[0-35-8])\d{8}")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_PROVINCES = frozenset(
    str(p) for p in (11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52)
) | frozenset(str(p) for p in (53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83, 91))
_CARD_CONTEXT = ("卡号", "银行卡", "账号", "帐号", "开户行", "储蓄卡", "信用卡", "银行", "card")
_NOT_CARD_CONTEXT = ("订单", "单号", "快递", "物流", "运单", "编号", "流水号", "工单", "条码", "序列号")


def id_check_char(first17: str) -> str:
    """GB 11643 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def id_number_valid(value: str) -> bool:
    """True for an 18-character resident ID number with a plausible area, a real birth date and
    a correct GB 11643 check character."""
    v = value.upper()
    if len(v) != 18 or not v[:17].isdigit() or v[17] not in "0123456789X":
        return False
    if v[:2] not in _PROVINCES:
        return False
    try:
        born = date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        return False
    if born.year < 1900 or born.year > 2100:
        return False
    return id_check_char(v[:17]) == v[17]


def luhn_valid(digits: str) -> bool:
    if not digits.isdigit() or len(digits) < 2:
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def mobile_valid(digits: str) -> bool:
    return len(digits) == 11 and MOBILE_RE.fullmatch(digits) is not None


def _classify(digits: str, context: str) -> tuple[str, float] | None:
    n = len(digits)
    if n == 11 and mobile_valid(digits):
        return "mobile", 0.95
    if n in (13, 14) and digits.lstrip("+").startswith("86") and mobile_valid(digits.lstrip("+")[2:]):
        return "mobile", 0.95
    if n == 15 and digits.startswith("0086") and mobile_valid(digits[4:]):
        return "mobile", 0.95
    if n == 18 and id_number_valid(digits):
        return "id_number", 0.99
    if 16 <= n <= 19 and digits.isdigit() and not any(w in context for w in _NOT_CARD_CONTEXT):
        boost = 0.1 if any(w in context for w in _CARD_CONTEXT) else 0.0
        if luhn_valid(digits):
            return "bank_card", min(0.99, (0.9 if digits.startswith("62") else 0.85) + boost)
        # some real cards fail Luhn: only a nearby card word makes them worth a look
        return "bank_card", 0.6 if boost else 0.3
    return None


def classify_digit_run(text: str, start: int, end: int) -> list[Hit]:
    """Hits for the digit run text[start:end] (a DIGIT_RUN_RE match in normalised text)."""
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    if (before and before.isascii() and (before.isalpha() or before in "._/")) or (
        after
        and after.isascii()
        and (after.isalpha() or after in "_/" or (after == "." and text[end + 1 : end + 2].isdigit()))
    ):
        return []  # part of a code, a URL, a decimal number
    context = text[max(0, start - 12) : start]
    run = text[start:end]
    digits = run.replace(" ", "").replace("-", "")
    found = _classify(digits.upper() if digits.endswith("x") else digits, context)
    if found is not None:
        return [Hit(start, end, found[0], found[1], digits.upper())]
    # several numbers separated by spaces or dashes: try windows of consecutive groups
    parts = [(m.start(), m.end()) for m in re.finditer(r"[0-9x+]+", run)]
    if len(parts) < 2:
        return []
    hits: list[Hit] = []
    i = 0
    while i < len(parts):
        matched = False
        for j in range(len(parts) - 1, i - 1, -1):
            if (i, j) == (0, len(parts) - 1):
                continue
            s, e = parts[i][0], parts[j][1]
            d = re.sub(r"[ \-]", "", run[s:e])
            got = _classify(d.upper() if d.endswith("x") else d, context)
            if got is not None:
                hits.append(Hit(start + s, start + e, got[0], got[1], d.upper()))
                i = j + 1
                matched = True
                break
        if not matched:
            i += 1
    return hits
