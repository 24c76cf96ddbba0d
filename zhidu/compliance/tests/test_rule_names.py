from django.utils import translation

from zhidu.compliance.engine import default_rules
from zhidu.compliance.rule_names import DEFAULT_RULE_NAMES


def test_catalogue_lists_every_default_rule_name():
    assert sorted(DEFAULT_RULE_NAMES) == sorted(r.name for r in default_rules())


def test_default_rule_names_read_in_chinese():
    with translation.override("zh-hans"):
        for name in DEFAULT_RULE_NAMES:
            translated = translation.gettext(name)
            assert translated != name and any("\u4e00" <= ch <= "\u9fff" for ch in translated), name
