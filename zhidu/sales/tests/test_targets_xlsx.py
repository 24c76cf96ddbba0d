"""Excel export and import of a period's tree: round trip, and bad files refused by row with nothing written."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation
from openpyxl import Workbook, load_workbook

from zhidu.core.errors import DomainError
from zhidu.core.models import AuditEvent
from zhidu.sales.models import TargetNode, TargetTree
from zhidu.sales.services.targets_xlsx import tree_export_xlsx, tree_import_xlsx
from zhidu.sales.targets_selectors import tree_view, tree_view_for

from .targets_helpers import MONTH, TODAY, make_order, standard_tree

pytestmark = pytest.mark.django_db


def _book(rows: list[list[Any]], header: list[str] | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(header or ["member", "name", "parent", "target"])
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _nodes() -> set[tuple[str, str | None, Decimal]]:
    return {
        (n.owner.wecom_userid, n.parent.owner.wecom_userid if n.parent else None, n.amount)
        for n in TargetNode.objects.select_related("owner", "parent__owner")
    }


def _import(actors, content: bytes, **kw):  # type: ignore[no-untyped-def]
    return tree_import_xlsx(
        actor=kw.get("actor", actors.director), period="month", start=MONTH, metric="revenue", content=content
    )


def test_export_then_import_gives_the_same_tree(actors):  # type: ignore[no-untyped-def]
    nodes = standard_tree(actors)
    make_order({actors.sales: 100}, "42.00")
    with translation.override("zh-hans"):
        content = tree_export_xlsx(tree_view(nodes["director"].tree, today=TODAY))
    ws = load_workbook(io.BytesIO(content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("成员", "姓名", "直属上级", "目标", "已达成")
    assert rows[1][0] == actors.director.wecom_userid and rows[1][2] in (None, "")
    by_member = {r[0]: r for r in rows[1:]}
    assert by_member[actors.sales.wecom_userid][4] == 42
    before = _nodes()
    # Change one amount in the file and import it back (Chinese headers are understood).
    wb = load_workbook(io.BytesIO(content))
    sheet = wb.active
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == actors.sales.wecom_userid:
            row[3].value = 150
    out = io.BytesIO()
    wb.save(out)
    ids_before = set(TargetNode.objects.values_list("pk", flat=True))
    _import(actors, out.getvalue())
    after = _nodes()
    assert after - before == {(actors.sales.wecom_userid, actors.manager.wecom_userid, Decimal("150.00"))}
    assert set(TargetNode.objects.values_list("pk", flat=True)) == ids_before  # updated in place
    assert AuditEvent.objects.filter(verb="target.import", actor=actors.director).count() == 1


def test_an_import_creates_a_new_tree_and_moves_members(actors):  # type: ignore[no-untyped-def]
    d, m, s, sb, sa = (actors.director, actors.manager, actors.supervisor, actors.supervisor_b, actors.sales)
    content = _book(
        [
            [d.wecom_userid, d.name, "", 500],
            [m.wecom_userid, m.name, d.wecom_userid, "400.5"],
            [s.wecom_userid, s.name, m.wecom_userid, 200],
            [sa.wecom_userid, sa.name, s.wecom_userid, 200],
            [sb.wecom_userid, sb.name, m.wecom_userid, 100],
        ]
    )
    tree = _import(actors, content)
    assert tree.start == MONTH and TargetTree.objects.count() == 1
    assert (sa.wecom_userid, s.wecom_userid, Decimal("200.00")) in _nodes()
    view = tree_view(tree, today=TODAY)
    assert {v.owner.name: v.gap for v in view.gaps} == {d.name: Decimal("99.50"), m.name: Decimal("100.50")}
    # Second file: the salesperson moves directly under the manager, supervisor_b is dropped.
    tree = _import(
        actors,
        _book(
            [
                [d.wecom_userid, "", "", 500],
                [m.wecom_userid, "", d.wecom_userid, 500],
                [s.wecom_userid, "", m.wecom_userid, 300],
                [sa.wecom_userid, "", m.wecom_userid, 200],
            ]
        ),
    )
    assert _nodes() == {
        (d.wecom_userid, None, Decimal("500.00")),
        (m.wecom_userid, d.wecom_userid, Decimal("500.00")),
        (s.wecom_userid, m.wecom_userid, Decimal("300.00")),
        (sa.wecom_userid, m.wecom_userid, Decimal("200.00")),
    }


def _bad_rows(actors) -> dict[str, tuple[list[list[Any]], str]]:  # type: ignore[no-untyped-def]
    d, m, s, sa, sb, out = (
        actors.director,
        actors.manager,
        actors.supervisor,
        actors.sales,
        actors.sales_b,
        actors.outsider,
    )
    root = [d.wecom_userid, "", "", 100]
    return {
        "unknown member": ([root, ["nobody", "", d.wecom_userid, 1]], "第 3 行：未知成员 'nobody'"),
        "text target": ([root, [m.wecom_userid, "", d.wecom_userid, "一百"]], "第 3 行：目标 '一百' 不是数字"),
        "negative": ([root, [m.wecom_userid, "", d.wecom_userid, -5]], "第 3 行：目标必须在 0 到"),
        "missing parent": ([root, [m.wecom_userid, "", "ghost", 5]], "第 3 行：上级 'ghost' 不是本文件中列出的成员"),
        "twice": (
            [root, [m.wecom_userid, "", d.wecom_userid, 5], [m.wecom_userid, "", d.wecom_userid, 5]],
            f"第 4 行：成员 '{m.wecom_userid}' 已出现在第 3 行",
        ),
        "two roots": ([root, [m.wecom_userid, "", "", 5]], "第 3 行：只能有一行没有上级"),
        "root not director": ([[m.wecom_userid, "", "", 5]], "第 2 行：不填上级的行必须是销售总监"),
        "cycle": (
            [root, [s.wecom_userid, "", sa.wecom_userid, 5], [sa.wecom_userid, "", s.wecom_userid, 5]],
            "上级链条循环回到了",
        ),
        "out of scope": (
            [root, [m.wecom_userid, "", d.wecom_userid, 5], [out.wecom_userid, "", m.wecom_userid, 5]],
            f"第 4 行：{out.name} 不在 {m.name} 的团队中",
        ),
        "supervisor's scope": (
            [
                root,
                [m.wecom_userid, "", d.wecom_userid, 5],
                [s.wecom_userid, "", m.wecom_userid, 5],
                [sb.wecom_userid, "", s.wecom_userid, 5],
            ],
            f"第 5 行：{sb.name} 不在 {s.name} 的团队中",
        ),
        "compliance": ([root, [actors.compliance.wecom_userid, "", d.wecom_userid, 5]], "不是销售岗位"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "unknown member",
        "text target",
        "negative",
        "missing parent",
        "twice",
        "two roots",
        "root not director",
        "cycle",
        "out of scope",
        "supervisor's scope",
        "compliance",
    ],
)
def test_bad_rows_are_named_in_chinese_and_nothing_is_written(actors, case):  # type: ignore[no-untyped-def]
    standard_tree(actors)
    before = _nodes()
    events = AuditEvent.objects.count()
    rows, expected = _bad_rows(actors)[case]
    with pytest.raises(DomainError) as exc:
        _import(actors, _book(rows))
    with translation.override("zh-hans"):
        message = exc.value.message
    assert message.startswith("未导入任何内容") and expected in message, message
    assert _nodes() == before and AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"not a workbook", "不是可读取的 .xlsx 工作簿"),
        (
            _book([["a", "b"]], header=["who", "how much"]),
            "第一行必须包含列：成员, 直属上级, 目标；实际为：who, how much",
        ),
        (_book([]), "文件中没有任何目标"),
    ],
    ids=["not-xlsx", "wrong-columns", "empty"],
)
def test_bad_files_are_refused(actors, content, expected):  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as exc:
        _import(actors, content)
    with translation.override("zh-hans"):
        assert expected in exc.value.message
    assert not TargetTree.objects.exists()


def test_too_many_rows_are_refused(actors, settings):  # type: ignore[no-untyped-def]
    settings.TARGET_IMPORT_MAX_ROWS = 2
    d = actors.director
    rows = [[d.wecom_userid, "", "", 1], ["a", "", d.wecom_userid, 1], ["b", "", d.wecom_userid, 1]]
    with pytest.raises(DomainError) as exc:
        _import(actors, _book(rows))
    assert exc.value.params == {"max": 2}


def test_only_the_director_imports_and_exports_show_only_the_viewers_scope(actors):  # type: ignore[no-untyped-def]
    nodes = standard_tree(actors)
    content = _book([[actors.director.wecom_userid, "", "", 1]])
    with pytest.raises(DomainError) as exc:
        _import(actors, content, actor=actors.manager)
    assert exc.value.code == "forbidden"
    exported = tree_export_xlsx(tree_view_for(actors.supervisor, nodes["director"].tree, today=TODAY))
    rows = list(load_workbook(io.BytesIO(exported)).active.iter_rows(values_only=True))[1:]
    # The supervisor's own node, and the node of their report who holds a target directly under the manager.
    assert {r[0] for r in rows} == {actors.supervisor.wecom_userid, actors.sales.wecom_userid}
