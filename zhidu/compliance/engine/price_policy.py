"""The price-authority check: a salesperson quoting a price or discount beyond their authority.

Pure Python (no Django). The compliance app builds a `PriceSnapshot` from the sales catalogue and
the company settings (`zhidu.compliance.services.price_snapshot`) and hands it to the `Engine`;
the engine calls `PriceChecker.check` for staff messages in which its automaton saw a money cue
(the "price_policy" detector's triggers) and turns what it returns into findings of the rules that
list the "price_policy" detector.

Per message (NORMALISED text, see normalize.py):
  1. product mentions: names, codes and aliases of the snapshot's products (one Aho-Corasick
     automaton; ASCII codes must not run into other letters or digits);
  2. quotes: an amount with a unit ("3800元", "¥3,800", "三千八百块", "3.8k元"), a bare amount after or
     before a price cue ("算你三千八", "价格3800", "3800拿走"), a discount ("8折", "打八折", "九五折",
     "8.5折", "半价"), a percentage off ("优惠10%", "便宜两个点") or an amount off ("便宜500", "减免300元",
     "返现200元", "满1000减100");
  3. each quote is dropped when its clause is negated ("不能打八折", "8折做不到"), names a reference
     or another party's price (原价, 标价, 市场价, 别家, 预算, 定金, 运费…), carries an allow phrase
     ("公司活动价", configured), or reports what someone else asked ("您说的8折");
  4. the product of a quote is the nearest product mention in the message; without one, the
     member's products (`Message.products`, what they sold) — the most lenient reading among them —
     and without those no finding (precision first);
  5. the effective unit price is compared with the list price: the share off the list price beyond
     the sender's role authority (the product's policy, else the company default), or a price below
     the floor from anyone but the director, is a finding.

`PriceQuote.detail()` is the JSON the engine puts in `Finding.detail`; the compliance app turns it
into the Chinese explanation ("报价 3,200.00 元，低于标价 4,000.00 元 20%，超出销售人员折扣权限 0%").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import ahocorasick_rs
import orjson

from .detect.base import is_word_char
from .detect.money import DISCOUNT_RE, _discount_value, parse_cn_number
from .detect.registry import PRICE_POLICY_TRIGGERS
from .normalize import normalize_text

DETECTOR = "price_policy"
ROLES = ("sales", "supervisor", "manager", "director")
FLOOR_ROLE = "director"  # the only role that may quote below a product's floor price
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
EPSILON = Decimal("0.005")  # percent: rounding noise is not a finding

# Money cues (`detect.registry.PRICE_POLICY_TRIGGERS`): the engine looks at a staff message only when its
# automaton saw one of these; a message naming a product without a money cue has no quote.
TRIGGERS = PRICE_POLICY_TRIGGERS

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

# in the clause before the quote (since the previous quote): the quote is not an offer by the sender
NEGATIONS = (
    "不能", "不可以", "不可能", "没法", "没办法", "无法", "不会", "不给", "不打", "打不了", "做不了", "给不了",
    "没有", "不行", "不允许", "不接受", "别想", "不存在", "禁止", "不得", "严禁", "不要",
)  # fmt: skip
# after the quote in its clause
NEGATIONS_AFTER = ("做不到", "不行", "不可能", "给不了", "打不了", "做不了", "不能", "没法", "没有", "办不到", "不存在")
REFERENCE_CUES = (
    "原价", "标价", "定价", "官方价", "官网价", "指导价", "市场价", "零售价", "吊牌价", "门市价", "厂家价",
    "别家", "别人家", "其他家", "人家", "竞品", "友商", "同行", "京东", "淘宝", "天猫", "拼多多", "外面",
    "预算", "定金", "订金", "押金", "运费", "邮费", "快递费", "首付", "月供", "每月", "每个月", "分期",
    "安装费", "服务费", "手续费", "去年", "以前", "之前", "上次", "您说", "你说", "客户说", "您想", "你想",
    "想要", "要求", "能不能", "可不可以", "是不是", "想问", "问一下", "多少钱", "工资", "补贴", "积分",
)  # fmt: skip
_NEGATION_RE = re.compile("|".join(map(re.escape, NEGATIONS)))
_NEGATION_AFTER_RE = re.compile("|".join(map(re.escape, NEGATIONS_AFTER)))
_REFERENCE_RE = re.compile("|".join(map(re.escape, REFERENCE_CUES)))
_CLAUSE_MARK_RE = re.compile("[,.!?;。，！？；\n]")
_AMOUNT_OFF_GATE = re.compile("便宜|减|优惠|让|降|少|返|抹")
_AMOUNT_GATE = re.compile("元|块|¥|rmb|人民币")
_HAS_NUMBER = re.compile(r"[0-9零〇一二两三四五六七八九十百千万半对]")
_CLAUSE_END = frozenset(",.!?;。，！？；\n")  # a colon goes on with the same statement ("活动价：…")


def _dec(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() else None


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


# --- the snapshot -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProductPrice:
    """One product as the check sees it: its names, list price, floor and discount authority per role
    (percent off the list price; a role missing here falls back to the snapshot's defaults)."""

    code: str
    name: str
    aliases: tuple[str, ...]
    list_price: Decimal
    floor: Decimal | None = None
    max_discount: Mapping[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PriceSnapshot:
    """Products, the company's default discount authority per role (percent), allow phrases (official
    promotions: a quote in a clause with one of them is not checked) and `min_share`: an amount below
    this share of a product's list price is not read as that product's price (a deposit, shipping)."""

    products: tuple[ProductPrice, ...]
    defaults: Mapping[str, Decimal]
    allow: tuple[str, ...] = ()
    min_share: Decimal = Decimal("0.3")

    def authority(self, product: ProductPrice, role: str) -> Decimal:
        """The largest discount (percent) `role` may grant on `product`; unknown roles have none."""
        value = product.max_discount.get(role)
        if value is None:
            value = self.defaults.get(role)
        return value if value is not None else Decimal(0)


def snapshot_from_rows(
    products: Iterable[tuple[str, str, Iterable[str], object, object, Mapping[str, object]]],
    defaults: Mapping[str, object],
    *,
    allow: Iterable[str] = (),
    min_share: object = "0.3",
) -> PriceSnapshot:
    """A snapshot from plain rows: (code, name, aliases, list_price, floor, {role: max_discount percent});
    a None discount means "the default". Products without a positive list price are left out."""
    out = []
    for code, name, aliases, list_price, floor, per_role in products:
        lp = _dec(list_price)
        if lp is None or lp <= 0:
            continue
        discounts = {r: d for r, d in ((r, _dec(v)) for r, v in per_role.items()) if d is not None}
        out.append(
            ProductPrice(
                code=str(code),
                name=str(name),
                aliases=tuple(a for a in (str(x).strip() for x in aliases) if a),
                list_price=lp,
                floor=_dec(floor),
                max_discount=discounts,
            )
        )
    return PriceSnapshot(
        products=tuple(out),
        defaults={r: d for r, d in ((r, _dec(v)) for r, v in defaults.items()) if d is not None},
        allow=tuple(a for a in (s.strip() for s in allow) if a),
        min_share=_dec(min_share) or Decimal("0.3"),
    )


# --- quotes -----------------------------------------------------------------------------------


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


@dataclass(frozen=True, slots=True)
class PriceQuote:
    """A quote checked against a product: `price` is the effective unit price, `off` the percent off
    the list price, `authority` the sender's largest discount (percent); `beyond` says whether it is
    a finding and `below_floor` whether the floor was crossed."""

    start: int
    end: int
    kind: str
    product: str
    product_name: str
    role: str
    price: Decimal
    list_price: Decimal
    off: Decimal
    authority: Decimal
    floor: Decimal | None
    below_floor: bool
    beyond: bool
    from_member: bool  # the product came from the member's products, not from the message

    def detail(self) -> str:
        return orjson.dumps(
            {
                "check": DETECTOR,
                "kind": self.kind,
                "product": self.product,
                "product_name": self.product_name,
                "role": self.role,
                "price": str(self.price),
                "list_price": str(self.list_price),
                "off": str(self.off),
                "authority": str(self.authority),
                "floor": str(self.floor) if self.floor is not None else None,
                "below_floor": self.below_floor,
                "from_member": self.from_member,
            }
        ).decode()


def _clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause around text[start:end]: from after the last clause mark before it to the next one after it."""
    m = _CLAUSE_MARK_RE.search(text, end)
    e = m.start() if m is not None else len(text)
    s = max(text.rfind(c, 0, start) for c in _CLAUSE_END) + 1
    return s, e


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
    if q.kind != "amount":
        return q
    cs, ce = _clause_bounds(text, q.start, q.end)
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


def _after_mentions(text: str, named: list[tuple[int, int, int]], qs: list[Quote]) -> list[Quote]:
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


# --- the checker ------------------------------------------------------------------------------


class PriceChecker:
    """The compiled form of a snapshot (build once per snapshot, reuse; read-only afterwards)."""

    def __init__(self, snapshot: PriceSnapshot, *, extra_allow: Iterable[str] = ()) -> None:
        self.snapshot = snapshot
        self.products = snapshot.products
        self.by_code = {p.code: p for p in snapshot.products}
        literals: list[str] = []
        owners: list[int] = []
        for i, p in enumerate(snapshot.products):
            for raw in dict.fromkeys((p.name, p.code, *p.aliases)):
                key = normalize_text(raw)
                if key and "\x00" not in key and not (key.isascii() and len(key) < 2):
                    literals.append(key)
                    owners.append(i)
        self._literals = literals
        self._owners = owners
        self._ac = (
            ahocorasick_rs.AhoCorasick(literals, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
            if literals
            else None
        )
        allow = [normalize_text(a) for a in (*snapshot.allow, *extra_allow)]
        self.allow = tuple(dict.fromkeys(a for a in allow if a))
        self._allow_re = re.compile("|".join(map(re.escape, self.allow))) if self.allow else None

    def mentions(self, text: str) -> list[tuple[int, int, int]]:
        """(product index, start, end) of the products named in a NORMALISED text."""
        if self._ac is None:
            return []
        out = []
        for pid, s, e in self._ac.find_matches_as_indexes(text):
            lit = self._literals[pid]
            if is_word_char(lit[0]) and s > 0 and is_word_char(text[s - 1]):
                continue
            if is_word_char(lit[-1]) and e < len(text) and is_word_char(text[e]):
                continue
            out.append((self._owners[pid], s, e))
        return out

    def _ignored(self, text: str, q: Quote, prev_end: int) -> bool:
        cs, ce = _clause_bounds(text, q.start, q.end)
        before = text[max(cs, prev_end) : q.start]
        after = text[q.end : ce]
        if _NEGATION_RE.search(before) or _NEGATION_AFTER_RE.search(after) or _REFERENCE_RE.search(before):
            return True
        return self._allow_re is not None and self._allow_re.search(text, cs, ce) is not None

    def quotes(self, text: str, role: str, member_products: Sequence[str] = ()) -> list[PriceQuote]:
        """Every checked quote of a NORMALISED staff message (findings have `beyond`)."""
        qs = find_quotes(text)
        named = self.mentions(text)
        if named:
            qs = _after_mentions(text, named, qs)
        if not qs:
            return []
        fallback = [self.by_code[c] for c in member_products if c in self.by_code]
        out: list[PriceQuote] = []
        prev_end = 0
        for q in qs:
            ignored = self._ignored(text, q, prev_end)
            prev_end = q.end
            if ignored:
                continue
            if named:
                # the nearest product mention, preferring one before the quote
                pi = min(named, key=lambda m: (q.start - m[2]) if m[2] <= q.start else (m[1] - q.end) + 1000)[0]
                candidates = [self.products[pi]]
                from_member = False
            else:
                candidates = fallback
                from_member = True
            checked = [c for c in (self._check(q, p, role, from_member) for p in candidates) if c is not None]
            if not checked:
                continue
            # the most lenient reading: a finding only when every candidate product makes it one
            out.append(min(checked, key=lambda c: (c.beyond, c.off - c.authority)))
        return out

    def check(self, text: str, role: str, member_products: Sequence[str] = ()) -> list[PriceQuote]:
        """The quotes of a NORMALISED staff message beyond the sender's authority (empty for no role)."""
        if not role or _HAS_NUMBER.search(text) is None:
            return []
        return [q for q in self.quotes(text, role, member_products) if q.beyond]

    def _check(self, q: Quote, p: ProductPrice, role: str, from_member: bool) -> PriceQuote | None:
        lp = p.list_price
        price = q.price_for(lp)
        if price is None or price <= 0:
            return None
        if q.kind in ("amount", "total") and price < lp * self.snapshot.min_share:
            return None  # far below the list price: a deposit, a fee, another thing
        off = ((lp - price) / lp * HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP) if price < lp else Decimal(0)
        authority = self.snapshot.authority(p, role)
        below_floor = p.floor is not None and price < p.floor and role != FLOOR_ROLE
        beyond = off > authority + EPSILON or below_floor
        return PriceQuote(
            start=q.start,
            end=q.end,
            kind=q.kind,
            product=p.code,
            product_name=p.name,
            role=role,
            price=price.quantize(CENT, rounding=ROUND_HALF_UP),
            list_price=lp,
            off=off,
            authority=authority,
            floor=p.floor,
            below_floor=below_floor,
            beyond=beyond,
            from_member=from_member,
        )
