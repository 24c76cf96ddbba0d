"""WeComClient against the simulator over real HTTP: tokens, retries, cursors, typed errors."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from wecomsim import SimulatorServer
from zhidu.wecom import client as wc
from zhidu.wecom.client import (
    MemoryTokenCache,
    WeComAuthError,
    WeComBusy,
    WeComClient,
    WeComError,
    WeComInvalidRecipient,
    WeComNoPrivilege,
    WeComNotFound,
    WeComRateLimited,
    WeComRobotError,
    WeComTransportError,
    token_cache_key,
)
from zhidu.wecom.tests.conftest import SIM_ALL_SECRET, client_for


@pytest.fixture(autouse=True)
def _clean_faults(wecom_sim: SimulatorServer):  # type: ignore[no-untyped-def]
    yield
    wecom_sim.reset_faults()


def _calls(sim: SimulatorServer, api: str) -> int:
    return int(sim.stats()["calls"].get(api, 0))


def test_token_is_cached_in_the_django_cache_and_shared(wecom_sim: SimulatorServer) -> None:
    first = client_for(wecom_sim)
    first.department_list()
    key = token_cache_key(wecom_sim.company.corp_id, SIM_ALL_SECRET)
    assert cache.get(key) == first.get_token()
    assert SIM_ALL_SECRET not in key  # the secret itself never appears in the cache key
    before = _calls(wecom_sim, "gettoken")
    second = WeComClient(wecom_sim.company.corp_id, SIM_ALL_SECRET, base_url=wecom_sim.url)  # another "process"
    second.department_list()
    second.user_get(wecom_sim.company.follow_user_ids()[0])
    assert _calls(wecom_sim, "gettoken") == before


@pytest.mark.parametrize("errcode", [42001, 40014])
def test_refreshes_once_after_an_expired_or_invalid_token(wecom_sim: SimulatorServer, errcode: int) -> None:
    client = client_for(wecom_sim)
    old = client.get_token()
    wecom_sim.expire_tokens(errcode)
    assert len(client.department_list().department) == len(wecom_sim.company.departments)
    assert client.get_token() != old


@pytest.mark.parametrize("errcode", [40001, 41001])
def test_refreshes_on_40001_and_41001_for_calls_other_than_gettoken(wecom_sim: SimulatorServer, errcode: int) -> None:
    client = client_for(wecom_sim)
    client.get_token()
    wecom_sim.inject(errcode, count=1, api="department/list")
    assert client.department_list().department


def test_token_refresh_is_never_a_loop(wecom_sim: SimulatorServer) -> None:
    client = client_for(wecom_sim)
    client.get_token()
    before = _calls(wecom_sim, "department/list")
    wecom_sim.inject(42001, count=5, api="department/list")
    with pytest.raises(WeComAuthError) as err:
        client.department_list()
    assert err.value.errcode == 42001
    assert _calls(wecom_sim, "department/list") == before + 2  # the call, one refresh, one retry


def test_wrong_secret_raises_without_retrying(wecom_sim: SimulatorServer) -> None:
    client = client_for(wecom_sim, secret="not-a-secret")
    before = _calls(wecom_sim, "gettoken")
    with pytest.raises(WeComAuthError) as err:
        client.department_list()
    assert err.value.errcode == 40001
    assert err.value.api == "gettoken"
    assert _calls(wecom_sim, "gettoken") == before + 1


def test_45009_burst_during_a_cursor_listing_loses_and_repeats_nothing(wecom_sim: SimulatorServer) -> None:
    client = client_for(wecom_sim)
    users = wecom_sim.company.follow_user_ids()
    errors_before = wecom_sim.stats()["errors"].get("45009", 0)
    wecom_sim.inject(45009, count=3, api="externalcontact/batch/get_by_user", after=2)
    pairs = [
        (p.external_contact.external_userid, p.follow_info.userid) for p in client.iter_batch_get_by_user(users, 7)
    ]
    assert len(pairs) == len(set(pairs))
    assert sorted(pairs) == sorted(wecom_sim.company.follow_pairs())
    assert wecom_sim.stats()["errors"]["45009"] == errors_before + 3


def test_busy_is_retried_with_back_off(wecom_sim: SimulatorServer) -> None:
    slept: list[float] = []
    client = client_for(wecom_sim, sleep=slept.append, backoff_base=1.0, backoff_max=3.0)
    wecom_sim.inject(-1, count=2, api="department/list")
    assert client.department_list().department
    assert len(slept) == 2
    assert slept[0] <= 1.0 < slept[1] * 2 <= 4.0  # exponential (with jitter in [0.5, 1]), capped


@pytest.mark.parametrize(("errcode", "exc"), [(-1, WeComBusy), (45009, WeComRateLimited), (45033, WeComRateLimited)])
def test_back_off_is_bounded(wecom_sim: SimulatorServer, errcode: int, exc: type[WeComError]) -> None:
    client = client_for(wecom_sim, max_tries=3)
    client.get_token()
    before = _calls(wecom_sim, "department/list")
    wecom_sim.inject(errcode, count=10, api="department/list")
    with pytest.raises(exc) as err:
        client.department_list()
    assert err.value.errcode == errcode
    assert _calls(wecom_sim, "department/list") == before + 3


def test_84061_from_externalcontact_list_is_an_empty_list(
    wecom_client: WeComClient, wecom_sim: SimulatorServer
) -> None:
    company = wecom_sim.company
    without = [u for u in company.follow_user_ids() if not company.customers_of(u)]
    assert without, "the generated company has a follow user without customers"
    assert wecom_client.externalcontact_list(without[0]).external_userid == []
    with_customers = next(u for u in company.follow_user_ids() if company.customers_of(u))
    assert wecom_client.externalcontact_list(with_customers).external_userid == company.customers_of(with_customers)


def test_typed_errors_carry_errcode_api_and_request_id(wecom_client: WeComClient) -> None:
    with pytest.raises(WeComNotFound) as err:
        wecom_client.user_get("nobody-here")
    assert (err.value.errcode, err.value.api) == (60111, "user/get")
    assert err.value.request_id and err.value.request_id[:12] in err.value.errmsg  # the server saw our id
    assert err.value.permanent
    with pytest.raises(WeComNotFound) as err2:
        wecom_client.externalcontact_get("wmdoesnotexist")
    assert err2.value.errcode == 40096
    assert err2.value.request_id != err.value.request_id


def test_errmsg_is_never_parsed(wecom_sim: SimulatorServer, wecom_client: WeComClient) -> None:
    # An unknown errcode with a misleading errmsg is a plain WeComError, not retried, not a token refresh.
    before = _calls(wecom_sim, "department/list")
    wecom_sim.inject(99999, count=1, api="department/list")
    with pytest.raises(WeComError) as err:
        wecom_client.department_list()
    assert type(err.value) is WeComError and err.value.errcode == 99999
    assert _calls(wecom_sim, "department/list") == before + 1


def test_visibility_and_secret_kinds(wecom_sim: SimulatorServer) -> None:
    company = wecom_sim.company
    app = client_for(wecom_sim, secret=wecom_sim.secrets["app"])
    contact = client_for(wecom_sim, secret=wecom_sim.secrets["contact"])
    outsider = next(u for u in company.active_users() if u.role == "admin")
    wecom_sim.configure(app_visible_departments=[company.sales_center_id])
    try:
        with pytest.raises(WeComNoPrivilege) as err:
            app.user_get(outsider.userid)
        assert err.value.errcode == 60011
        assert {d.id for d in app.department_list().department} == set(company.subtree(company.sales_center_id))
    finally:
        wecom_sim.configure(app_visible_departments=None)
    assert contact.user_get(outsider.userid).userid == outsider.userid
    with pytest.raises(WeComAuthError) as err2:
        contact.get_follow_user_list()  # the contact-sync secret cannot read customers
    assert err2.value.errcode == 48002
    with pytest.raises(WeComAuthError):
        app.user_list_id()  # only the contact-sync secret may list ids


def test_iterators_follow_cursors(wecom_client: WeComClient, wecom_sim: SimulatorServer) -> None:
    company = wecom_sim.company
    rows = [(r.userid, r.department) for r in wecom_client.iter_user_list_id(limit=7)]
    assert sorted(rows) == sorted((u.userid, d) for u in company.active_users() for d in u.department)
    chats = [c.chat_id for c in wecom_client.iter_groupchat_list(limit=5)]
    active_owner = {g.chat_id for g in company.live_groups() if company.users[g.owner].active}
    assert len(chats) == len(set(chats)) and set(chats) == active_owner
    resigned = [u.userid for u in company.users.values() if u.status == 5]
    listed = {c.chat_id: c.status for c in wecom_client.iter_groupchat_list(owner_userids=resigned, limit=1)}
    assert set(listed.values()) <= {1} and len(listed) == len(
        [g for g in company.groups.values() if g.owner in resigned]
    )
    unassigned = [(i.handover_userid, i.external_userid) for i in wecom_client.iter_unassigned_list(page_size=2)]
    assert sorted(unassigned) == sorted((h, e) for h, e, _ in company.unassigned())


def test_externalcontact_get_all_merges_follower_pages(wecom_client: WeComClient, wecom_sim: SimulatorServer) -> None:
    shared = next(c for c in wecom_sim.company.visible_customers() if len(c.follows) > 1)
    wecom_sim.configure(follow_page_size=1)
    try:
        first = wecom_client.externalcontact_get(shared.external_userid)
        assert len(first.follow_user) == 1 and first.next_cursor
        merged = wecom_client.externalcontact_get_all(shared.external_userid)
    finally:
        wecom_sim.configure(follow_page_size=500)
    assert [f.userid for f in merged.follow_user] == list(shared.follows)
    assert merged.external_contact.name == shared.name


def test_tags_remark_and_callbacks_free_writes(wecom_client: WeComClient, wecom_sim: SimulatorServer) -> None:
    created = wecom_client.add_corp_tag(group_name="测试分组", tags=["试用客户", {"name": "续费客户", "order": 3}])
    assert [t.name for t in created.tag_group.tag] == ["试用客户", "续费客户"]
    listed = wecom_client.get_corp_tag_list(group_id=[created.tag_group.group_id])
    assert {t.id for t in listed.tag_group[0].tag} == {t.id for t in created.tag_group.tag}
    ext, userid = wecom_sim.company.follow_pairs()[0]
    wecom_client.mark_tag(userid, ext, add_tag=[created.tag_group.tag[0].id])
    wecom_client.remark(userid, ext, remark="新备注", description="描述")
    follow = wecom_client.externalcontact_get_all(ext).follow_user
    mine = next(f for f in follow if f.userid == userid)
    assert mine.remark == "新备注" and created.tag_group.tag[0].id in {t.tag_id for t in mine.tags}
    with pytest.raises(WeComError) as err:
        wecom_client.remark(userid, ext, remark="x" * 21)
    assert err.value.errcode == 40058


def test_message_send_partial_and_all_invalid(wecom_client: WeComClient, wecom_sim: SimulatorServer) -> None:
    userid = wecom_sim.company.follow_user_ids()[0]
    sent_before = len(wecom_sim.sent)
    ok = wecom_client.message_send({"touser": f"{userid}|ghost1", "msgtype": "text", "text": {"content": "你好"}})
    assert ok.invaliduser == "ghost1" and ok.msgid
    assert wecom_sim.sent[sent_before]["touser"] == [userid]
    with pytest.raises(WeComInvalidRecipient) as err:
        wecom_client.message_send({"touser": "ghost1|ghost2", "msgtype": "markdown", "markdown": {"content": "**x**"}})
    assert err.value.errcode == 81013 and err.value.invaliduser == ["ghost1", "ghost2"]
    card = {"title": "违规提醒", "description": "请查看", "url": "https://example.com/v/1", "btntxt": "查看"}
    assert wecom_client.message_send({"touser": userid, "msgtype": "textcard", "textcard": card}).msgid
    assert len(wecom_sim.sent) == sent_before + 2


def test_robot_webhook_key_and_rate_limit(wecom_client: WeComClient, wecom_sim: SimulatorServer) -> None:
    key = wecom_sim.robot_keys[1]
    payload = {"msgtype": "text", "text": {"content": "早会提醒", "mentioned_list": ["@all"]}}
    with pytest.raises(WeComRobotError) as err:
        wecom_client.robot_send("bad-key", payload)
    assert err.value.errcode == 93000 and err.value.permanent
    try:
        for _ in range(20):
            wecom_client.robot_send(f"{wecom_sim.url}/cgi-bin/webhook/send?key={key}", payload)
        with pytest.raises(WeComRateLimited) as limited:
            wecom_client.robot_send(key, payload, retry=False)
        assert limited.value.errcode == 45009 and not limited.value.permanent
    finally:
        wecom_sim.control({"reset_robot_limits": True})
    robot = [s for s in wecom_sim.sent if s["channel"] == "robot" and s["key"] == key]
    assert len(robot) == 20


def test_transport_failures_are_retried_then_typed() -> None:
    slept: list[float] = []
    client = WeComClient("wwx", "s", base_url="http://127.0.0.1:9", cache=MemoryTokenCache(), max_tries=3)
    client.sleep = slept.append
    with pytest.raises(WeComTransportError) as err:
        client.department_list()
    assert err.value.errcode == wc.TRANSPORT_ERROR and len(slept) == 2


def test_slow_response_times_out_and_is_retried(wecom_sim: SimulatorServer) -> None:
    client = client_for(wecom_sim, timeout=0.2)
    client.get_token()
    wecom_sim.slow(1.0, count=1, api="department/list")
    assert client.department_list().department


def test_archive_consent_and_permit_list(wecom_client: WeComClient, wecom_sim: SimulatorServer) -> None:
    company = wecom_sim.company
    pairs = company.follow_pairs()[:150]
    result = wecom_client.check_single_agree([{"userid": u, "external_userid": e} for e, u in pairs])
    assert len(result.agreeinfo) == len(pairs)  # sent in chunks below the 100-item limit
    by_ext = {a.exteranalopenid: a.agree_status for a in result.agreeinfo}
    assert all(by_ext[e] == company.customers[e].agree_status for e, _ in pairs)
    assert set(wecom_client.get_permit_user_list().ids) == set(company.follow_user_ids())


def test_behavior_data(wecom_client: WeComClient, wecom_sim: SimulatorServer) -> None:
    import time

    day = 86400
    end = int(time.time()) - day
    rows = wecom_client.get_user_behavior_data(
        wecom_sim.company.follow_user_ids()[:3], start_time=end - 6 * day, end_time=end
    ).behavior_data
    assert len(rows) == 7 and all(r.stat_time % day == 16 * 3600 for r in rows)  # midnight China time
    with pytest.raises(WeComError) as err:
        wecom_client.get_user_behavior_data(["x"], start_time=end - 40 * day, end_time=end)
    assert err.value.errcode == 40058
