"""The misconduct categories of issue #8 in the default pack: a positive and hard negatives each.

Hard negatives are texts a careless rule would flag: the same words denied, quoted to refute them,
in another sense, or the same content where the rule does not apply (scope)."""

from __future__ import annotations

import pytest

from zhidu.compliance.engine import Engine, default_rules, message_from_archive, parse_rules, rule_to_dict
from zhidu.compliance.engine.records import extract_text, file_name, is_internal_group
from zhidu.compliance.engine.rules import Message

GROUP = {"chat_type": "group", "roomid": "wr1"}
INTERNAL = {"chat_type": "group", "roomid": "wr1", "internal": True}
FILE = {"msgtype": "file"}


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(default_rules())


def categories(engine: Engine, text: str, **fields: object) -> set[str]:
    return {f.category for f in engine.scan_text(text, **fields)}


def rules(engine: Engine, text: str, **fields: object) -> set[str]:
    return {f.rule for f in engine.scan_text(text, **fields)}


POSITIVE = [
    ("rumor", "听说公司要倒闭了，你们的会员费赶紧退了吧", {}),
    ("rumor", "内部消息说公司下个月就被查封", {}),
    ("resource_misuse", "这款我们公司贵，你去我自己的店买，便宜一半", {}),
    ("resource_misuse", "我副业也做护肤品，要的话私下找我", {}),
    ("malware", "发票.pdf.exe", FILE),
    ("malware", "报价单.xlsx.scr", FILE),
    ("malware", "合同扫描件.exe.zip", FILE),
    ("malware", "安装包", {"msgtype": "file", "fileext_only": True}),
    ("malware", "客户端下载 http://45.77.12.9/client.apk", {}),
    ("malware", "登录核对 http://www.icbc.com.cn@login-check.top/verify", {}),
    ("unfair_competition", "他们家就是骗子，买了肯定后悔", {}),
    ("unfair_competition", "要盗版课程的话我这有，全套十块", {}),
    ("counterfeit", "这款是高仿的，专柜验不出来", {}),
    ("counterfeit", "这批货是走私进来的，没有报关所以便宜", {}),
    ("politics", "台独分子又在闹了", {}),
    ("politics", "周末一起上街游行去", GROUP),
    ("violence", "再投诉我就找人砍你", {}),
    ("violence", "信不信我弄死你", {"side": "customer"}),
    ("ethnic", "回族都是小偷，别卖给他们", {}),
    ("ethnic", "不吃猪肉真矫情，给他发个猪肉套餐", {}),
    ("ads", "老家特产自家种的橙子，有需要的私聊我", INTERNAL),
    ("ads", "大家帮我砍一刀呀，谢谢", INTERNAL),
]


def _fields(fields: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in fields.items() if k != "fileext_only"}


@pytest.mark.parametrize(("category", "text", "fields"), POSITIVE)
def test_positive(engine: Engine, category: str, text: str, fields: dict[str, object]) -> None:
    if fields.get("fileext_only"):  # the name has no extension; the record's fileext gives it
        text = extract_text({"msgtype": "file", "file": {"filename": text, "fileext": "exe"}})
    assert category in categories(engine, text, **_fields(fields))


HARD_NEGATIVE = [
    # rumour: denied, refuted, or not about the company
    ("rumor", "公司经营一切正常，不会倒闭，请放心", {}),
    ("rumor", "网上说我们倒闭了，这是假的，已经辟谣了", {}),
    ("rumor", "快递公司说明天到货", {}),
    # personal business: the company's own shop, own use
    ("resource_misuse", "请在公司官方店下单，我自己也在用这款", {}),
    ("resource_misuse", "您可以去我们公司的店铺看看", {}),
    # malware: talk about files, documents, plain archives, ordinary links
    ("malware", "请运行setup.exe安装客户端", {}),
    ("malware", "产品资料.zip", FILE),
    ("malware", "报价单.xlsx", FILE),
    ("malware", "config.json", FILE),
    ("malware", "exe文件不要随便打开", FILE),
    ("malware", "官网 https://www.example.com/products/list", {}),
    ("malware", "下载说明见 https://docs.example.cn/guide.pdf", {}),
    # unfair competition: refusing piracy, praising a competitor, our own brand
    ("unfair_competition", "我们只卖正版授权的课程，拒绝盗版", {}),
    ("unfair_competition", "他们家服务也不错，您可以比较一下", {}),
    # counterfeit: guarantees against fakes
    ("counterfeit", "我们不卖高仿，假一赔十", {}),
    ("counterfeit", "谨防假货，认准官方渠道", {}),
    ("counterfeit", "这款是复刻版型，经典款重新推出", {}),
    # politics: civic words and opposing separatism
    ("politics", "请填写政治面貌和籍贯", {}),
    ("politics", "我们坚决反对台独", {}),
    # violence: idioms
    ("violence", "这价格笑死了，今晚秒杀", {}),
    ("violence", "打死也不信会这么便宜", {}),
    ("violence", "爆炸头造型的玩偶到货了", {}),
    # ethnic: respectful talk about customs
    ("ethnic", "这款是清真食品，适合回族客户", {}),
    ("ethnic", "我们尊重少数民族的饮食习惯，给您换成牛肉套餐", {}),
]


