"""Citation strings and `article_resolve` (the contract other apps rely on)."""

from __future__ import annotations

import pytest

from zhidu.policies import services
from zhidu.policies.models import VersionStatus
from zhidu.policies.selectors import article_resolve, citation_for, parse_key
from zhidu.policies.tests.factories import SMALL, make_version

pytestmark = pytest.mark.django_db

# Every key the compliance rules use (see the shared interfaces) and the citation it must produce.
DEMO_KEYS = {
    "sales-conduct#17.1": "《销售团队管理制度》第十七条第（一）项",
    "sales-conduct#17.2": "《销售团队管理制度》第十七条第（二）项",
    "sales-conduct#17.3": "《销售团队管理制度》第十七条第（三）项",
    "sales-conduct#18.1": "《销售团队管理制度》第十八条第（一）项",
    "sales-conduct#19": "《销售团队管理制度》第十九条",
    "sales-conduct#20": "《销售团队管理制度》第二十条",
    "sales-conduct#15": "《销售团队管理制度》第十五条",
    "sales-conduct#14": "《销售团队管理制度》第十四条",
    "sales-conduct#21": "《销售团队管理制度》第二十一条",
    "sales-conduct#22.1": "《销售团队管理制度》第二十二条第（一）项",
    "sales-conduct#22.2": "《销售团队管理制度》第二十二条第（二）项",
    "sales-conduct#22.3": "《销售团队管理制度》第二十二条第（三）项",
    "sales-conduct#23.1": "《销售团队管理制度》第二十三条第（一）项",
    "sales-conduct#23.2": "《销售团队管理制度》第二十三条第（二）项",
    "sales-conduct#23.3": "《销售团队管理制度》第二十三条第（三）项",
    "sales-conduct#23.4": "《销售团队管理制度》第二十三条第（四）项",
    "sales-conduct#23.5": "《销售团队管理制度》第二十三条第（五）项",
    "sales-conduct#23.6": "《销售团队管理制度》第二十三条第（六）项",
    "sales-conduct#23.7": "《销售团队管理制度》第二十三条第（七）项",
    "sales-conduct#23.8": "《销售团队管理制度》第二十三条第（八）项",
    "sales-conduct#7.4": "《销售团队管理制度》第七条第（四）项",
    "sales-conduct#29": "《销售团队管理制度》第二十九条",
}


def test_every_rule_key_resolves_on_the_demo_regulation(db):
    services.policy_load_demo()
    for key, citation in DEMO_KEYS.items():
        found = article_resolve(key)
        assert found is not None, key
        assert found.citation == citation
        assert found.key == key
        assert citation_for(key) == citation


def test_every_default_rule_cites_an_article_of_the_demo_regulation(db):
    from zhidu.compliance.engine import default_rules
    from zhidu.compliance.services.rules import CATEGORY_ARTICLE

    services.policy_load_demo()
    for rule in default_rules():
        assert rule.article, rule.code
        assert article_resolve(rule.article) is not None, (rule.code, rule.article)
    for category, key in CATEGORY_ARTICLE.items():
        assert article_resolve(key) is not None, (category, key)
    assert "施行" in article_resolve("sales-conduct#29").text


def test_resolved_objects(db):
    services.policy_load_demo()
    item = article_resolve("sales-conduct#17.1")
    assert item.item is item and item.article.number == 17 and "绝对化用语" in item.text
    article = article_resolve("sales-conduct#19")
    assert article.article is article and article.item is None and "成本价" in article.text
    assert article.version.status == VersionStatus.PUBLISHED


@pytest.mark.parametrize(
    "key",
    [
        "sales-conduct#99",
        "sales-conduct#19.1",
        "sales-conduct#17.9",
        "nope#1",
        "",
        "sales-conduct",
        "#17",
        "sales-conduct#十七",
        "Sales-Conduct#17",
    ],
)
def test_unknown_keys_resolve_to_none(db, key):
    services.policy_load_demo()
    assert article_resolve(key) is None
    assert citation_for(key) is None


def test_parse_key():
    assert parse_key("sales-conduct#17.1") == ("sales-conduct", 17, 1)
    assert parse_key(" sales-conduct#19 ") == ("sales-conduct", 19, None)
    assert parse_key("sales-conduct#x") is None


def test_resolution_prefers_the_published_version(db):
    make_version(status=VersionStatus.PUBLISHED)
    changed = SMALL.replace("第四条 违反第三条的，依照公司规定处理。", "第四条 违反第三条的，给予罚款。")
    make_version(text=changed, status=VersionStatus.DRAFT)
    article = article_resolve("test-rules#4")
    assert article.version.number == 1 and "公司规定" in article.text


def test_resolution_falls_back_to_the_latest_version(db):
    make_version(status=VersionStatus.DRAFT)
    make_version(text=SMALL.replace("依照公司规定处理", "给予警告"), status=VersionStatus.DISCUSSION)
    article = article_resolve("test-rules#4")
    assert article.version.number == 2 and "给予警告" in article.text
    assert article.citation == "《测试管理制度》第四条"


def test_arabic_items_cite_with_arabic_numbers(db):
    text = (
        "数字制度\n第一条 要求：\n1. 甲；\n2. 乙。\n第二条 要求：\n（1）丙；\n（2）丁。\n第三条：小节\n3.1 戊\n3.2 己"
    )
    make_version(text=text, code="digits")
    assert citation_for("digits#1.2") == "《数字制度》第一条第2项"
    assert citation_for("digits#2.1") == "《数字制度》第二条第1项"
    assert citation_for("digits#3.2") == "《数字制度》第三条第2项"


def test_citation_follows_the_title_of_the_version_in_force(db):
    make_version(status=VersionStatus.PUBLISHED)
    make_version(text=SMALL.replace("测试管理制度", "测试团队管理制度"), status=VersionStatus.PUBLISHED)
    assert citation_for("test-rules#3.2") == "《测试团队管理制度》第三条第（二）项"


def test_clause_resolve_finds_articles_and_items_by_label() -> None:
    version = services.policy_load_demo()
    from zhidu.policies.selectors import clause_label, clause_resolve, version_clauses

    article = clause_resolve(version, "第十九条")
    assert article is not None and article.citation == "《销售团队管理制度》第十九条"
    item = clause_resolve(version, "第十七条第(一)项")  # ASCII parentheses and spaces do not matter
    assert item is not None and item.citation == "《销售团队管理制度》第十七条第（一）项"
    assert clause_resolve(version, "第九十九条") is None
    assert clause_resolve(version, "  ") is None
    labels = [clause_label(c) for c in version_clauses(version)]
    assert len(labels) == len(set(labels))  # every clause has its own label
    assert all(clause_resolve(version, label) is not None for label in labels[:5])


def test_clause_resolve_in_numbered_and_prose_regulations() -> None:
    from zhidu.policies.parser import parse_text
    from zhidu.policies.selectors import clause_resolve

    text = (
        "企业微信销售管理办法\n\n1. 总则\n本办法适用于全体销售。\n\n2. 职责\n2.1 销售经理\n负责团队目标。\n\n"
        "3. 客户\n3.1 客户开发\n- 主动添加客户\n- 记录客户需求\n3.2 跟进\n按时回访。\n"
    )
    parsed = parse_text(text, fmt="text")
    version = services.policy_import(actor=None, parsed=parsed, source=text, source_name="x.txt", code="numbered")
    item = clause_resolve(version, "3.1 第2点")
    assert item is not None and "记录客户需求" in item.text
    assert clause_resolve(version, "3.1第2点") == item
    assert clause_resolve(version, "3.1 第3点") is None
