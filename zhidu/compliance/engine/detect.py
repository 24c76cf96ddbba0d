"""Detectors: structured things a word list cannot express.

Two kinds, both working on NORMALISED text (see normalize.py: lower case, half-width, simplified,
numerals in number runs already digits):
  * run detectors ("mobile", "id_number", "bank_card") share one digit-run regex that the engine
    runs over a whole chunk; `classify_digit_run` decides what a run is;
  * trigger detectors ("wechat_id", "diversion", "payment", "redpacket", "link", "money") declare
    literals; the engine looks at a message only when the automaton saw one of them.

`money_mentions(text)` is the public API for the price-policy check: parsed amounts, discounts,
cash-backs and reductions with spans in the ORIGINAL text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .normalize import Chunk, normalize

# --- hits and detector descriptions ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Hit:
    """A detector hit in normalised coordinates of one message."""

    start: int
    end: int
    detector: str
    confidence: float
    value: str = ""


TriggerCheck = Callable[[str, Sequence[tuple[int, int, int]]], list[Hit]]
ChunkCheck = Callable[[Chunk], dict[int, list[Hit]]]


@dataclass(frozen=True, slots=True)
class Detector:
    """`triggers` and `exclude` are literals in normalised form. `check(text, occurrences)` gets
    the message text and the (literal_index, start, end) occurrences of its literals, where
    literal_index < len(triggers) means a trigger and the rest are exclusions. A detector with
    `digit_runs` gets the shared digit-run regex; one with `chunk_check` sees whole chunks."""

    name: str
    triggers: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    check: TriggerCheck | None = None
    digit_runs: bool = False
    chunk_check: ChunkCheck | None = None  # looks at every message of a chunk at once (vectorised)
    description: str = ""


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


# --- helpers for trigger detectors -------------------------------------------------------------

NEGATIONS = (
    "不要",
    "请勿",
    "切勿",
    "不能",
    "禁止",
    "不得",
    "别加",
    "别转",
    "别私",
    "别发",
    "勿加",
    "勿转",
    "谨防",
    "严禁",
    "不会",
    "不用",
    "不可",
    "防止",
    "不允许",
    "不接受",
)
_CLAUSE_END = re.compile(r".*[,.!?;。！？；\n]")


def negated(text: str, start: int, window: int = 6) -> bool:
    """True when a negation stands in the same clause within `window` characters before `start`."""
    head = text[max(0, start - window) : start]
    m = _CLAUSE_END.match(head)
    if m:
        head = head[m.end() :]
    return any(n in head for n in NEGATIONS)


def is_word_char(ch: str) -> bool:
    """ASCII letter, digit or underscore."""
    return ch.isascii() and (ch.isalnum() or ch == "_")


def boundary_ok(text: str, start: int, end: int, literal: str) -> bool:
    """ASCII ends of a literal must not run into ASCII letters (sb ≠ usb, 加v ≠ 加vip)."""
    if is_word_char(literal[0]) and start > 0 and is_word_char(text[start - 1]):
        return False
    if is_word_char(literal[-1]) and end < len(text):
        after = text[end]
        if after.isascii() and (after.isalpha() or after == "_"):
            return False
    return True


def _phrase_check(
    name: str, triggers: tuple[str, ...], confidence: float, *, use_negation: bool = True
) -> TriggerCheck:
    n_trig = len(triggers)

    def check(text: str, occ: Sequence[tuple[int, int, int]]) -> list[Hit]:
        excl = [(s, e) for i, s, e in occ if i >= n_trig]
        hits = []
        for i, s, e in occ:
            if i >= n_trig:
                continue
            if not boundary_ok(text, s, e, triggers[i]):
                continue
            if any(xs < e and s < xe for xs, xe in excl):
                continue
            if use_negation and negated(text, s):
                continue
            hits.append(Hit(s, e, name, confidence, text[s:e]))
        return hits

    return check


# --- personal WeChat ids -----------------------------------------------------------------------

WECHAT_TRIGGERS = (
    "微信",
    "vx",
    "wx",
    "v信",
    "威信",
    "薇信",
    "徽信",
    "维信",
    "微x",
    "weixin",
    "wechat",
    "wxid_",
    "加v",
    "qq",
    "扣扣",
)
WECHAT_EXCLUDE = ("企业微信", "企微")
_ID_AFTER = re.compile(
    r"[ ]*(号码|号|id)?[ ]*(是|为|:|=|：)?[ ]*"
    r"(wxid_[a-z0-9_]{4,30}|[a-z][-_a-z0-9]{5,19}|1[3-9][0-9]{9}|[1-9][0-9]{4,10})"
)


def _wechat_check(text: str, occ: Sequence[tuple[int, int, int]]) -> list[Hit]:
    n_trig = len(WECHAT_TRIGGERS)
    excl = [(s, e) for i, s, e in occ if i >= n_trig]
    hits: list[Hit] = []
    last_end = -1
    for i, s, e in sorted(occ, key=lambda o: o[1]):
        if i >= n_trig or s < last_end:
            continue
        trig = WECHAT_TRIGGERS[i]
        if trig != "wxid_" and not boundary_ok(text, s, e, trig):
            continue
        if any(xs < e and s < xe for xs, xe in excl):
            continue
        if trig == "wxid_":
            m = re.match(r"wxid_[a-z0-9_]{4,30}", text[s:])
            if m:
                hits.append(Hit(s, s + m.end(), "wechat_id", 0.95, m.group()))
                last_end = s + m.end()
            continue
        m = _ID_AFTER.match(text, e)
        if not m:
            continue
        ident = m.group(3)
        explicit = bool(m.group(1) or m.group(2))
        if ident.isdigit():
            if trig in ("qq", "扣扣") or mobile_valid(ident):
                conf = 0.9
            else:
                continue
        elif ident.startswith("wxid_"):
            conf = 0.95
        elif explicit or any(c.isdigit() or c in "_-" for c in ident):
            conf = 0.9 if explicit else 0.75
        else:
            continue
        if negated(text, s):
            continue
        hits.append(Hit(s, m.end(), "wechat_id", conf, ident))
        last_end = m.end()
    return hits


# --- "add me" diversion, payments, red packets -------------------------------------------------

DIVERSION_TRIGGERS = (
    "加我微信",
    "加微信",
    "加个微信",
    "加下微信",
    "加一下微信",
    "加我个人微信",
    "加我私人微信",
    "私人微信",
    "个人微信",
    "我的微信",
    "我微信",
    "微信同号",
    "微信联系",
    "微信上聊",
    "微信聊",
    "加我v",
    "加v",
    "加vx",
    "加wx",
    "加我vx",
    "加我wx",
    "加威信",
    "加薇信",
    "加v信",
    "加徽信",
    "私聊我",
    "私我",
    "私信我",
    "加我qq",
    "加qq",
    "qq联系",
    "加我好友",
    "加我个人号",
    "个人号",
    "小号加我",
    "扫我二维码",
    "扫我的二维码",
    "扫码加我",
    "加我钉钉",
    "加我抖音",
    "来我抖音",
    "关注我抖音",
    "私下联系",
    "换个地方聊",
    "这里不方便说",
)
DIVERSION_EXCLUDE = ("企业微信", "企微", "公司微信", "工作微信")

PAYMENT_TRIGGERS = (
    "我的收款码",
    "个人收款码",
    "私人收款码",
    "扫我收款码",
    "扫我的收款码",
    "转账给我",
    "转给我个人",
    "转到我个人",
    "转我个人",
    "直接转我",
    "微信转我",
    "支付宝转我",
    "转我微信",
    "转我支付宝",
    "打我卡上",
    "打到我卡上",
    "打到我个人",
    "打我个人",
    "个人账户",
    "私人账户",
    "个人卡上",
    "私人卡",
    "我的银行卡",
    "我的支付宝",
    "我支付宝",
    "现金给我",
    "钱给我就行",
    "直接给我钱",
    "付给我个人",
)
PAYMENT_EXCLUDE = ("公司账户", "对公账户", "官方账户")

REDPACKET_TRIGGERS = ("[红包]", "发红包", "发个红包", "给你发红包", "包个红包", "红包给你", "给你个红包")


def _redpacket_check(text: str, occ: Sequence[tuple[int, int, int]]) -> list[Hit]:
    hits = []
    for i, s, e in occ:
        trig = REDPACKET_TRIGGERS[i]
        if trig == "[红包]":
            hits.append(Hit(s, e, "redpacket", 0.9, trig))
        elif not negated(text, s):
            hits.append(Hit(s, e, "redpacket", 0.75, trig))
    return hits


# --- links -------------------------------------------------------------------------------------

LINK_TRIGGERS = (
    "http",
    "www.",
    "://",
    ".com",
    ".cn",
    ".net",
    ".org",
    ".top",
    ".xyz",
    ".vip",
    ".cc",
    ".me",
    ".io",
    ".shop",
    ".club",
    ".site",
    ".info",
    ".ltd",
    ".tv",
    ".app",
    ".link",
    ".live",
    ".store",
    ".online",
    ".wang",
)
_URL_CHARS = r"[a-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]"
LINK_RE = re.compile(
    r"(?:https?://|www\.)" + _URL_CHARS + r"+"
    r"|(?<![a-z0-9@])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
    r"(?:com|cn|net|org|top|xyz|vip|cc|me|io|shop|club|site|info|ltd|tv|app|link|live|store|online|wang)"
    r"(?![a-z0-9])(?:[:/]" + _URL_CHARS + r"*)?"
)


def _link_check(text: str, occ: Sequence[tuple[int, int, int]]) -> list[Hit]:
    hits = []
    for m in LINK_RE.finditer(text):
        url = m.group().rstrip(".,;:!?)'\"")
        conf = 0.95 if url.startswith(("http", "www.")) else 0.8
        hits.append(Hit(m.start(), m.start() + len(url), "link", conf, url))
    return hits


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


# --- registry ----------------------------------------------------------------------------------

DETECTORS: dict[str, Detector] = {
    "mobile": Detector("mobile", digit_runs=True, description="mainland mobile numbers"),
    "id_number": Detector("id_number", digit_runs=True, description="resident ID numbers (GB 11643)"),
    "bank_card": Detector("bank_card", digit_runs=True, description="bank card numbers (Luhn as confidence)"),
    "wechat_id": Detector("wechat_id", WECHAT_TRIGGERS, WECHAT_EXCLUDE, _wechat_check, description="personal ids"),
    "diversion": Detector(
        "diversion",
        DIVERSION_TRIGGERS,
        DIVERSION_EXCLUDE,
        _phrase_check("diversion", DIVERSION_TRIGGERS, 0.8),
        description="moving the customer to a personal account or another platform",
    ),
    "payment": Detector(
        "payment",
        PAYMENT_TRIGGERS,
        PAYMENT_EXCLUDE,
        _phrase_check("payment", PAYMENT_TRIGGERS, 0.8),
        description="payment to a personal account or code",
    ),
    "redpacket": Detector("redpacket", REDPACKET_TRIGGERS, (), _redpacket_check, description="red packets"),
    "link": Detector("link", LINK_TRIGGERS, (), _link_check, description="URLs and domains"),
    "money": Detector("money", MONEY_TRIGGERS, (), _money_check, description="amounts and discounts"),
}
DIGIT_DETECTORS = frozenset(name for name, d in DETECTORS.items() if d.digit_runs)


def get_detector(name: str) -> Detector:
    if name == "abuse_model":
        from .abuse import abuse_detector

        return abuse_detector()
    try:
        return DETECTORS[name]
    except KeyError:
        raise ValueError(f"unknown detector {name!r}") from None


def detector_names() -> tuple[str, ...]:
    return (*DETECTORS, "abuse_model")
