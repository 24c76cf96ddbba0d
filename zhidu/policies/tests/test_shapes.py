"""Regulations numbered 1. / 4.1 (decimal) or not at all (prose): parsing, citations, keys, dry runs, mixed shapes."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from zhidu.policies import selectors
from zhidu.policies.models import PolicyVersion, Shape
from zhidu.policies.parser import ParseError, parse_bytes, parse_documents, parse_text
from zhidu.policies.tests.factories import SMALL, make_version

# Our own texts (not the customers' documents).
DECIMAL = """门店导购守则
1. 适用范围
本守则适用于全部门店导购员，
以及临时借调的店员。
2. 日常要求
2.1 仪容仪表
• 工作时间穿着统一工装；
• 佩戴工牌，
不得遮挡姓名。
2.2 接待顾客
接待时应当做到： - 主动问候； - 如实介绍商
品。
3. 附则
本守则自发布之日起施行。
"""

PROSE = """客服回访须知

客服人员每周回访一次成交客户。
回访时不得索要好评，
也不得承诺额外赠品。

回访记录当天录入系统。
"""


def labels(parsed):
    return [a.label for a in parsed.articles]


# --- parsing ------------------------------------------------------------------------------------------------------


def test_decimal_sections_become_clauses_in_document_order():
    parsed = parse_text(DECIMAL)
    assert parsed.shape == "decimal" and parsed.title == "门店导购守则"
    assert labels(parsed) == ["1", "2", "2.1", "2.2", "3"]
    assert [a.number for a in parsed.articles] == [1, 2, 3, 4, 5]
    assert [a.title for a in parsed.articles] == ["适用范围", "日常要求", "仪容仪表", "接待顾客", "附则"]
    assert [a.line for a in parsed.articles] == [2, 5, 6, 10, 13]
    first, dress, greet = parsed.articles[0], parsed.articles[2], parsed.articles[3]
    assert first.text == "本守则适用于全部门店导购员，\n以及临时借调的店员。"
    assert [(i.number, i.label, i.text) for i in dress.items] == [
        (1, "•", "工作时间穿着统一工装；"),
        (2, "•", "佩戴工牌，\n不得遮挡姓名。"),
    ]
    assert greet.text == "接待时应当做到："
    assert [i.text for i in greet.items] == ["主动问候；", "如实介绍商品。"]  # a line wrapped mid-word runs on
    assert parsed.as_dict()["shape"] == "decimal" and parsed.counts() == {"chapters": 0, "articles": 5, "items": 4}


def test_decimal_section_out_of_sequence_is_text_with_a_warning():
    parsed = parse_text("巡店办法\n1. 范围\n全部门店。\n2. 频次\n每月一次。\n1. 补充\n节假日加巡。\n3. 附则\n施行。")
    assert labels(parsed) == ["1", "2", "3"]
    assert parsed.articles[1].text == "每月一次。\n1. 补充\n节假日加巡。"
    assert any("line 6" in w and "1. 补充" in w for w in parsed.warnings)


def test_decimal_needs_two_sections_in_sequence():
    """One "1." line alone is a paragraph, not a numbered document."""
    parsed = parse_text("值班规定\n1. 每晚一人值班。\n值班人员须留守到二十二点。")
    assert parsed.shape == "prose" and labels(parsed) == ["第1段", "第2段"]


def test_prose_paragraphs_become_clauses():
    parsed = parse_text(PROSE)
    assert parsed.shape == "prose" and parsed.title == "客服回访须知"
    assert labels(parsed) == ["第1段", "第2段", "第3段"]
    assert [a.text for a in parsed.articles] == [
        "客服人员每周回访一次成交客户。",
        "回访时不得索要好评，\n也不得承诺额外赠品。",
        "回访记录当天录入系统。",
    ]
    assert [a.line for a in parsed.articles] == [3, 4, 7]


def test_prose_bullets_and_markdown_headings():
    text = (
        "# 样品管理规定\n\n## 领用\n\n样品领用须登记：\n\n- 领用人；\n- 归还日期。\n\n## 归还\n\n样品用后七日内归还。\n"
    )
    parsed = parse_bytes(text.encode(), "samples.md")
    assert parsed.shape == "prose"
    assert [(a.title, a.text, [i.text for i in a.items]) for a in parsed.articles] == [
        ("领用", "样品领用须登记：", ["领用人；", "归还日期。"]),
        ("归还", "样品用后七日内归还。", []),
    ]


def test_prose_without_a_regulation_title_is_still_refused():
    with pytest.raises(ParseError) as exc:
        parse_text("今天天气很好。\n我们去公园散步。")
    assert exc.value.line == 1 and "no articles" in str(exc.value)


def test_documents_of_every_shape_in_one_file():
    docs = parse_documents(SMALL + "\n" + DECIMAL + "\n" + PROSE)
    assert [(d.title, d.shape, len(d.articles)) for d in docs] == [
        ("测试管理制度", "articles", 4),
        ("门店导购守则", "decimal", 5),
        ("客服回访须知", "prose", 3),
    ]
    assert all(a.label == "" for a in docs[0].articles)
    assert parse_text(SMALL + "\n" + PROSE, document=2).shape == "prose"


# --- mixed shapes -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, line, section",
    [
        # sections first, then articles: the first article is where the document stops being one shape
        ("仓库管理制度\n1. 总则\n为了管好仓库。\n2. 入库\n第一条 货到即验。\n第二条 验后入账。", 5, "line 2"),
        # articles of a decimal document (a 第X条 at a line start) after its sections
        ("仓库管理制度\n1. 总则\n2. 入库\n货到即验。\n第三条 验后入账。", 5, "line 2"),
    ],
)
def test_mixed_shapes_name_the_line(text, line, section):
    with pytest.raises(ParseError) as exc:
        parse_text(text)
    assert exc.value.line == line
    message = str(exc.value)
    assert message.startswith(f"line {line}: ") and "mixes" in message and section in message


def test_numbered_list_inside_an_article_is_not_mixed():
    parsed = parse_text("仓库管理制度\n第一条 出库须核对：\n1. 单号\n2. 数量\n第二条 每月盘点。")
    assert parsed.shape == "articles" and [i.text for i in parsed.articles[0].items] == ["单号", "数量"]


# --- stored: citations, keys, resolution --------------------------------------------------------------------------


@pytest.mark.django_db
def test_decimal_import_cites_sections_and_points():
    version = make_version(text=DECIMAL, code="guide")
    assert version.shape == Shape.DECIMAL
    articles = list(version.articles.order_by("order"))
    assert [a.section_label for a in articles] == ["1", "2", "2.1", "2.2", "3"]
    dress = articles[2]
    assert (dress.label, dress.citation, dress.key) == ("2.1", "《门店导购守则》2.1", "guide#3")
    item = dress.items.get(number=2)
    assert (item.item_label, item.citation, item.key) == ("第2点", "《门店导购守则》2.1 第2点", "guide#3.2")
    resolved = selectors.article_resolve("guide#3.2")
    assert resolved is not None and resolved.citation == "《门店导购守则》2.1 第2点"
    assert selectors.article_resolve("guide#4").citation == "《门店导购守则》2.2"


@pytest.mark.django_db
def test_prose_import_cites_paragraphs():
    version = make_version(text=PROSE, code="callback")
    assert version.shape == Shape.PROSE
    assert selectors.article_resolve("callback#2").citation == "《客服回访须知》第2段"


@pytest.mark.django_db
def test_article_documents_keep_their_citations():
    version = make_version(code="small")
    assert version.shape == Shape.ARTICLES
    assert selectors.article_resolve("small#3.1").citation == "《测试管理制度》第三条第（一）项"
    assert selectors.article_resolve("small#4").citation == "《测试管理制度》第四条"


# --- where the shape is reported ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_cli_dry_run_reports_the_shape(tmp_path: Path):
    path = tmp_path / "guide.txt"
    path.write_text(DECIMAL, encoding="utf-8")
    out = io.StringIO()
    call_command("policy", "import", str(path), "--dry-run", "--format", "json", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert json.loads(lines[-1])["shape"] == "decimal"
    assert "shape: decimal — numbered sections (1., 4.1)" in lines
    assert "  (no chapter): 1–3, 4 items" in lines
    assert PolicyVersion.objects.count() == 0


@pytest.mark.django_db
def test_import_page_names_the_shape_in_chinese(actors, login):
    client = login(actors.manager)
    resp = client.post("/policies/import/", {"file": SimpleUploadedFile("p.txt", PROSE.encode())})
    html = resp.content.decode()
    assert resp.status_code == 200 and resp.context["parsed"].shape == "prose"
    assert "识别为：无编号段落" in html and "第1段" in html


@pytest.mark.django_db
def test_api_dry_run_reports_the_shape(actors, login):
    client = login(actors.manager)
    upload = SimpleUploadedFile("guide.txt", DECIMAL.encode())
    body = client.post("/api/policies/import", {"file": upload, "dry_run": "true"}).json()
    assert (body["shape"], body["articles"], body["items"]) == ("decimal", 5, 4)
    assert [a["label"] for a in body["outline"][0]["articles"]] == ["1", "2", "2.1", "2.2", "3"]


@pytest.mark.django_db
def test_version_page_shows_section_labels_and_citations(actors, login):
    version = make_version(text=DECIMAL, code="guide")
    html = login(actors.director).get(f"/policies/versions/{version.pk}/").content.decode()
    assert '<a href="#art-3">2.1</a> 【仪容仪表】' in html
    assert "《门店导购守则》2.1 第2点" in html and "guide#3.2" in html
    assert "第三条" not in html
