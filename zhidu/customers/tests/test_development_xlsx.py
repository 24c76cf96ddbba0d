"""Excel: the customer list out (scope only), follow-ups in (every row checked first, errors by row in Chinese,
nothing written on any error)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from zhidu.customers.models import FollowUp
from zhidu.customers.tests.factories import FollowFactory

HEADERS = ["外部联系人ID", "负责人账号", "类型", "时间", "跟进摘要", "结果", "下一步"]


def xlsx(rows: list[list[object]], headers: list[str] = HEADERS) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "followups.xlsx"
    return out


@pytest.fixture
def follows(actors):  # type: ignore[no-untyped-def]
    now = timezone.now()
    return {
        "mine": FollowFactory(member=actors.sales, customer__name="=HYPERLINK(1)", createtime=now),
        "theirs": FollowFactory(member=actors.sales_b, customer__name="别组客户", createtime=now),
    }


def upload(client, data):  # type: ignore[no-untyped-def]
    return client.post("/api/customers/followups/import", {"file": data})


def test_import_writes_every_row(actors, follows, login):  # type: ignore[no-untyped-def]
    ext, uid = follows["mine"].customer.external_userid, actors.sales.wecom_userid
    data = xlsx(
        [
            [ext, uid, "电话", "2026-01-03 10:30", "电话确认预算", "有意向", "发方案"],
            [ext, uid, "visit", dt.datetime(2026, 1, 4, 15, 0), "上门拜访", "", ""],
        ]
    )
    r = upload(login(actors.sales), data)
    assert r.status_code == 200 and r.json() == {"created": 2}
    rows = list(FollowUp.objects.order_by("happened_at").values_list("kind", "summary", "author_id"))
    assert rows == [("phone", "电话确认预算", actors.sales.pk), ("visit", "上门拜访", actors.sales.pk)]
    assert FollowUp.objects.order_by("happened_at").first().happened_at == dt.datetime(2026, 1, 3, 2, 30, tzinfo=dt.UTC)


def test_bad_rows_are_all_reported_and_nothing_is_written(actors, follows, login):  # type: ignore[no-untyped-def]
    mine, theirs = follows["mine"], follows["theirs"]
    uid = actors.sales.wecom_userid
    data = xlsx(
        [
            [mine.customer.external_userid, uid, "电话", "2026-01-03 10:30", "好的一行", "", ""],
            [theirs.customer.external_userid, actors.sales_b.wecom_userid, "电话", "2026-01-03", "别人的客户", "", ""],
            [mine.customer.external_userid, uid, "传真", "2026-01-03", "类型不对", "", ""],
            [mine.customer.external_userid, uid, "电话", "昨天", "时间不对", "", ""],
            [mine.customer.external_userid, uid, "电话", "2026-01-03", "", "", ""],
        ]
    )
    r = upload(login(actors.sales), data)
    assert r.status_code == 400
    detail = r.json()["detail"]
    lines = detail.splitlines()
    assert [line.split("：")[0] for line in lines] == ["第 3 行", "第 4 行", "第 5 行", "第 6 行"]
    assert "类型" in lines[1] and "时间" in lines[2] and "跟进摘要" in lines[3]
    assert not FollowUp.objects.exists()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"not a spreadsheet", "不是 Excel"),
        (None, "第一行"),
        (b"", "不是 Excel"),
    ],
)
def test_bad_files(actors, follows, login, content, message):  # type: ignore[no-untyped-def]
    if content is None:
        data = xlsx([["a", "b"]], headers=["客户", "金额"])
    else:
        data = io.BytesIO(content)
        data.name = "x.xlsx"
    r = upload(login(actors.sales), data)
    assert r.status_code == 400 and message in r.json()["detail"], r.json()
    assert not FollowUp.objects.exists()


def test_too_many_rows(actors, follows, login, settings):  # type: ignore[no-untyped-def]
    settings.CUSTOMER_IMPORT_MAX_ROWS = 2
    ext, uid = follows["mine"].customer.external_userid, actors.sales.wecom_userid
    r = upload(login(actors.sales), xlsx([[ext, uid, "电话", "2026-01-03", "x", "", ""]] * 3))
    assert r.status_code == 400 and "最多 2" in r.json()["detail"]
    assert not FollowUp.objects.exists()


def test_import_page_shows_row_errors(actors, follows, login):  # type: ignore[no-untyped-def]
    data = xlsx(
        [[follows["mine"].customer.external_userid, actors.sales.wecom_userid, "传真", "2026-01-03", "x", "", ""]]
    )
    r = login(actors.sales).post(reverse("customers:import"), {"file": data})
    assert r.status_code == 200 and "第 2 行" in r.content.decode()
    assert login(actors.compliance).get(reverse("customers:import")).status_code == 403


@pytest.mark.parametrize(
    "actor_name, expected", [("sales", {"=HYPERLINK(1)"}), ("manager", {"=HYPERLINK(1)", "别组客户"})]
)
def test_export_within_scope(actors, follows, login, actor_name, expected):  # type: ignore[no-untyped-def]
    for url in (reverse("customers:export"), "/api/customers/follows/export"):
        r = login(actors.by_name(actor_name)).get(url)
        assert r.status_code == 200
        ws = load_workbook(io.BytesIO(r.content)).active
        rows = list(ws.iter_rows(values_only=True))
        assert rows[0][0] == "客户"
        # formula injection is neutralised; names round-trip through xlsx_uncell
        assert {str(row[0]).removeprefix("'") for row in rows[1:]} == expected
        assert all(not str(row[0]).startswith("=") for row in rows[1:])