@pytest.mark.parametrize(("category", "text", "fields"), HARD_NEGATIVE)
def test_hard_negative(engine: Engine, category: str, text: str, fields: dict[str, object]) -> None:
    assert category not in categories(engine, text, **fields)


def test_internal_ads_only_in_internal_groups(engine: Engine) -> None:
    text = "出闲置婴儿车，九成新，低价转让"
    assert "ads.internal" in rules(engine, text, **INTERNAL)
    assert "ads.internal" not in rules(engine, text, **GROUP)  # a customer group (other rules apply there)
    assert "ads.internal" not in rules(engine, text)  # a single chat
    assert "ads.internal" not in rules(engine, text, side="customer", **INTERNAL)
    # the company's own offers posted in a staff group are work
    assert "ads.internal" not in rules(engine, "公司团购活动本周五截止，大家提醒客户", **INTERNAL)


def test_internal_groups_are_groups_for_group_rules(engine: Engine) -> None:
    """A rule scoped to groups still applies in an internal group."""
    assert "ads.cross_group" in rules(engine, "我另一个群更便宜，拉你进群", **INTERNAL)


def test_file_rule_only_looks_at_file_messages(engine: Engine) -> None:
    assert "malware.file" in rules(engine, "setup.exe", msgtype="file")
    assert "malware.file" not in rules(engine, "setup.exe")
    assert "malware.file" not in rules(engine, "setup.exe", msgtype="text")


def test_dangerous_file_spans_the_extension(engine: Engine) -> None:
    [f] = [f for f in engine.scan_text("发票.PDF.EXE", msgtype="file") if f.rule == "malware.file"]
    assert (f.start, f.end, f.matched, f.detector) == (6, 10, ".EXE", "dangerous_file")
    assert f.confidence > 0.9


def test_macro_documents_are_flagged_with_less_confidence(engine: Engine) -> None:
    [f] = [f for f in engine.scan_text("对账单.xlsm", msgtype="file") if f.rule == "malware.file"]
    assert 0.5 <= f.confidence < 0.9


# --- how file names, message types and internal groups reach the engine -----------------------


def test_file_name_appends_the_extension_only_when_missing() -> None:
    assert file_name({"filename": "合同.pdf", "fileext": "pdf"}) == "合同.pdf"
    assert file_name({"filename": "合同.PDF", "fileext": "pdf"}) == "合同.PDF"
    assert file_name({"filename": "安装包", "fileext": "exe"}) == "安装包.exe"
    assert file_name({"filename": "发票.pdf", "fileext": "exe"}) == "发票.pdf.exe"
    assert file_name({"filename": "说明"}) == "说明"


def test_is_internal_group() -> None:
    assert is_internal_group("zhangsan", ["lisi", "wangwu"], "wr1")
    assert not is_internal_group("zhangsan", ["lisi", "wmCUSTOMER"], "wr1")
    assert not is_internal_group("woCUSTOMER", ["lisi"], "wr1")
    assert not is_internal_group("zhangsan", ["lisi"], "")  # a single chat
    assert not is_internal_group("zhangsan", [], "wr1")  # receivers unknown


def _record(**extra: object) -> dict[str, object]:
    rec: dict[str, object] = {
        "msgid": "m1",
        "action": "send",
        "from": "zhangsan",
        "tolist": ["lisi", "wangwu"],
        "roomid": "wr1",
        "msgtime": 1_700_000_000_000,
        "msgtype": "text",
        "text": {"content": "出闲置，有需要的私聊我"},
    }
    rec.update(extra)
    return rec


def test_message_from_archive_carries_msgtype_and_internal(engine: Engine) -> None:
    msg = message_from_archive(_record())
    assert msg is not None and msg.internal and msg.msgtype == "text" and msg.chat_type == "group"
    assert "ads.internal" in {f.rule for f in engine.scan([msg])}
    customer_group = message_from_archive(_record(tolist=["lisi", "wmCUSTOMER"]))
    assert customer_group is not None and not customer_group.internal
    assert "ads.internal" not in {f.rule for f in engine.scan([customer_group])}
    f = message_from_archive(
        _record(msgtype="file", file={"filename": "发票", "fileext": "exe", "filesize": 1024}, text=None)
    )
    assert f is not None and f.msgtype == "file" and f.text == "发票.exe"
    assert "malware.file" in {x.rule for x in engine.scan([f])}


def test_scope_msgtypes_and_internal_round_trip() -> None:
    [rule] = parse_rules(
        '{"code": "x", "category": "malware", "detectors": ["dangerous_file"],'
        ' "scope": {"msgtypes": ["file"], "chat_types": ["internal"]}}'
    )
    assert rule.scope.msgtypes == frozenset({"file"}) and rule.scope.chat_types == frozenset({"internal"})
    assert rule_to_dict(rule)["scope"] == {"chat_types": ["internal"], "msgtypes": ["file"]}
    eng = Engine([rule])
    assert eng.scan([Message("a", "a.exe", msgtype="file", chat_type="group", internal=True)])
    assert not eng.scan([Message("b", "a.exe", msgtype="file", chat_type="group")])
