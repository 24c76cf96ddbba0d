"""The pages at work: bounded queries with many records, decisions and appeals through the forms, the policy
form, the Excel export of a period."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from zhidu.discipline.models import AppealStatus, Kind, Sanction, SanctionPolicy, Status
from zhidu.discipline.services import policy_defaults

from .factories import confirm

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(actors, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    policy_defaults()
    out = []
    for i in range(12):
        member = actors.sales if i % 2 else actors.sales_b
        _v, s = confirm(actors, django_capture_on_commit_callbacks, member, loss=str(100 + i))
        assert s is not None
        out.append(s)
    return out


def test_list_and_inbox_queries_do_not_grow_with_rows(actors, login, many, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    c = login(actors.manager)
    with django_assert_max_num_queries(10):
        body = c.get("/discipline/").content.decode()
    assert all(f'data-testid="sanction-{s.pk}"' in body for s in many)
    with django_assert_max_num_queries(14):
        body = c.get("/discipline/inbox/").content.decode()
    assert all(f'data-testid="sanction-{s.pk}"' in body for s in many)
    assert "¥" in body and "罚款" in body  # Chinese on the page


def test_change_then_appeal_then_uphold_through_the_forms(actors, login, many):  # type: ignore[no-untyped-def]
    s = next(x for x in many if x.member_id == actors.sales.pk)
    c = login(actors.supervisor)
    resp = c.post(f"/discipline/{s.pk}/decide/", {"action": "change", "kind": "fine", "amount": "80", "reason": ""})
    assert resp.status_code == 302
    s.refresh_from_db()
    assert s.status == Status.PROPOSED  # no reason: nothing written
    c.post(f"/discipline/{s.pk}/decide/", {"action": "change", "kind": "fine", "amount": "80", "reason": "初犯"})
    s.refresh_from_db()
    assert (s.status, s.amount) == (Status.APPROVED, Decimal("80.00"))
    c = login(actors.sales)
    assert 'data-testid="appeal-send"' in c.get(f"/discipline/{s.pk}/").content.decode()
    c.post(f"/discipline/{s.pk}/appeal/", {"text": "损失已由客户撤回"})
    c = login(actors.manager)
    body = c.get("/discipline/inbox/").content.decode()
    assert f'data-testid="sanction-{s.pk}"' in body
    c.post(f"/discipline/{s.pk}/appeal/decide/", {"outcome": "uphold", "reason": "查无实据"})
    s.refresh_from_db()
    assert (s.status, s.appeal.status) == (Status.REVERSED, AppealStatus.UPHELD)
    body = login(actors.sales).get(f"/discipline/{s.pk}/").content.decode()
    assert "申诉" in body and 'data-testid="appeal-send"' not in body


def test_policy_form_creates_and_edits(actors, login):  # type: ignore[no-untyped-def]
    c = login(actors.compliance)
    c.post("/discipline/policies/", {"action": "defaults"})
    assert SanctionPolicy.objects.count() == 2
    form = {
        "name": "保密条款", "category": "secret", "severity": "", "first_kind": "written_warning",
        "again_kind": "fine", "loss_kind": "fine", "impact_kind": "suspension", "serious_kind": "dismissal",
        "fine_amount": "1000", "serious_loss": "5000", "repeat_threshold": "2", "window_days": "365", "active": "on",
    }  # fmt: skip
    c.post("/discipline/policies/", form)
    p = SanctionPolicy.objects.get(name="保密条款")
    assert (p.category, p.first_kind, p.fine_amount, p.repeat_threshold) == (
        "secret", Kind.WRITTEN_WARNING, Decimal("1000.00"), 2
    )  # fmt: skip
    bad = c.post(f"/discipline/policies/{p.pk}/", form | {"fine_amount": "-5"})
    assert bad.status_code == 200  # the form again, with the error
    p.refresh_from_db()
    assert p.fine_amount == Decimal("1000.00")


def test_export_of_a_period(actors, login, many):  # type: ignore[no-untyped-def]
    resp = login(actors.supervisor).get("/discipline/export/")
    assert resp.status_code == 200
    ws = load_workbook(io.BytesIO(resp.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "成员" or rows[0][0] == "Member"
    names = {r[0] for r in rows[1:]}
    assert names == {actors.sales.name}  # the supervisor's team only
    assert len(rows) - 1 == Sanction.objects.filter(member=actors.sales).count()


def test_appeals_in_the_inbox_do_not_add_queries(actors, login, many, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    from zhidu.discipline.services import appeal_submit, sanction_approve

    mine = [s for s in many if s.member_id == actors.sales.pk and s.kind == Kind.FINE]
    assert len(mine) >= 2
    for s in mine:
        appeal_submit(actor=actors.sales, sanction=sanction_approve(actor=actors.supervisor, sanction=s), text="申诉")
    c = login(actors.manager)
    with django_assert_max_num_queries(14):
        body = c.get("/discipline/inbox/").content.decode()
    section = body[body.index('data-testid="appeals"') :]
    assert all(f'data-testid="sanction-{s.pk}"' in section for s in mine)
    assert 'data-testid="appeals"' in login(actors.supervisor).get("/discipline/inbox/").content.decode()
    sup = login(actors.supervisor).get("/discipline/inbox/").content.decode()
    assert not any(f'data-testid="sanction-{s.pk}"' in sup[sup.index('data-testid="appeals"') :] for s in mine)
