"""Price quotes in a NORMALISED chat message: amounts, totals, discounts, percentages and amounts off
(the parsing half of the price-authority check, `price_policy.py`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .detect.money import DISCOUNT_RE, _discount_value, parse_cn_number

HUNDRED = Decimal(100)

_CN = "零〇一二两三四五六七八九十百千万"
_NUM = r"(?:[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?|[" + _CN + r"]+)"
_MULT = r"(?P<m>万|千|k|w)?"
_UNIT = r"(?P<u>元|块钱|块|rmb|人民币)"
_YOU = r"(?:了|你|给你|您|给您|个|了你|了您)?"

# an amount with a currency unit or sign
AMOUNT_RE = re.compile(
    r"(?:¥|rmb|人民币)[ ]*(?P<n1>" + _NUM + r")[ ]*(?P<m1>万|千|k|w)?"
    r"|(?P<n2>" + _NUM + r")[ ]*(?P<m2>万|千|k|w)?[ ]*(?:元|块钱|块|rmb|人民币)"
)
# a bare amount after a price cue ("算你三千八", "价格3800", "给你3800", "到手价3600")
CUE_AMOUNT_RE = re.compile(
    r"(?:报价|价格|价钱|价位|(?<![原标市定进本])价|算(?:你|您)|收(?:你|您)|卖(?:你|您)|给(?:你|您)|只要|只收|到手价?|成交价?|一口价|特价|一共|总共|合计|共计|总价|就)"
    r"(?:是|为|按|就|个|都|只|才|给|到|算|报)?[ ]*(?P<n>"
    + _NUM
    + r")[ ]*"
    + _MULT
    + r"(?![0-9a-z%.个台件套份箱盒支瓶张部天年月周日号期次人折点])"
)
# a bare amount before a closing cue ("3800拿走", "三千八就给你")
AMOUNT_CUE_RE = re.compile(
    r"(?<![0-9.])(?P<n>"
    + _NUM
    + r")[ ]*"
    + _MULT
    + r"[ ]*(?=就(?:给|卖|能|可以|拿)|给你|给您|卖你|卖您|拿走|成交|到手|包邮)"
)
# a bare amount right after a product mention, ending the clause or before a closing word ("门锁三千八",
# "X1：3800就给你"); matched from the end of each mention
AFTER_PRODUCT_RE = re.compile(
    r"[ :：]*(?:现在|今天|这边|的话)?[ ]*(?P<n>"
    + _NUM
    + r")[ ]*"
    + _MULT
    + r"[ ]*(?=$|[,.!?;:。，！？；：\n ]|就|给|拿|吧|啊|呀|哈)"
)
# a percentage off ("优惠10%", "便宜两个点", "降5%")
PERCENT_OFF_RE = re.compile(
    r"(?:优惠|便宜|降价?|少收|少算|减|让利|让|折扣)" + _YOU + r"[ ]*(?P<n>" + _NUM + r")[ ]*(?:%|个点)"
)
# an amount off ("便宜500", "减免300元", "返现200元", "让利五百块")
AMOUNT_OFF_RE = re.compile(
    r"(?:便宜|减免|立减|直减|优惠|让利|让|降价?|少收|少算|少|返现|返利|返|抹掉?|减)"
    + _YOU
    + r"[ ]*(?P<n>"
    + _NUM
    + r")[ ]*"
    + _MULT
    + r"[ ]*"
    + _UNIT
    + r"?(?![0-9%.个台件套份箱盒支瓶张部天年月周日号期次人点折])"
)
FULL_REDUCTION_RE = re.compile(r"满[ ]*" + _NUM + r"[ ]*(?:元|块)?[ ]*减[ ]*(?P<n>" + _NUM + r")[ ]*(?:元|块)?")
# "两台一共7600": a quantity and a total in the same clause make the amount a total
QUANTITY_RE = re.compile(r"(?P<q>[0-9]+|[一两二三四五六七八九十]+)[ ]*(?:台|个|套|件|份|箱|盒|支|瓶|张|部|只)")
TOTAL_CUE = ("一共", "总共", "合计", "共计", "总价", "打包", "一起")
PER_UNIT_CUE = ("每台", "每个", "每套", "每件", "每份", "每箱", "每盒", "每支", "每瓶", "单价", "一台", "一套", "一个")

_CLAUSE_MARK_RE = re.compile("[,.!?;。，！？；\n]")
_LAST_MARK_RE = re.compile("(?s).*[,.!?;。，！？；\n]")
_TOTAL_RE = re.compile("|".join(TOTAL_CUE))
_AMOUNT_OFF_GATE = re.compile("便宜|减|优惠|让|降|少|返|抹")
_AMOUNT_GATE = re.compile("元|块|¥|rmb|人民币")


def _number(raw: str) -> Decimal | None:
    if not raw:
        return None
    if raw[0].isdigit():
        try:
            return Decimal(raw.replace(",", ""))
        except InvalidOperation:
            return None
    n = parse_cn_number(raw)
    return None if n is None else Decimal(n)


_MULTIPLIER = {"万": Decimal(10000), "w": Decimal(10000), "千": Decimal(1000), "k": Decimal(1000)}


@dataclass(frozen=True, slots=True)
class Quote:
    """A price said in a message (normalised coordinates). kind: "amount" (value = yuan), "total"
    (value = yuan for `quantity` units), "ratio" (value = share paid, 0.8 for 8折), "percent_off"
    (value = percent), "amount_off" (value = yuan)."""

    kind: str
    value: Decimal
    start: int
    end: int
    quantity: int = 1

    def price_for(self, list_price: Decimal) -> Decimal | None:
        """The effective unit price this quote means for a product of `list_price` (None: not a price)."""
        if self.kind == "amount":
            return self.value
        if self.kind == "total":
            return self.value / self.quantity
        if self.kind == "ratio":
            return list_price * self.value
        if self.kind == "percent_off":
            return list_price * (HUNDRED - self.value) / HUNDRED if self.value < HUNDRED else None
        if self.kind == "amount_off":
            return list_price - self.value if self.value < list_price else None
        return None


def clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause around text[start:end]: from after the last clause mark before it to the next one after it."""
    m = _CLAUSE_MARK_RE.search(text, end)
    e = m.start() if m is not None else len(text)
    last = _LAST_MARK_RE.match(text, 0, start)
    return (last.end() if last is not None else 0), e


