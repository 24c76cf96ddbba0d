"""Brute-force protection: sign-in per account and per address; anonymous applications per address."""

from __future__ import annotations

import json

from django.test import Client, override_settings

from zhidu.org.models import MembershipApplication

from .factories import PASSWORD

LOCKED_ZH = "登录失败次数过多"


def _login(client: Client, username: str, password: str, addr: str = "10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=addr)


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@override_settings(LOGIN_FAILURES_PER_ACCOUNT=5, LOGIN_FAILURES_PER_ADDRESS=1000)
def test_account_locks_and_right_password_is_not_revealed(client, actors):
    for _ in range(5):
        resp = _login(client, "sales", "wrong-password")
        assert resp.status_code == 200 and not _logged_in(client)
        assert LOCKED_ZH not in resp.content.decode()
    wrong = _login(client, "sales", "wrong-password").content.decode()
    right = _login(client, "sales", PASSWORD).content.decode()
    assert not _logged_in(client)
    assert LOCKED_ZH in wrong and LOCKED_ZH in right  # same answer whether or not the password was right
    # from another address too: the lock is on the account
    assert LOCKED_ZH in _login(client, "sales", PASSWORD, addr="10.9.9.9").content.decode()
    # other accounts are unaffected
    other = Client()
    _login(other, "sales_b", PASSWORD)
    assert _logged_in(other)


@override_settings(LOGIN_FAILURES_PER_ACCOUNT=5, LOGIN_LOCKOUT_SECONDS=900)
def test_lock_lifts_after_the_lockout(client, actors, time_machine):
    time_machine.move_to("2026-01-05 09:00:00+08:00", tick=False)
    for _ in range(5):
        _login(client, "sales", "wrong-password")
    assert LOCKED_ZH in _login(client, "sales", PASSWORD).content.decode()
    time_machine.move_to("2026-01-05 09:16:00+08:00", tick=False)
    _login(client, "sales", PASSWORD)
    assert _logged_in(client)


@override_settings(LOGIN_FAILURES_PER_ACCOUNT=1000, LOGIN_FAILURES_PER_ADDRESS=20)
def test_address_locks_across_accounts(client, actors):
    for i in range(20):
        _login(client, f"guess{i}", "wrong-password", addr="10.0.0.7")
    assert LOCKED_ZH in _login(client, "sales", PASSWORD, addr="10.0.0.7").content.decode()
    assert not _logged_in(client)
    _login(client, "sales", PASSWORD, addr="10.0.0.8")
    assert _logged_in(client)


@override_settings(LOGIN_FAILURES_PER_ACCOUNT=3)
def test_admin_login_is_throttled_too(client, actors):
    actors.admin.user.is_staff = True
    actors.admin.user.save(update_fields=["is_staff"])
    for _ in range(3):
        client.post("/admin/login/", {"username": "admin", "password": "nope-nope"})
    resp = client.post("/admin/login/?next=/admin/", {"username": "admin", "password": PASSWORD})
    assert resp.status_code == 200 and not _logged_in(client)
    assert LOCKED_ZH in resp.content.decode()


def _apply(client: Client, n: int, addr: str = "10.1.1.1"):
    return client.post(
        "/api/org/applications",
        data=json.dumps(
            {"name": f"申请{n}", "username": f"app{n}", "password": "long-enough-1", "department_id": 999_999}
        ),
        content_type="application/json",
        REMOTE_ADDR=addr,
    )


@override_settings(APPLICATION_RATE_LIMIT=3)
def test_application_api_is_rate_limited(client, actors):
    for n in range(3):
        assert _apply(client, n).status_code == 400  # unknown department, but answered
    resp = _apply(client, 99)
    assert resp.status_code == 429 and "请求过于频繁" in resp.json()["detail"]
    assert _apply(client, 100, addr="10.1.1.2").status_code == 400  # other addresses unaffected


@override_settings(APPLICATION_RATE_LIMIT=2)
def test_application_page_is_rate_limited(client, actors):
    form = {"name": "页面申请", "password": "long-enough-1", "department": actors.dept1.pk}
    for n in range(2):
        assert client.post("/org/apply/", {**form, "username": f"page{n}"}).status_code == 200
    resp = client.post("/org/apply/", {**form, "username": "page9"})
    assert resp.status_code == 429 and "请求过于频繁" in resp.content.decode()
    assert set(MembershipApplication.objects.values_list("username", flat=True)) == {"page0", "page1"}
