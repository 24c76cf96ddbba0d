"""The regulation parser on our own inputs: every format, numbering style, item style and failure."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhidu.policies.parser import (
    ParseError,
    cn_to_int,
    decode_text,
    int_to_cn,
    parse_bytes,
    parse_documents,
    parse_text,
)
from zhidu.policies.services import DEMO_FIXTURE
from zhidu.policies.tests.factories import SMALL


def numbers(parsed):
    return [a.number for a in parsed.articles]


# --- numerals ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, value",
    [
        ("一", 1),
        ("十", 10),
        ("十一", 11),
        ("二十", 20),
        ("二十三", 23),
        ("九十九", 99),
        ("一百", 100),
        ("一百零二", 102),
        ("一百一十", 110),
        ("一百十", 110),
        ("一百二十三", 123),
        ("两百", 200),
        ("一千零五", 1005),
        ("7", 7),
        ("１２", 12),
        ("一〇二", 102),
        ("〇", 0),
    ],
)
def test_cn_to_int(text, value):
    assert cn_to_int(text) == value


@pytest.mark.parametrize("text", ["", "十百", "二三十", "abc", "一x"])
def test_cn_to_int_refuses(text):
    with pytest.raises(ValueError):
        cn_to_int(text)


@pytest.mark.parametrize(
    "value, text",
    [
        (1, "一"),
        (10, "十"),
        (17, "十七"),
        (23, "二十三"),
        (102, "一百零二"),
        (110, "一百一十"),
        (123, "一百二十三"),
        (1005, "一千零五"),
    ],
)
def test_int_to_cn(value, text):
    assert int_to_cn(value) == text


@given(st.integers(min_value=0, max_value=9999))
def test_numerals_round_trip(n):
    assert cn_to_int(int_to_cn(n)) == n


# --- structure ----------------------------------------------------------------------------------------------------


def test_line_broken_text_with_chapters_and_items():
    parsed = parse_text(SMALL)
    assert parsed.title == "测试管理制度"
    assert parsed.counts() == {"chapters": 2, "articles": 4, "items": 3}
    assert [(c.number, c.title) for c in parsed.chapters] == [(1, "总则"), (2, "行为规范")]
    assert [a.chapter for a in parsed.articles] == [1, 1, 2, 2]
    art3 = parsed.articles[2]
    assert art3.text == "成员不得有下列行为："
    assert [(i.number, i.label, i.text) for i in art3.items] == [
        (1, "（一）", "虚构业绩；"),
        (2, "（二）", "泄露客户资料；"),
        (3, "（三）", "辱骂同事。"),
    ]
    # "违反第三条的" inside article 4 is a reference, not a heading
    assert parsed.articles[3].text == "违反第三条的，依照公司规定处理。"
    assert parsed.warnings == []


def test_inline_text_without_line_breaks():
    text = (
        "门店销售守则第一章总则第一条为规范门店销售，制定本守则。第二条本守则适用于全体店员。"
        "第二章纪律第三条店员应当遵守下列纪律：(一)按时到岗；(二)不得私收现金；(三)不得辱骂顾客。"
        "第四条违反第三条的，依照第五条处理。第五条处理分为警告和罚款。"
    )
    parsed = parse_text(text)
    assert parsed.title == "门店销售守则"
    assert numbers(parsed) == [1, 2, 3, 4, 5]
    assert [(c.number, c.title) for c in parsed.chapters] == [(1, "总则"), (2, "纪律")]
    assert [i.label for i in parsed.articles[2].items] == ["(一)", "(二)", "(三)"]
    assert parsed.articles[3].text == "违反第三条的，依照第五条处理。"
    assert parsed.articles[4].text == "处理分为警告和罚款。"


def test_references_after_punctuation_do_not_split():
    text = "甲制度\n第一条 总体要求。\n第二条 有下列情形之一的，按本制度处理。第五条所列情形除外。\n第三条 附则。"
    parsed = parse_text(text)
    assert numbers(parsed) == [1, 2, 3]
    assert "第五条所列情形除外" in parsed.articles[1].text


def test_wrapped_line_starting_with_a_reference_is_text():
    text = "乙制度\n第一条 总则。\n第二条 对于违反本制度的，依照\n第一条规定处理。\n第三条 附则。"
    parsed = parse_text(text)
    assert numbers(parsed) == [1, 2, 3]
    assert parsed.articles[1].text == "对于违反本制度的，依照\n第一条规定处理。"


def test_arabic_article_numbers_and_no_chapters():
    text = "丙规定\n第1条 为了规范管理。\n第 2 条 适用范围。\n第3条 施行日期。"
    parsed = parse_text(text)
    assert numbers(parsed) == [1, 2, 3]
    assert parsed.chapters == []
    assert parsed.outline() == [
        {
            "chapter": None,
            "title": "",
            "heading": "",
            "articles": [
                {"number": 1, "label": "", "title": "", "items": 0},
                {"number": 2, "label": "", "title": "", "items": 0},
                {"number": 3, "label": "", "title": "", "items": 0},
            ],
        }
    ]


def test_chinese_numerals_up_to_123():
    text = "大型制度\n" + "\n".join(f"第{int_to_cn(n)}条 第{n}条的内容。" for n in range(1, 124))
    parsed = parse_text(text)
    assert numbers(parsed) == list(range(1, 124))
    assert parsed.articles[22].text == "第23条的内容。"
    assert parsed.articles[101].number == 102  # 第一百零二条
    assert parsed.articles[-1].number == 123  # 第一百二十三条


@pytest.mark.parametrize(
    "body, labels",
    [
        ("（一）甲；\n（二）乙。", ["（一）", "（二）"]),
        ("(一)甲；(二)乙。", ["(一)", "(二)"]),
        ("1. 甲；\n2. 乙。", ["1.", "2."]),
        ("1、甲；2、乙。", ["1、", "2、"]),
        ("（1）甲；\n（2）乙。", ["（1）", "（2）"]),
        ("\n3.1 甲\n3.2 乙", ["3.1", "3.2"]),
    ],
)
def test_item_styles(body, labels):
    text = f"丁制度\n第一条 总则。\n第二条 说明。\n第三条 要求如下：{body}\n第四条 附则。"
    parsed = parse_text(text)
    art = parsed.articles[2]
    assert [i.label for i in art.items] == labels
    assert [i.number for i in art.items] == [1, 2]
    assert [i.text.rstrip("；。") for i in art.items] == ["甲", "乙"]
    assert numbers(parsed) == [1, 2, 3, 4]


def test_nested_list_stays_text_of_its_item_and_closing_paragraph():
    text = (
        "戊制度\n第一条 禁止下列行为：\n（一）虚假宣传，包括：\n1. 夸大功效；\n2. 虚构销量；\n（二）私下交易。\n"
        "违反本条的，给予警告。\n第二条 附则。"
    )
    parsed = parse_text(text)
    art = parsed.articles[0]
    assert [i.label for i in art.items] == ["（一）", "（二）"]
    assert art.items[0].text == "虚假宣传，包括：\n1. 夸大功效；\n2. 虚构销量；"
    assert art.closing == "违反本条的，给予警告。"


def test_numbers_in_text_are_not_items():
    text = "己制度\n第一条 工作时间为9:00-18:00，提成比例1.5%，共3.0倍。\n第二条 附则。"
    parsed = parse_text(text)
    assert parsed.articles[0].items == []
    assert parsed.articles[0].text == "工作时间为9:00-18:00，提成比例1.5%，共3.0倍。"


def test_article_headings():
    text = (
        "庚制度\n第一条【目的】为了规范管理，制定本制度。\n第二条 适用范围\n本制度适用于全体员工。\n"
        "第三条：群规\n3.1 禁止广告\n3.2 禁止刷屏\n第四条 本制度自发布之日起施行"
    )
    parsed = parse_text(text)
    assert [(a.title, a.text) for a in parsed.articles] == [
        ("目的", "为了规范管理，制定本制度。"),
        ("适用范围", "本制度适用于全体员工。"),
        ("群规", ""),
        ("", "本制度自发布之日起施行"),  # a short article without punctuation stays text
    ]


def test_markdown_headings():
    text = (
        "# 线上销售规范\n\n前言：本规范由销售中心制定。\n\n## 第一章 总则\n\n"
        "**第一条** 为了规范线上销售，制定本规范。\n\n"
        "## 客户沟通\n\n### 第二条 真实宣传\n\n不得夸大产品功效。\n\n1. 不得使用绝对化用语；\n2. 不得承诺收益。\n"
    )
    parsed = parse_text(text, fmt="md")
    assert parsed.title == "线上销售规范"
    assert parsed.preamble == "前言：本规范由销售中心制定。"
    assert [(c.number, c.title) for c in parsed.chapters] == [(1, "总则"), (2, "客户沟通")]
    assert parsed.articles[0].text == "为了规范线上销售，制定本规范。"
    assert (parsed.articles[1].title, parsed.articles[1].text) == ("真实宣传", "不得夸大产品功效。")
    assert [i.label for i in parsed.articles[1].items] == ["1.", "2."]


def test_our_demo_fixture_structure():
    parsed = parse_text(DEMO_FIXTURE.read_text(encoding="utf-8"), fmt="md")
    assert parsed.title == "销售团队管理制度"
    assert parsed.warnings == []
    chapters = {c.number: [a.number for a in parsed.articles if a.chapter == c.number] for c in parsed.chapters}
    assert chapters == {
        1: [1, 2, 3],
        2: [4, 5, 6, 7, 8],
        3: [9, 10, 11, 12],
        4: [13, 14, 15, 16],
        5: [17, 18, 19, 20, 21, 22, 23],
        6: [24, 25, 26, 27],
        7: [28, 29],
    }
    assert [c.title for c in parsed.chapters] == [
        "总则",
        "组织与职责",
        "客户开发与跟进",
        "订单与价格",
        "沟通规范",
        "奖励与处罚",
        "附则",
    ]
    items = {a.number: len(a.items) for a in parsed.articles if a.items}
    assert items == {7: 5, 17: 3, 18: 2, 22: 3, 23: 8, 25: 5}


def _docx_bytes(paragraphs):
    import docx

    document = docx.Document()
    for style, text in paragraphs:
        document.add_paragraph(text, style=style)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def test_docx():
    data = _docx_bytes(
        [
            ("Title", "客服管理办法"),
            ("Heading 2", "第一章 总则"),
            (None, "第一条 为了提升服务质量，制定本办法。"),
            ("Heading 2", "第二章 服务要求"),
            (None, "第二条 客服人员应当做到："),
            ("List Number", "及时回复；"),
            ("List Number", "用语文明。"),
            (None, "第三条 本办法自发布之日起施行。"),
        ]
    )
    parsed = parse_bytes(data, "rules.docx")
    assert parsed.title == "客服管理办法"
    assert parsed.counts() == {"chapters": 2, "articles": 3, "items": 2}
    assert [i.text for i in parsed.articles[1].items] == ["及时回复；", "用语文明。"]


def test_encodings():
    text = "辛制度\n第一条 内容。\n"
    for data in (
        text.encode("utf-8"),
        b"\xef\xbb\xbf" + text.encode("utf-8"),
        text.encode("gb18030"),
        text.encode("utf-16"),
    ):
        assert numbers(parse_bytes(data, "a.txt")) == [1]


def test_several_documents_in_one_file():
    text = SMALL + "\n另一个管理规定\n第一条 第二份文件的第一条。\n第二条 第二份文件的第二条。\n"
    docs = parse_documents(text)
    assert [(d.title, len(d.articles)) for d in docs] == [("测试管理制度", 4), ("另一个管理规定", 2)]
    first = parse_text(text)
    assert first.title == "测试管理制度" and "holds 2 documents" in first.warnings[0]
    assert numbers(parse_text(text, document=2)) == [1, 2]


# --- failures -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, line, fragment",
    [
        (b"", 1, "empty"),
        (b"   \n\n  ", 1, "empty"),
        ("只是一段普通的文字，没有任何条款。\n第二行也没有。".encode(), 1, "no articles"),
        ("制度\n第一条 甲。\n第二条 乙。\n第二条 丙。".encode(), 4, "repeats"),
        ("制度\n第一条 甲。\n第二条 乙。\n第三条 丙。\n第二条 丁。".encode(), 5, "goes backwards"),
        ("制度\n第一条 甲。\n第二条 乙。\n第一条 丙。".encode(), 4, "restarts"),
        ("制度\n第一章 总则\n第一条 甲。\n第一章 再来\n第二条 乙。".encode(), 4, "chapter number"),
        ("制度\n第一条 要求：\n（一）甲；\n（二）乙；\n（二）丙。".encode(), 5, "item"),
        ("制度\n第一条 甲。\n第二条 乙\x00\x01\x02".encode(), 3, "binary"),
        (bytes(range(128, 256)) * 4, 1, "cannot decode"),
        ("制度\n第一条 甲。\n第二条 乙。\n".encode() + "café".encode("latin-1") + b" x\n", 4, "cannot decode"),
        ("制度\n第一条 甲。\n第二条 \x07乙。".encode(), 3, "control character"),
        ("制度\n第一条 甲。\n第二条 乙\ufffd。".encode(), 3, "replacement"),
        (b"PK\x03\x04not really a zip file", 1, ".docx"),
    ],
)
def test_parse_errors_name_the_line(data, line, fragment):
    with pytest.raises(ParseError) as exc:
        parse_bytes(data, "x.txt")
    assert exc.value.line == line
    assert str(exc.value).startswith(f"line {line}: ")
    assert fragment in str(exc.value)


def test_empty_docx_is_an_error():
    with pytest.raises(ParseError, match="no articles"):
        parse_bytes(_docx_bytes([(None, "只有一段文字。")]), "empty.docx")


def test_forward_gap_is_a_warning():
    parsed = parse_text("制度\n第一条 甲。\n第三条 丙。")
    assert numbers(parsed) == [1, 3]
    assert "jumps" in parsed.warnings[0]


def test_decode_text_refuses_huge_files():
    with pytest.raises(ParseError, match="larger than"):
        decode_text(b"a" * (6 * 1024 * 1024))


def test_a_paragraph_opening_with_a_reference_is_text():
    text = "壬制度\n第一条 总则。\n第二条 试用期员工另有约定。\n第一条规定的目的同样适用于试用期。\n第三条 附则。"
    parsed = parse_text(text)
    assert numbers(parsed) == [1, 2, 3]
    assert parsed.articles[1].text == "试用期员工另有约定。\n第一条规定的目的同样适用于试用期。"
    assert "read as a reference" in parsed.warnings[0]


def test_markdown_list_of_articles():
    parsed = parse_text("# 癸规定\n\n- 第一条 甲。\n- 第二条 乙。\n", fmt="md")
    assert numbers(parsed) == [1, 2] and parsed.articles[1].text == "乙。"


_PIECES = [
    "第一章",
    "第二章",
    "第一条",
    "第二条",
    "第三条",
    "第十条",
    "总则",
    "制度",
    "（一）",
    "(二)",
    "1.",
    "2、",
    "3.1",
    "。",
    "；",
    "：",
    "\n",
    " ",
    "依照",
    "规定",
    "# ",
    "## ",
    "- ",
    "甲",
    "乙",
    "**",
]


@given(st.lists(st.sampled_from(_PIECES), max_size=60), st.sampled_from(["text", "md"]))
def test_parser_only_ever_raises_parse_error(pieces, fmt):
    text = "".join(pieces)
    try:
        docs = parse_documents(text, fmt=fmt)
    except ParseError as exc:
        assert exc.line >= 1
        return
    for doc in docs:
        assert [c.number for c in doc.chapters] == sorted({c.number for c in doc.chapters})
        assert [a.number for a in doc.articles] == sorted({a.number for a in doc.articles})
        for art in doc.articles:
            assert [i.number for i in art.items] == sorted({i.number for i in art.items})
