"""Group name and '部门+姓名' nickname matching: placeholders, separators, full-width input, department labels."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from zhidu.groups.models import DEFAULT_CUSTOMER_NAME_TEMPLATE, DEFAULT_NAME_TEMPLATE, DEFAULT_SEPARATORS
from zhidu.groups.naming import DepartmentInfo, department_labels, follows, render

DEPTS = {
    1: DepartmentInfo(1, "示例科技", None),
    2: DepartmentInfo(2, "销售中心", 1),
    3: DepartmentInfo(3, "销售一部", 2),
    4: DepartmentInfo(4, "销售一部A组", 3),
}
LABELS = department_labels(4, DEPTS)
NICK = "{部门}{姓名}"


def nick_ok(text: str, name: str = "张伟") -> bool:
    return follows(text, NICK, labels=LABELS, name=name, separators=DEFAULT_SEPARATORS)


def test_labels_are_own_name_short_name_and_ancestors_below_the_company():  # type: ignore[no-untyped-def]
    assert LABELS == ["销售一部A组", "A组", "销售一部", "销售中心"]
    assert department_labels(1, DEPTS) == ["示例科技"]  # a member of the top department uses its name
    assert department_labels(99, DEPTS) == []


def test_nickname_forms():  # type: ignore[no-untyped-def]
    for good in ["销售一部A组张伟", "A组张伟", "销售一部-张伟", "销售中心_张伟", "A组·张伟", "A组/张伟", "A组 张伟"]:
        assert nick_ok(good), good
    bad_forms = ["张伟", "销售一部A组", "示例科技张伟", "销售二部张伟", "销售一部张伟🌟", "张伟-销售一部"]
    bad_forms += ["销售一部张三", ""]
    for bad in bad_forms:
        assert not nick_ok(bad), bad


def test_full_width_and_middle_dot_variants():  # type: ignore[no-untyped-def]
    assert nick_ok("Ａ组－张伟")  # full-width letter and hyphen
    assert nick_ok("销售一部　张伟")  # ideographic space
    assert nick_ok("销售一部・张伟") and nick_ok("销售一部•张伟")
    assert nick_ok("  a组张伟  ")  # case and surrounding spaces


def test_separators_are_the_conventions_choice():  # type: ignore[no-untyped-def]
    assert not follows("销售一部-张伟", NICK, labels=LABELS, name="张伟", separators="")
    assert follows("销售一部+张伟", NICK, labels=LABELS, name="张伟", separators="+")


def test_group_name_templates():  # type: ignore[no-untyped-def]
    def name_ok(text: str, template: str) -> bool:
        return follows(text, template, labels=LABELS, separators=DEFAULT_SEPARATORS)

    assert name_ok("销售一部A组群", DEFAULT_NAME_TEMPLATE) and name_ok("销售一部-群", DEFAULT_NAME_TEMPLATE)
    assert not name_ok("销售一部A组-华为-服务群", DEFAULT_NAME_TEMPLATE)
    assert name_ok("销售一部A组-华为-服务群", DEFAULT_CUSTOMER_NAME_TEMPLATE)
    assert name_ok("A组VIP群", DEFAULT_CUSTOMER_NAME_TEMPLATE)
    for bad in ["新建群聊", "福利群", "666", "内部群", "华为-销售一部群"]:
        assert not name_ok(bad, DEFAULT_CUSTOMER_NAME_TEMPLATE), bad
    assert name_ok("销售一部周会", "{部门}{*}") and not name_ok("销售一部周会", "{部门}群")


def test_render_fills_the_department_and_name():  # type: ignore[no-untyped-def]
    assert render(NICK, department="销售一部A组", name="张伟") == "销售一部A组张伟"
    assert render(DEFAULT_CUSTOMER_NAME_TEMPLATE, department="销售一部") == "销售一部…群"


SEPS = st.text(alphabet=[*DEFAULT_SEPARATORS, "－", "＿", "／", "\u3000", "・"], max_size=3)
NAMES = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=1, max_size=4)


@given(label=st.sampled_from(LABELS), sep=SEPS, name=NAMES)
def test_any_label_any_separators_follows(label, sep, name):  # type: ignore[no-untyped-def]
    assert nick_ok(f"{label}{sep}{name}", name=name)


@given(label=st.sampled_from(LABELS), name=NAMES, junk=st.sampled_from(["🌟", "~", "(销售)", "x", "0"]))
def test_extra_text_breaks_the_convention(label, name, junk):  # type: ignore[no-untyped-def]
    assert not nick_ok(f"{label}{name}{junk}", name=name)
    assert not nick_ok(f"{junk}{label}{name}", name=name) or unicodedata.normalize("NFKC", junk).strip() == ""


@given(name=NAMES, other=NAMES)
def test_someone_elses_name_breaks_it(name, other):  # type: ignore[no-untyped-def]
    if unicodedata.normalize("NFKC", name) != unicodedata.normalize("NFKC", other):
        assert not nick_ok(f"销售一部{other}", name=name)


@given(text=st.text(max_size=20))
def test_arbitrary_text_never_raises(text):  # type: ignore[no-untyped-def]
    follows(text, NICK, labels=LABELS, name=text, separators=DEFAULT_SEPARATORS)
    follows(text, text, labels=[text], name=text, separators=text[:5])
