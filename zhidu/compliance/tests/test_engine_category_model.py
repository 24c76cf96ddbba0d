"""The shipped category classifier (engine/category_model.py): it loads from package data, separates
a clear violation from a look-alike per category, scores chunks like the reference, and in the
engine its detectors "model:<category>" report whole messages within the rules' scopes. The
sentences are written for this test (not taken from bench/data)."""

from __future__ import annotations

import gzip
import json
import math

import pytest

from zhidu.compliance.engine import CATEGORIES, Engine, Message, Rule, Scope, default_rules
from zhidu.compliance.engine.category_model import MODEL_PATH, CategoryModel, load_model, ngrams
from zhidu.compliance.engine.normalize import normalize_many, normalize_text
from zhidu.compliance.engine.rules import MODEL_RULES_PATH, load_rules

# category → (a clear violation, a hard negative about the same thing)
CASES = {
    "false_claim": ("这款按摩仪能治好颈椎病，用一个月保证不疼，无效退款", "这款按摩仪只是放松用，颈椎病还是得去医院看"),
    "privacy": (
        "把我们所有客户的手机号和身份证号导出来发我私人邮箱",
        "客户的手机号和身份证号只能在公司系统里查看，不能导出",
    ),
    "secret": ("偷偷告诉你，这款净水器进价才两百，我们卖一千八", "进价属于公司机密，我不能告诉您"),
    "private_deal": ("别在公司下单了，钱直接转我个人支付宝，我私下给你发货", "请在公司小程序下单付款，不要转账给个人"),
    "price": ("我私下给你打七折，别告诉别人，签了我再返你一千", "这是公司统一的活动价，所有客户都一样"),
    "abuse": ("你是猪脑子吗，说了多少遍都听不懂", "不好意思是我没讲清楚，我再说一遍"),
    "ads": ("急用钱的找我，无抵押贷款当天放款，加我微信详聊", "群规：禁止在群里发贷款广告"),
    "prohibited": ("可以帮你办假学历证书，学信网能查", "我们开的都是正规发票，可以在税务局网站查验"),
    "rumor": ("内部消息，下个月银行存款全部冻结，赶紧把钱取出来", "网上说银行存款要冻结是谣言，央行已经辟谣了"),
    "resource_misuse": ("各位家长，我自己在卖自家做的辣椒酱，需要的找我买", "公司规定工作群不能发个人买卖信息"),
    "malware": ("破解版办公软件激活工具.exe", "季度报告.pdf"),
    "unfair_competition": (
        "隔壁那家的奶粉都是过期改日期的，千万别买他们的",
        "每家的奶粉各有特点，您可以对比配料表再决定",
    ),
    "counterfeit": ("这款包是一比一高仿的，专柜都看不出来，价格便宜", "我们所有包都是正品，有专柜发票和品牌授权"),
    "politics": ("明天大家一起去市政府门口拉横幅抗议，人越多越好", "群规：请不要在群里讨论政治话题"),
    "violence": ("你再不还钱，我就找人去你家把你腿打断", "如果有人威胁您，请保存证据并马上报警"),
    "ethnic": ("那个地方的人都是骗子，跟他们做生意要小心", "我们尊重各地客户，不分地域"),
}


@pytest.fixture(scope="module")
def model() -> CategoryModel:
    return load_model()


def test_model_file_is_small_and_covers_every_category(model: CategoryModel) -> None:
    assert MODEL_PATH.stat().st_size < 1_000_000
    meta = json.loads(gzip.decompress(MODEL_PATH.read_bytes()))
    assert meta["trained_on"].startswith("bench/data/chats_train.jsonl")
    assert model.categories == list(CATEGORIES)
    assert set(CASES) == set(CATEGORIES)
    for c in CATEGORIES:
        t = model.threshold(c)
        assert t is None or 0.5 <= t < 1, (c, t)
        tc = model.cue_threshold(c)
        assert tc is None or (0.5 <= tc < 1 and (t is None or tc < t)), (c, tc)


def test_ngrams() -> None:
    assert ngrams("abcd") == ["a", "b", "c", "d", "ab", "bc", "cd", "abc", "bcd"]


def test_model_rules_exist_exactly_for_the_shipped_categories(model: CategoryModel) -> None:
    rules = load_rules(MODEL_RULES_PATH)
    shipped = {c for c in CATEGORIES if model.is_shipped(c)}
    assert {r.category for r in rules} == shipped
    for r in rules:
        assert r.detectors == (f"model:{r.category}",) and r.code.startswith(f"{r.category}.model")
        assert r.scope.sides or r.scope.chat_types, r.code  # never unscoped
    codes = [r.code for r in default_rules()]
    assert {r.code for r in rules} <= set(codes) and len(codes) == len(set(codes))


@pytest.mark.parametrize("category", sorted(CASES))
def test_clear_case_above_and_look_alike_below_the_threshold(model: CategoryModel, category: str) -> None:
    positive, negative = CASES[category]
    p_pos, p_neg = model.predict([positive, negative])[:, model.index[category]].tolist()
    t = model.threshold(category)
    if model.is_shipped(category):
        assert model.reports(category, p_pos, normalize_text(positive)), (p_pos, t, model.cue_threshold(category))
        assert not model.reports(category, p_neg, normalize_text(negative)), (p_neg, t)
        return
    if t is None:  # not shipped: the model still ranks them, but reports nothing
        assert p_pos > p_neg
        engine = Engine([Rule(code="m", name="m", category=category, severity="low", detectors=(f"model:{category}",))])
        assert engine.scan_text(positive) == []
        return
    assert p_pos >= t > p_neg, (p_pos, t, p_neg)


