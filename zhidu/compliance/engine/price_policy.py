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

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import ahocorasick_rs
import orjson

from .detect.base import is_word_char
from .detect.registry import PRICE_POLICY_TRIGGERS
from .normalize import normalize_text
from .price_quotes import HUNDRED, Quote, after_mentions, clause_bounds, find_quotes

DETECTOR = "price_policy"
ROLES = ("sales", "supervisor", "manager", "director")
FLOOR_ROLE = "director"  # the only role that may quote below a product's floor price
CENT = Decimal("0.01")
EPSILON = Decimal("0.005")  # percent: rounding noise is not a finding

# Money cues (`detect.registry.PRICE_POLICY_TRIGGERS`): the engine looks at a staff message only when its
# automaton saw one of these; a message naming a product without a money cue has no quote.
TRIGGERS = PRICE_POLICY_TRIGGERS

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
_HAS_NUMBER = re.compile(r"[0-9零〇一二两三四五六七八九十百千万半对]")


def _dec(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() else None


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


# --- checked quotes ---------------------------------------------------------------------------


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
        cs, ce = clause_bounds(text, q.start, q.end)
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
            qs = after_mentions(text, named, qs)
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
