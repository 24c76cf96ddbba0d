"""The Simplified Chinese catalogue is complete, compiled, and used by default; English is one switch away."""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from zhidu.web.context import NAV

LC_MESSAGES = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES"
PO = LC_MESSAGES / "django.po"
MO = LC_MESSAGES / "django.mo"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")


@dataclass
class Entry:
    flags: set[str] = field(default_factory=set)
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def msgid(self) -> str:
        return self.fields["msgid"]

    @property
    def translations(self) -> list[str]:
        return [v for k, v in sorted(self.fields.items()) if k.startswith("msgstr")]


def read_po(path: Path) -> list[Entry]:
    """A minimal .po reader: flags, msgctxt, msgid, msgid_plural, msgstr and msgstr[n], continuation lines."""
    entries: list[Entry] = []
    current: Entry | None = None
    last: str | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            current, last = None, None
            continue
        if current is None:
            current = Entry()
            entries.append(current)
        if line.startswith("#,"):
            current.flags |= {f.strip() for f in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            assert last is not None, line
            current.fields[last] += ast.literal_eval(line)
        else:
            keyword, _, value = line.partition(" ")
            current.fields[keyword] = ast.literal_eval(value)
            last = keyword
    return entries


def messages() -> list[Entry]:
    return [e for e in read_po(PO) if e.msgid]


def test_catalogue_is_complete_and_reviewed():
    entries = messages()
    assert len(entries) > 300
    untranslated = [e.msgid for e in entries if not all(e.translations)]
    fuzzy = [e.msgid for e in read_po(PO) if "fuzzy" in e.flags]
    assert untranslated == [] and fuzzy == []
    header = read_po(PO)[0]
    assert header.msgid == "" and "Language: zh_Hans" in header.fields["msgstr"]
    assert "Plural-Forms: nplurals=1; plural=0;" in header.fields["msgstr"]


def test_translations_keep_placeholders():
    for e in messages():
        expected = sorted(PLACEHOLDER.findall(e.fields.get("msgid_plural", e.msgid)))
        for text in e.translations:
            assert sorted(PLACEHOLDER.findall(text)) == expected, (e.msgid, text)


def test_compiled_catalogue_matches_the_po():
    """django.mo holds exactly what django.po says (run `make messages` after editing the .po)."""
    with MO.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)._catalog  # type: ignore[attr-defined]
    expected: dict[object, str] = {}
    for e in messages():
        msgid = e.msgid if "msgctxt" not in e.fields else f"{e.fields['msgctxt']}\x04{e.msgid}"
        if "msgid_plural" in e.fields:
            for key, value in e.fields.items():
                if key.startswith("msgstr["):
                    expected[(msgid, int(key[7:-1]))] = value
        else:
            expected[msgid] = e.fields["msgstr"]
    assert {k: v for k, v in compiled.items() if k != ""} == expected


def test_every_navigation_label_speaks_chinese():
    with translation.override("zh-hans"):
        labels = {str(label) for _, label, *_ in NAV}
    with translation.override("en"):
        english = {str(label) for _, label, *_ in NAV}
    assert "组织架构" in labels and "Organisation" in english
    assert labels.isdisjoint(english)


@pytest.mark.django_db
def test_pages_are_chinese_by_default_and_english_after_switching(actors, login):
    client = login(actors.director)
    html = client.get("/").content.decode()
    assert 'lang="zh-hans"' in html and "组织架构" in html and "销售总监" in html
    assert "Organisation" not in html

    resp = client.post("/i18n/setlang/", {"language": "en", "next": "/org/"}, follow=True)
    html = resp.content.decode()
    assert resp.status_code == 200 and 'lang="en"' in html
    assert "Organisation" in html and "Sales director" in html and "组织架构" not in html

    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "组织架构" in client.get("/org/").content.decode()