TEXTS = [
    "你是不是有病啊",
    "您好，这款面霜适合干皮",
    "",
    "滚",
    "😀转我老婆卡上😀",
    "ＡＢＣ 全網第一",
    "a",
    "微 信",
    "一二三四五六七八",
]


def test_vectorised_scores_equal_reference_scores(model: CategoryModel) -> None:
    fast = model.chunk_logits(normalize_many(TEXTS))
    assert fast.shape == (len(TEXTS), len(CATEGORIES))
    for i, t in enumerate(TEXTS):
        slow = model.logits(normalize_text(t))
        assert fast[i].tolist() == pytest.approx([slow[c] for c in CATEGORIES], abs=1e-6), t
    probs = model.predict(TEXTS)
    for i, t in enumerate(TEXTS):
        slow = model.logits(normalize_text(t))
        assert probs[i].tolist() == pytest.approx([1 / (1 + math.exp(-slow[c])) for c in CATEGORIES], abs=1e-6)


def _rule(category: str, scope: Scope) -> Rule:
    return Rule(
        code=f"{category}.m",
        name="m",
        category=category,
        severity="medium",
        detectors=(f"model:{category}",),
        scope=scope,
    )


def test_detector_reports_the_whole_message_with_the_probability(model: CategoryModel) -> None:
    text = CASES["prohibited"][0]
    (f,) = Engine([_rule("prohibited", Scope())]).scan([Message("1", text)])
    assert (f.start, f.end, f.matched) == (0, len(text), text)
    assert f.detector == "model:prohibited" and f.category == "prohibited"
    assert f.confidence == pytest.approx(model.predict([text])[0, model.index["prohibited"]], abs=1e-4)


def test_detector_obeys_rule_scopes() -> None:
    text = CASES["prohibited"][0]
    staff_only = _rule("prohibited", Scope(sides=frozenset({"staff"})))
    groups_only = _rule("prohibited", Scope(chat_types=frozenset({"group"})))
    staff = Message("s", text, side="staff", chat_type="single")
    customer = Message("c", text, side="customer", chat_type="single")
    customer_group = Message("g", text, side="customer", chat_type="group", roomid="r1")
    assert {f.msgid for f in Engine([staff_only]).scan([staff, customer, customer_group])} == {"s"}
    assert {f.msgid for f in Engine([groups_only]).scan([staff, customer, customer_group])} == {"g"}


def test_default_pack_scopes_follow_the_label_policy() -> None:
    """Staff are held to every category; customers only for what they post in groups."""
    engine = Engine(default_rules())
    text = CASES["rumor"][0]
    found = {
        f.msgid
        for f in engine.scan(
            [
                Message("staff", text, side="staff"),
                Message("cust1", text, side="customer", chat_type="single"),
                Message("custg", text, side="customer", chat_type="group", roomid="r1"),
            ]
        )
        if f.rule.startswith("rumor.model")
    }
    assert found == {"staff", "custg"}
    deal = CASES["private_deal"][0]
    rules = {f.rule for f in engine.scan([Message("c", deal, side="customer", chat_type="group", roomid="r1")])}
    assert "private_deal.model" not in rules


def test_several_model_detectors_share_one_scoring_pass_and_stay_multi_label() -> None:
    text = "内部消息，下个月银行存款全部冻结，赶紧把钱取出来。可以帮你办假学历证书，学信网能查"
    engine = Engine([_rule("rumor", Scope()), _rule("prohibited", Scope())])
    assert {f.category for f in engine.scan([Message("1", text), Message("2", "您好，请问几点发货")])} == {
        "rumor",
        "prohibited",
    }


def test_cue_threshold_reports_only_messages_with_a_cue_word() -> None:
    """Between the cue threshold and the plain one a message is reported only with one of the category's
    cue words; above the plain threshold always; the chunk path agrees with the reference `reports`."""
    base = load_model()
    cats = ["violence", "politics"]
    # a toy model over the shipped weights: plain threshold 0.999, cue threshold 0.3, one cue word each
    model = CategoryModel(
        base.categories,
        base.weights,
        base.bias,
        {c: (0.999 if c in cats else None) for c in base.categories},
        base.ngram_max,
        {c: 0.3 for c in cats},
        {"violence": ["砸"], "politics": ["游行"]},
    )
    texts = [
        "物业再不给说法，我们就去把他们办公室砸了",
        "物业再不给说法，我们就去把他们办公室拆了",
        "明天大家一起去市政府门口游行抗议",
        "明天大家一起去市政府门口抗议",
        "您好，请问几点发货",
    ]
    chunk = normalize_many(texts)
    hits = model.chunk_hits(chunk)
    probs = model.predict(texts)
    for c in cats:
        j = model.index[c]
        expected = {i for i, t in enumerate(texts) if model.reports(c, float(probs[i, j]), chunk.message_text(i))}
        assert set(hits[c]) == expected, c
        for i in expected:
            assert probs[i, j] >= 0.999 or model.has_cue(c, chunk.message_text(i))
    assert model.has_cue("violence", chunk.message_text(0)) and not model.has_cue("violence", chunk.message_text(1))
    p0 = float(probs[0, model.index["violence"]])
    assert model.reports("violence", max(p0, 0.31), chunk.message_text(0))
    assert not model.reports("violence", 0.31, chunk.message_text(1))
    assert not model.reports("violence", 0.29, chunk.message_text(0))
    assert 4 not in hits["violence"] and 4 not in hits["politics"]