def find_quotes(text: str) -> list[Quote]:
    """Every price quote in a NORMALISED text, left to right, non-overlapping (earlier patterns win)."""
    found: list[Quote] = []
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return not any(a < e and s < b for a, b in taken)

    def add(kind: str, value: Decimal, s: int, e: int, quantity: int = 1) -> None:
        found.append(Quote(kind, value, s, e, quantity))
        taken.append((s, e))

    for m in DISCOUNT_RE.finditer(text) if ("折" in text or "半价" in text) else ():
        if m.group("half"):
            add("ratio", Decimal("0.5"), m.start(), m.end())
            continue
        v = _discount_value(m.group("d"))
        if v is not None and 0 < v < 1:
            add("ratio", v, m.start(), m.end())
    for m in FULL_REDUCTION_RE.finditer(text) if "满" in text else ():
        n = _number(m.group("n"))
        if n and free(m.start(), m.end()):
            add("amount_off", n, m.start(), m.end())
    for m in PERCENT_OFF_RE.finditer(text) if ("%" in text or "个点" in text) else ():
        n = _number(m.group("n"))
        if n is not None and 0 < n < HUNDRED and free(m.start(), m.end()):
            add("percent_off", n, m.start(), m.end())
    for m in AMOUNT_OFF_RE.finditer(text) if _AMOUNT_OFF_GATE.search(text) else ():
        n = _number(m.group("n"))
        if n is None or not free(m.start(), m.end()):
            continue
        if m.group("m"):
            n *= _MULTIPLIER[m.group("m")]
        if not m.group("u") and not m.group("m") and n < 10:
            continue  # "少2" without a unit is not money
        add("amount_off", n, m.start(), m.end())
    for m in AMOUNT_RE.finditer(text) if _AMOUNT_GATE.search(text) else ():
        if not free(m.start(), m.end()):
            continue
        n = _number(m.group("n1") or m.group("n2"))
        mult = m.group("m1") or m.group("m2")
        if n is None:
            continue
        if mult:
            n *= _MULTIPLIER[mult]
        add("amount", n, m.start(), m.end())
    for rx in (CUE_AMOUNT_RE, AMOUNT_CUE_RE):
        for m in rx.finditer(text):
            s, e = m.start("n"), m.end()
            if not free(s, e):
                continue
            raw = m.group("n")
            if not raw[0].isdigit() and not any(u in raw for u in "十百千万"):
                continue  # "给你一" is not an amount
            n = _number(raw)
            if n is None:
                continue
            if m.group("m"):
                n *= _MULTIPLIER[m.group("m")]
            if n < 10:
                continue
            add("amount", n, s, e)
    found.sort(key=lambda q: q.start)
    return [_as_total(text, q) for q in found]


def _as_total(text: str, q: Quote) -> Quote:
    """An amount in a clause with a quantity and a total cue ("两台一共7600") is a total for that many."""
    if q.kind != "amount" or _TOTAL_RE.search(text) is None:
        return q
    cs, ce = clause_bounds(text, q.start, q.end)
    clause = text[cs:ce]
    if not any(c in clause for c in TOTAL_CUE) or any(c in clause for c in PER_UNIT_CUE):
        return q
    for m in QUANTITY_RE.finditer(text, cs, ce):
        if m.start() < q.start <= m.end():
            continue
        raw = m.group("q")
        qty = int(raw) if raw.isdigit() else parse_cn_number(raw)
        if qty and qty > 1:
            return Quote("total", q.value, q.start, q.end, qty)
    return q


def after_mentions(text: str, named: list[tuple[int, int, int]], qs: list[Quote]) -> list[Quote]:
    extra = []
    for _pi, _s, e in named:
        m = AFTER_PRODUCT_RE.match(text, e)
        if m is None:
            continue
        s2, e2 = m.start("n"), m.end("n") if not m.group("m") else m.end("m")
        if any(q.start < e2 and s2 < q.end for q in qs):
            continue
        raw = m.group("n")
        if not raw[0].isdigit() and not any(u in raw for u in "十百千万"):
            continue
        n = _number(raw)
        if n is None:
            continue
        if m.group("m"):
            n *= _MULTIPLIER[m.group("m")]
        if n >= 10:
            extra.append(_as_total(text, Quote("amount", n, s2, e2)))
    if not extra:
        return qs
    return sorted([*qs, *extra], key=lambda q: q.start)
