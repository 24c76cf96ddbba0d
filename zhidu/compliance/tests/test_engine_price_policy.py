"""The price-authority check of the engine (pure: no database): number formats, discount notations, the
sender's role and the policy, and the hard negatives (list price, customers, refusals, promotions)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from zhidu.compliance.engine import Engine, Message, PriceChecker, Rule, default_rules, snapshot_from_rows
from zhidu.compliance.engine.normalize import normalize_text
from zhidu.compliance.engine.price_quotes import find_quotes

DEFAULTS = {"sales": 0, "supervisor": 5, "manager": 10, "director": 20}
PRODUCTS = [
    # code, name, aliases, list price, floor, per-role authority (None → default)
    ("LOCK-X1", "智能门锁X1", ["门锁", "X1门锁"], "4000", "3000", {"supervisor": "10", "manager": None}),
    ("ROBOT-2", "扫地机器人", ["扫地机"], "2000", None, {}),
    ("CRM-PRO", "销售管理软件专业版", ["专业版"], "12000", "9000", {"sales": "5"}),
]


@pytest.fixture(scope="module")
def checker() -> PriceChecker:
    return PriceChecker(snapshot_from_rows(PRODUCTS, DEFAULTS, allow=["公司活动价"]))


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(default_rules(), price_policy=snapshot_from_rows(PRODUCTS, DEFAULTS, allow=["公司活动价"]))


def beyond(checker: PriceChecker, text: str, role: str = "sales", products: tuple[str, ...] = ()) -> list[str]:
    """ "<product> <price> <off>" of each quote beyond the authority of `role`."""
    return [f"{q.product} {q.price} {q.off}" for q in checker.check(normalize_text(text), role, products)]


# --- formats ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("这款门锁给你3200元", "LOCK-X1 3200.00 20.00"),
        ("门锁三千八", "LOCK-X1 3800.00 5.00"),
        ("门锁三千八百元", "LOCK-X1 3800.00 5.00"),
        ("门锁算你3,600", "LOCK-X1 3600.00 10.00"),
        ("门锁¥3500", "LOCK-X1 3500.00 12.50"),
        ("门锁３６００元", "LOCK-X1 3600.00 10.00"),  # full-width digits
        ("门锁 3.6k 元", "LOCK-X1 3600.00 10.00"),
        ("门锁价格三千六", "LOCK-X1 3600.00 10.00"),
        ("门锁打八折", "LOCK-X1 3200.00 20.00"),
        ("门锁8折", "LOCK-X1 3200.00 20.00"),
        ("门锁九五折", "LOCK-X1 3800.00 5.00"),
        ("门锁给你打个8.5折", "LOCK-X1 3400.00 15.00"),
        ("门锁85折", "LOCK-X1 3400.00 15.00"),
        ("门锁半价", "LOCK-X1 2000.00 50.00"),
        ("门锁便宜500", "LOCK-X1 3500.00 12.50"),
        ("门锁便宜五百块", "LOCK-X1 3500.00 12.50"),
        ("门锁减免300元", "LOCK-X1 3700.00 7.50"),
        ("门锁优惠10%", "LOCK-X1 3600.00 10.00"),
        ("门锁再让两个点", "LOCK-X1 3920.00 2.00"),
        ("扫地机1900拿走", "ROBOT-2 1900.00 5.00"),
        ("两台门锁一共7600", "LOCK-X1 3800.00 5.00"),  # a total for two
        ("智能門鎖X1給你3200元", "LOCK-X1 3200.00 20.00"),  # traditional characters
        ("LOCK-X1 报价3800元", "LOCK-X1 3800.00 5.00"),  # by code
    ],
)
def test_formats_beyond_a_salespersons_authority(checker: PriceChecker, text: str, expected: str) -> None:
    assert beyond(checker, text) == [expected]


def test_quotes_in_a_chinese_sentence_are_found_in_order() -> None:
    quotes = find_quotes(normalize_text("原价4000元，活动打九折，再便宜200元"))
    assert [(q.kind, q.value) for q in quotes] == [
        ("amount", Decimal("4000")),
        ("ratio", Decimal("0.9")),
        ("amount_off", Decimal("200")),
    ]


# --- the policy and the role ------------------------------------------------------------------


def test_role_authority_from_product_policy_then_default(checker: PriceChecker) -> None:
    text = "门锁打九折"  # 10 % off a product whose policy gives supervisors 10 %
    assert beyond(checker, text, "sales") == ["LOCK-X1 3600.00 10.00"]
    assert beyond(checker, text, "supervisor") == []
    assert beyond(checker, "门锁打八五折", "supervisor") == ["LOCK-X1 3400.00 15.00"]
    # manager: None in the policy → the company default (10 %)
    assert beyond(checker, text, "manager") == []
    assert beyond(checker, "门锁打88折", "manager") == ["LOCK-X1 3520.00 12.00"]
    # a salesperson with 5 % on the software
    assert beyond(checker, "专业版九五折", "sales") == []
    assert beyond(checker, "专业版九折", "sales") == ["CRM-PRO 10800.00 10.00"]


def test_below_floor_is_beyond_anyone_but_the_director(checker: PriceChecker) -> None:
    # 28 % off is within nobody's discount authority except… nobody (director 20 %), and below the floor
    assert beyond(checker, "门锁2900元", "manager") == ["LOCK-X1 2900.00 27.50"]
    snap = snapshot_from_rows(PRODUCTS, {**DEFAULTS, "manager": 40, "director": 40})
    generous = PriceChecker(snap)
    (q,) = generous.check(normalize_text("门锁2900元"), "manager")
    assert q.below_floor and q.off == Decimal("27.50") and q.authority == Decimal("40")
    assert generous.check(normalize_text("门锁2900元"), "director") == []


def test_unknown_role_is_not_checked_other_roles_have_no_authority(checker: PriceChecker) -> None:
    assert beyond(checker, "门锁3200元", "") == []
    assert beyond(checker, "门锁3980元", "compliance") == ["LOCK-X1 3980.00 0.50"]


def test_members_products_when_no_product_is_named(checker: PriceChecker) -> None:
    assert beyond(checker, "给你打个九折吧", "sales") == []  # no product, no member products: no finding
    assert beyond(checker, "给你打个九折吧", "sales", ("ROBOT-2",)) == ["ROBOT-2 1800.00 10.00"]
    # several products: the most lenient reading (5 % is within the software's sales authority)
    assert beyond(checker, "给你打个九五折吧", "sales", ("ROBOT-2", "CRM-PRO")) == []
    # an amount: read against the product it can be a price of (3,600 is above the robot's list price)
    assert beyond(checker, "3600元给你", "sales", ("ROBOT-2", "LOCK-X1")) == []
    assert beyond(checker, "1800元给你", "sales", ("ROBOT-2", "LOCK-X1")) == ["ROBOT-2 1800.00 10.00"]
    # a product not in the catalogue counts as none
    assert beyond(checker, "给你打个九折吧", "sales", ("GONE",)) == []


def test_nearest_product_mention_owns_the_quote(checker: PriceChecker) -> None:
    text = "门锁还是4000元，扫地机给你1800元"
    assert beyond(checker, text) == ["ROBOT-2 1800.00 10.00"]


# --- hard negatives ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "这款门锁标价4000元",  # the list price
        "门锁4000元，不讲价",
        "门锁4200元含安装",  # above the list price
        "门锁不能打八折，最低就是原价",
        "门锁8折做不到，公司规定的",
        "门锁没有折扣",
        "门锁公司活动价3600，活动截止到周日",  # an allow phrase (official promotion)
        "门锁定金500元，尾款到货再付",  # a deposit
        "门锁运费20元",
        "别家门锁才卖2500元，质量差很多",  # another seller's price
        "您预算3000元的话可以看看扫地机",  # the customer's budget
        "您说的8折我问问主管",  # repeating what the customer asked
        "门锁是4000元，原价4000元",
        "扫地机器人2000元一台，买两台4000元",
        "门锁的型号是X1，今年卖了3000多台",  # no money unit, not a price
        "门锁保修3年，30天无理由",
    ],
)
def test_hard_negatives(checker: PriceChecker, text: str) -> None:
    assert beyond(checker, text) == []


def test_product_not_configured_gives_no_finding(checker: PriceChecker) -> None:
    assert beyond(checker, "空气净化器给你打八折") == []


# --- through the engine -----------------------------------------------------------------------


def test_engine_finding_cites_the_article_with_detail_and_original_span(engine: Engine) -> None:
    text = "王总，这款门锁给您 3200 元，今天就定"
    (f,) = [f for f in engine.scan([Message("m1", text, role="sales")]) if f.rule == "price.authority"]
    assert (f.category, f.article, f.detector) == ("price", "sales-conduct#14", "price_policy")
    assert text[f.start : f.end] == f.matched == "3200 元"
    detail = json.loads(f.detail)
    assert detail["price"] == "3200.00" and detail["list_price"] == "4000" and detail["off"] == "20.00"
    assert detail["role"] == "sales" and detail["authority"] == "0" and detail["product"] == "LOCK-X1"


def test_engine_customer_messages_are_never_price_findings(engine: Engine) -> None:
    msgs = [
        Message("c1", "门锁能给我打八折吗", side="customer", role="sales"),
        Message("c2", "门锁3200元卖不卖", side="customer", chat_type="group", roomid="r1"),
    ]
    assert [f for f in engine.scan(msgs) if f.rule == "price.authority"] == []


def test_engine_supervisor_within_authority_and_staff_without_role(engine: Engine) -> None:
    msgs = [Message("s1", "门锁九折给你", role="supervisor"), Message("s2", "门锁3200元", role="")]
    assert [f for f in engine.scan(msgs) if f.rule == "price.authority"] == []


def test_engine_rule_allow_phrases_reach_the_check() -> None:
    rule = Rule(code="p", name="p", category="price", severity="high", detectors=("price_policy",), allow=("会员日",))
    e = Engine([rule], price_policy=snapshot_from_rows(PRODUCTS, DEFAULTS))
    assert e.scan_text("会员日门锁打九折", role="sales") == []
    assert [f.matched for f in e.scan_text("门锁打九折", role="sales")] == ["九折"]


def test_engine_without_a_snapshot_has_no_price_findings() -> None:
    e = Engine(default_rules())
    assert [f for f in e.scan_text("这款门锁给你3200元", role="sales") if f.rule == "price.authority"] == []


def test_snapshot_rows_skip_products_without_a_price() -> None:
    snap = snapshot_from_rows([("A", "甲", [], "0", None, {}), ("B", "乙", [], "x", None, {})], DEFAULTS)
    assert snap.products == ()
    assert snap.defaults["supervisor"] == Decimal(5)
