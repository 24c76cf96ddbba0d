"""Chinese numerals as used in regulation headings: 第二十三条, 第一百零二条, 第（四）项."""

from __future__ import annotations

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_NAMES = "零一二三四五六七八九"
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def cn_to_int(text: str) -> int:
    """'二十三' → 23, '一百零二' → 102, '十' → 10, '7' / '７' → 7, '一〇二' → 102. ValueError otherwise."""
    s = text.strip().translate(_FULLWIDTH_DIGITS)
    if not s:
        raise ValueError("empty number")
    if s.isascii() and s.isdigit():
        return int(s)
    if any(ch not in _CN_DIGITS and ch not in _CN_UNITS for ch in s):
        raise ValueError(f"not a number: {text!r}")
    if not any(ch in _CN_UNITS for ch in s):  # digit by digit: 一〇二
        return int("".join(str(_CN_DIGITS[ch]) for ch in s))
    total, digit, last_unit, prev_digit = 0, None, 10**6, False
    for ch in s:
        if ch in _CN_DIGITS:
            value = _CN_DIGITS[ch]
            if prev_digit and value and digit:
                raise ValueError(f"not a number: {text!r}")
            digit, prev_digit = value, True
        else:
            unit = _CN_UNITS[ch]
            if unit >= last_unit:
                raise ValueError(f"not a number: {text!r}")
            total += (digit if digit else 1) * unit if digit != 0 else unit
            last_unit, digit, prev_digit = unit, None, False
    return total + (digit or 0)


def int_to_cn(n: int) -> str:
    """23 → '二十三', 102 → '一百零二', 110 → '一百一十', 10 → '十'; numbers ≥ 10000 stay Arabic."""
    if n < 0 or n >= 10000:
        return str(n)
    if n < 10:
        return _CN_NAMES[n]
    if n < 20:
        return "十" + ("" if n == 10 else _CN_NAMES[n - 10])
    out, zero = "", False
    for value, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        q = n // value % 10
        if q:
            if zero:
                out += "零"
            out += _CN_NAMES[q] + name
            zero = False
        elif out:
            zero = True
    return out
