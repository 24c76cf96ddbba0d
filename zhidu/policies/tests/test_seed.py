"""The parser on every customer regulation in ../shared/seed/ (domain input we do not ship).

Each seed file holds several documents copied from web pages. `parse_documents` splits a file into its
documents; the expected article counts below were made by reading the files line by line (documents that are
prose or numbered sections without any 第X条 count 0). Locate the folder with ZHIDU_SHARED_DIR (its `seed`
subfolder) or next to the repository (../shared/seed).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from zhidu.policies.parser import parse_bytes, parse_documents, source_text

REPO = Path(__file__).resolve().parents[3]
SEED_DIR = (
    Path(os.environ["ZHIDU_SHARED_DIR"]) / "seed"
    if os.environ.get("ZHIDU_SHARED_DIR")
    else REPO.parent / "shared" / "seed"
)

# file name → [(document title, articles, items), ...] in file order
EXPECTED: dict[str, list[tuple[str, int, int]]] = {
    "000_c3740d2dc98768a6.txt": [
        ("线上团队规章制度范本简单", 25, 0),  # lines 1–28, six chapters, headings run inline after the title
        ("公司员工微商管理制度", 0, 0),  # lines 29–48, prose without articles
        ("企业微信销售团队管理制度", 13, 11),  # lines 49–71, 第十一–十三条 with (一)… items
        ("线上销售规章制度范本简单", 15, 7),  # lines 72–88, 第七条 with inline "1. …;2. …" items
        ("销售微信群的规章制度", 6, 18),  # lines 89–110, no chapters, "第一条:heading1.1 …" sub-numbered items
        ("企业微信部门管理制度范本", 15, 12),  # lines 111–127, inline (一)…(五) items
        ("微信销售部门管理制度", 18, 0),  # lines 128–147
        ("公司微信管理制度销售", 22, 0),  # lines 148–174 (ends with three lines of download-site boilerplate)
        ("企业微信销售团队管理制度", 0, 0),  # lines 175–211, "1. 引言"-style sections, no articles
    ],
}


def seed_files() -> list[Path]:
    if not SEED_DIR.is_dir():
        return []
    return sorted(
        p
        for p in SEED_DIR.iterdir()
        if p.suffix.lower() in (".txt", ".md", ".docx") and p.stem.upper() != "README"  # README describes the folder
    )


def documents(path: Path):
    text, fmt = source_text(path.read_bytes(), path.name)
    return parse_documents(text, fmt=fmt)


@pytest.fixture(scope="module")
def files() -> list[Path]:
    found = seed_files()
    if not found:
        pytest.skip(f"no seed regulations at {SEED_DIR} (set ZHIDU_SHARED_DIR to the shared folder)")
    return found


def test_every_seed_file_has_expected_counts(files):
    for path in files:
        docs = documents(path)
        found = [(d.title, len(d.articles), d.item_count) for d in docs]
        assert path.name in EXPECTED, f"new seed file {path.name}: read it and add its counts; parser found {found}"
        assert found == EXPECTED[path.name], path.name


def test_seed_documents_are_numbered_without_gaps(files):
    for path in files:
        for doc in documents(path):
            assert [a.number for a in doc.articles] == list(range(1, len(doc.articles) + 1)), (path.name, doc.title)
            assert not [w for w in doc.warnings if "jumps" in w], doc.warnings


def test_seed_import_picks_each_document(files):
    """What `zhidu policy import FILE --document N` sees: document N, or the first with articles by default."""
    for path in files:
        data = path.read_bytes()
        expected = EXPECTED.get(path.name, [])
        first = parse_bytes(data, path.name)
        assert len(first.articles) == next(n for _t, n, _i in expected if n)
        for index, (title, articles, _items) in enumerate(expected, 1):
            if articles:
                doc = parse_bytes(data, path.name, document=index)
                assert (doc.title, len(doc.articles)) == (title, articles)


def test_seed_details(files):
    """Spot checks of the hardest shapes in the first seed file."""
    path = SEED_DIR / "000_c3740d2dc98768a6.txt"
    if not path.exists():
        pytest.skip("the reference seed file is not there")
    docs = parse_documents(path.read_text(encoding="utf-8"))
    first = docs[0]
    assert [(c.number, c.title) for c in first.chapters][:2] == [(1, "总则"), (2, "团队构成")]
    assert [a.number for a in first.articles if a.chapter == 2] == [6, 7, 8, 9, 10]
    group_rules = docs[4]
    assert [a.title for a in group_rules.articles] == [
        "群名称及宗旨",
        "群规管理",
        "言行规范",
        "管理措施",
        "群内交流",
        "其他规定",
    ]
    assert [i.label for i in group_rules.articles[2].items] == ["3.1", "3.2", "3.3", "3.4", "3.5"]
    online = docs[3].articles[6]
    assert online.text.endswith("必须遵循以下行为规范:") and len(online.items) == 7
    sanctions = docs[5].articles[14]
    assert [i.text.split(":")[0] for i in sanctions.items] == ["警告", "罚款", "停职", "辞退"]
