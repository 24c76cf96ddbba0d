"""The simulator itself: determinism, WeCom shapes and limits, transfers, callbacks, faults, archive."""

from __future__ import annotations

import base64
import dataclasses
import re
from typing import Any

import httpx
import orjson
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding

from wecomsim import SimulatorServer, build_company
from wecomsim.archive import sim_decrypt_data
from wecomsim.company import GROUP_NAME_RULE, POSITION_ROLES, staff_nickname
from zhidu.wecom.crypto import WXBizMsgCrypt, parse_xml
from zhidu.wecom.tests.conftest import SIM_ALL_SECRET, SIM_EPOCH, CallbackReceiver, client_for, make_sim

# --- helpers ------------------------------------------------------------------------------------

HTTP = httpx.Client(timeout=10.0)  # one connection pool for the module (a new httpx client per call is slow)


def token(sim: SimulatorServer, secret: str = SIM_ALL_SECRET) -> str:
    r = HTTP.get(f"{sim.url}/cgi-bin/gettoken", params={"corpid": sim.company.corp_id, "corpsecret": secret})
    return str(r.json()["access_token"])


def call(sim: SimulatorServer, api: str, body: dict[str, Any] | None = None, *, tok: str | None = None, **query: Any):
    params = {"access_token": tok if tok is not None else token(sim), **query}
    url = f"{sim.url}/cgi-bin/{api}"
    r = HTTP.post(url, params=params, json=body) if body is not None else HTTP.get(url, params=params)
    assert r.status_code == 200  # WeCom answers 200 even for business errors
    data = r.json()
    assert isinstance(data["errcode"], int) and isinstance(data["errmsg"], str)
    return data


def decrypt_received(sim: SimulatorServer, receiver: CallbackReceiver, count: int) -> list[dict[str, Any]]:
    crypto = WXBizMsgCrypt(sim.token, sim.encoding_aes_key, sim.company.corp_id)
    out = []
    for item in receiver.wait_for(count):
        q = item.query
        plain = crypto.decrypt_msg(q["msg_signature"], q["timestamp"], q["nonce"], item.body)
        out.append(parse_xml(plain))
    return out


@pytest.fixture
def pushing_sim(archive_private_key_pem: bytes, callback_receiver: CallbackReceiver):  # type: ignore[no-untyped-def]
    sim = make_sim(archive_private_key_pem, callback_url=callback_receiver.url).start()
    yield sim
    sim.stop()


# --- the generated company ----------------------------------------------------------------------


def test_company_is_deterministic_per_seed() -> None:
    a = dataclasses.asdict(build_company(7, "small", epoch=SIM_EPOCH))
    b = dataclasses.asdict(build_company(7, "small", epoch=SIM_EPOCH))
    c = dataclasses.asdict(build_company(8, "small", epoch=SIM_EPOCH))
    assert a == b
    assert a["users"] != c["users"]


@pytest.mark.parametrize(("size", "low", "high"), [("small", 25, 35), ("medium", 270, 330)])
def test_sizes(size: str, low: int, high: int) -> None:
    company = build_company(1, size, epoch=SIM_EPOCH)
    assert low <= len(company.users) <= high
    sales = [u for u in company.active_users() if u.role == "sales"]
    assert len(company.customers) > len(sales) * {"small": 6, "medium": 60}[size]


def test_company_shape_roles_leaders_and_conventions(wecom_sim: SimulatorServer) -> None:
    company = wecom_sim.company
    assert {u.role for u in company.users.values()} == set(POSITION_ROLES.values())
    assert all(POSITION_ROLES[u.position] == u.role for u in company.users.values())
    for d in company.departments.values():
        for leader in d.leaders:
            user = company.users[leader]
            assert user.is_leader_in_dept[user.department.index(d.id)] == 1
    assert all(company.users[u.direct_leader[0]].role != "sales" for u in company.users.values() if u.direct_leader)
    names_ok = [re.match(GROUP_NAME_RULE, g.name) is not None for g in company.groups.values()]
    assert names_ok == [g.follows_naming for g in company.groups.values()]
    assert any(names_ok) and not all(names_ok)
    staff = [(m, g) for g in company.groups.values() for m in g.members if m.type == 1]
    for m, _ in staff:
        assert (m.group_nickname == staff_nickname(company, company.users[m.userid])) == m.follows_nickname
    assert any(m.follows_nickname for m, _ in staff) and not all(m.follows_nickname for m, _ in staff)
    assert any(len(c.follows) > 1 for c in company.customers.values())
    assert {c.agree_status for c in company.customers.values()} == {"Agree", "Disagree", "Default_Agree"}
    assert all(f.createtime < SIM_EPOCH for c in company.customers.values() for f in c.follows.values())


# --- shapes, cursors, limits, tokens, visibility -------------------------------------------------


def test_token_errors(wecom_sim: SimulatorServer) -> None:
    corp = wecom_sim.company.corp_id
    assert (
        HTTP.get(f"{wecom_sim.url}/cgi-bin/gettoken", params={"corpid": corp, "corpsecret": "x"}).json()["errcode"]
        == 40001
    )
    r = HTTP.get(f"{wecom_sim.url}/cgi-bin/gettoken", params={"corpid": "wwother", "corpsecret": SIM_ALL_SECRET})
    assert r.json()["errcode"] == 40013
    ok = HTTP.get(f"{wecom_sim.url}/cgi-bin/gettoken", params={"corpid": corp, "corpsecret": SIM_ALL_SECRET}).json()
    assert ok["errcode"] == 0 and ok["errmsg"] == "ok" and 0 < ok["expires_in"] <= 7200
    assert call(wecom_sim, "department/list", tok="")["errcode"] == 41001
    assert call(wecom_sim, "department/list", tok="garbage")["errcode"] == 40014
    assert call(wecom_sim, "no/such/api")["errcode"] == 48001
    assert (
        call(wecom_sim, "externalcontact/list", tok=token(wecom_sim, wecom_sim.secrets["contact"]), userid="x")[
            "errcode"
        ]
        == 48002
    )


def test_token_lifetime_and_bad_secret_block(fresh_sim: SimulatorServer) -> None:
    fresh_sim.configure(token_lifetime=0.0)
    tok = token(fresh_sim)
    assert call(fresh_sim, "department/list", tok=tok)["errcode"] == 42001
    fresh_sim.configure(token_lifetime=None, expired_code=42001, bad_secret_block=3)
    corp = fresh_sim.company.corp_id
    codes = [
        HTTP.get(f"{fresh_sim.url}/cgi-bin/gettoken", params={"corpid": corp, "corpsecret": "bad"}).json()["errcode"]
        for _ in range(4)
    ]
    assert codes == [40001, 40001, 40001, 45009]
    assert (
        HTTP.get(f"{fresh_sim.url}/cgi-bin/gettoken", params={"corpid": corp, "corpsecret": SIM_ALL_SECRET}).json()[
            "errcode"
        ]
        == 45009
    )  # the IP is blocked for the hour


def test_error_envelope_hint_and_extra_fields(wecom_sim: SimulatorServer) -> None:
    data = call(
        wecom_sim, "message/send", {"touser": "ghost", "msgtype": "text", "text": {"content": "x"}, "agentid": 1000002}
    )
    assert data["errcode"] == 81013 and data["invaliduser"] == "ghost"
    assert "hint: [" in data["errmsg"] and "e=81013" in data["errmsg"]


def test_limits_and_cursors(wecom_sim: SimulatorServer) -> None:
    tok = token(wecom_sim)
    users = wecom_sim.company.follow_user_ids()
    big = call(wecom_sim, "externalcontact/batch/get_by_user", {"userid_list": users, "limit": 500}, tok=tok)
    assert big["errcode"] == 0 and len(big["external_contact_list"]) == 100 and big["next_cursor"]
    assert (
        call(wecom_sim, "externalcontact/batch/get_by_user", {"userid_list": ["u"] * 101}, tok=tok)["errcode"] == 40058
    )
    default = call(wecom_sim, "externalcontact/batch/get_by_user", {"userid_list": users}, tok=tok)
    assert len(default["external_contact_list"]) == 50
    item = default["external_contact_list"][0]
    assert set(item) == {"external_contact", "follow_info"} and "tag_id" in item["follow_info"]
    foreign = call(
        wecom_sim,
        "externalcontact/batch/get_by_user",
        {"userid_list": users[:1], "cursor": big["next_cursor"]},
        tok=tok,
    )
    assert foreign["errcode"] == 701105  # a cursor belongs to its query
    again = call(
        wecom_sim, "externalcontact/batch/get_by_user", {"userid_list": users, "cursor": big["next_cursor"]}, tok=tok
    )
    again2 = call(
        wecom_sim, "externalcontact/batch/get_by_user", {"userid_list": users, "cursor": big["next_cursor"]}, tok=tok
    )
    assert again["external_contact_list"] == again2["external_contact_list"]  # cursors are reusable
    assert call(wecom_sim, "user/list_id", {"limit": 10001}, tok=tok)["errcode"] == 40058
    assert call(wecom_sim, "externalcontact/groupchat/list", {"limit": 1001}, tok=tok)["errcode"] == 40058
    assert call(wecom_sim, "externalcontact/groupchat/list", tok=tok)["errcode"] == 40058  # GET where POST required
    assert (
        call(wecom_sim, "msgaudit/check_single_agree", {"info": [{"userid": "a"}] * 100}, tok=tok)["errcode"] == 301060
    )


def test_groupchat_get_shape(wecom_sim: SimulatorServer) -> None:
    g = next(g for g in wecom_sim.company.live_groups() if g.admins)
    data = call(wecom_sim, "externalcontact/groupchat/get", {"chat_id": g.chat_id, "need_name": 1})["group_chat"]
    assert data["owner"] == g.owner and data["member_version"] == g.member_version
    assert data["admin_list"] == [{"userid": a} for a in g.admins]
    assert [m["userid"] for m in data["member_list"]] == [m.userid for m in g.members]
    assert all("name" in m and "group_nickname" in m for m in data["member_list"])
    nameless = call(wecom_sim, "externalcontact/groupchat/get", {"chat_id": g.chat_id, "need_name": 0})["group_chat"]
    assert all("name" not in m for m in nameless["member_list"])
    assert call(wecom_sim, "externalcontact/groupchat/get", {"chat_id": "wrnope"})["errcode"] == 40050


def test_groupchat_list_needs_owner_filter_in_big_companies(wecom_sim: SimulatorServer) -> None:
    wecom_sim.configure(owner_filter_threshold=5)
    try:
        assert call(wecom_sim, "externalcontact/groupchat/list", {"limit": 10})["errcode"] == 81017
        owner = wecom_sim.company.live_groups()[0].owner
        data = call(wecom_sim, "externalcontact/groupchat/list", {"owner_filter": {"userid_list": [owner]}})
        assert data["errcode"] == 0 and data["group_chat_list"]
    finally:
        wecom_sim.configure(owner_filter_threshold=1000)


# --- transfers ----------------------------------------------------------------------------------


def test_onjob_transfer_state_machine(pushing_sim: SimulatorServer, callback_receiver: CallbackReceiver) -> None:
    sim, company = pushing_sim, pushing_sim.company
    sim.configure(transfer_delay=3600.0, transfer_result_calls=2)
    client = client_for(sim)
    handover = next(u for u in company.follow_user_ids() if len(company.customers_of(u)) >= 3)
    takeover = next(u for u in company.follow_user_ids() if u != handover)
    a, b, c = company.customers_of(handover)[:3]
    stranger = next(e for e in company.customers if handover not in company.customers[e].follows)
    sim.configure(transfer_outcomes={b: 3})
    started = client.transfer_customer(handover, takeover, [a, b, stranger, "wmnobody"])
    assert [(x.external_userid, x.errcode) for x in started.customer] == [
        (a, 0), (b, 0), (stranger, 40131), ("wmnobody", 40096)
    ]  # fmt: skip
    assert client.transfer_customer(handover, takeover, [a]).customer[0].errcode == 40129  # already in transfer
    with pytest.raises(Exception) as same:
        client.transfer_customer(handover, handover, [c])
    assert getattr(same.value, "errcode", None) == 40130
    first = {r.external_userid: r.status for r in client.iter_transfer_result(handover, takeover)}
    assert first == {a: 2, b: 2}
    second = {r.external_userid: r.status for r in client.iter_transfer_result(handover, takeover)}
    assert second == {a: 1, b: 3}  # resolved after the configured number of result calls
    assert takeover in company.customers[a].follows and handover not in company.customers[a].follows
    assert handover in company.customers[b].follows
    assert sim.wait_callbacks()
    events = decrypt_received(sim, callback_receiver, 3)
    kinds = sorted((e["ChangeType"], e["UserID"], e.get("Source", e.get("FailReason", ""))) for e in events)
    assert kinds == sorted(
        [
            ("del_external_contact", handover, "DELETE_BY_TRANSFER"),
            ("add_external_contact", takeover, ""),
            ("transfer_fail", takeover, "customer_refused"),
        ]
    )


def test_onjob_transfer_at_most_twice_in_90_days(fresh_sim: SimulatorServer) -> None:
    company = fresh_sim.company
    client = client_for(fresh_sim)
    u1, u2 = [u for u in company.follow_user_ids() if company.customers_of(u)][:2]
    ext = company.customers_of(u1)[0]
    for handover, takeover in ((u1, u2), (u2, u1)):
        assert client.transfer_customer(handover, takeover, [ext]).customer[0].errcode == 0
        fresh_sim.mutate("transfers_complete")
    assert client.transfer_customer(u1, u2, [ext]).customer[0].errcode == 40128


def test_resigned_transfer_and_group_inheritance(fresh_sim: SimulatorServer) -> None:
    company = fresh_sim.company
    client = client_for(fresh_sim)
    left = next(u for u in company.users.values() if u.status == 5)
    heir = next(u for u in company.follow_user_ids() if u != left.userid)
    unassigned = [i.external_userid for i in client.iter_unassigned_list() if i.handover_userid == left.userid]
    assert unassigned and sorted(unassigned) == sorted(company.customers_of(left.userid))
    with pytest.raises(Exception) as not_left:
        client.resigned_transfer_customer(heir, left.userid, unassigned[:1])
    assert getattr(not_left.value, "errcode", None) == 40097
    assert all(x.errcode == 0 for x in client.resigned_transfer_customer(left.userid, heir, unassigned).customer)
    assert {r.status for r in client.iter_resigned_transfer_result(left.userid, heir)} == {2}
    fresh_sim.mutate("transfers_complete")
    assert {r.status for r in client.iter_resigned_transfer_result(left.userid, heir)} == {1}
    assert not [i for i in client.iter_unassigned_list() if i.handover_userid == left.userid]
    groups = [g.chat_id for g in company.groups.values() if g.owner == left.userid]
    active_owned = next(g.chat_id for g in company.live_groups() if g.owner != left.userid)
    failed = client.groupchat_transfer([*groups, active_owned], heir).failed_chat_list
    assert [f.chat_id for f in failed] == [active_owned]
    assert all(company.groups[g].owner == heir and company.groups[g].status == 3 for g in groups)
    moved = client.groupchat_onjob_transfer([active_owned], heir)
    assert moved.failed_chat_list == [] and company.groups[active_owned].owner == heir


# --- callbacks ----------------------------------------------------------------------------------


def test_callbacks_are_pushed_with_valid_crypto(
    pushing_sim: SimulatorServer, callback_receiver: CallbackReceiver
) -> None:
    sim, company = pushing_sim, pushing_sim.company
    userid = company.follow_user_ids()[1]
    added = sim.mutate("customer_add", userid=userid, name="周女士", state_param="expo2025")
    assert added["events"][0]["status"] == "delivered"
    ext = added["external_userid"]
    sim.mutate("customer_edit", userid=userid, external_userid=ext, remark="周女士-展会")
    g = company.live_groups()[0]
    last = g.member_version
    sim.mutate("group_update", chat_id=g.chat_id, add_members=[ext], join_scene=3)
    sim.mutate("user_update", userid=userid, position="销售主管")
    sim.mutate("customer_del_follow_user", userid=userid, external_userid=ext)
    sim.mutate("archive_append", count=3)
    sim.mutate("group_dismiss", chat_id=g.chat_id)
    events = decrypt_received(sim, callback_receiver, 7)
    assert [(e["Event"], e.get("ChangeType", "")) for e in events] == [
        ("change_external_contact", "add_external_contact"),
        ("change_external_contact", "edit_external_contact"),
        ("change_external_chat", "update"),
        ("change_contact", "update_user"),
        ("change_external_contact", "del_follow_user"),
        ("msgaudit_notify", ""),
        ("change_external_chat", "dismiss"),
    ]
    assert all(e["ToUserName"] == company.corp_id and e["FromUserName"] == "sys" for e in events)
    assert events[0]["UserID"] == userid and events[0]["ExternalUserID"] == ext and events[0]["State"] == "expo2025"
    assert events[0]["WelcomeCode"]
    update = events[2]
    assert update["UpdateDetail"] == "add_member" and update["JoinScene"] == "3" and update["MemChangeList"] == [ext]
    assert update["LastMemVer"] == last and update["CurMemVer"] == g.member_version != last
    assert events[3] == {**events[3], "UserID": userid, "Position": "销售主管"} and "Name" not in events[3]
    assert list(events[2])[:7] == [
        "ToUserName",
        "FromUserName",
        "CreateTime",
        "MsgType",
        "Event",
        "ChatId",
        "ChangeType",
    ]
    assert events[5]["AgentID"] == str(sim.state.agent_id)


def test_callback_retries_then_marks_failed(pushing_sim: SimulatorServer, callback_receiver: CallbackReceiver) -> None:
    callback_receiver.status = 500
    result = pushing_sim.mutate("msgaudit_notify")
    assert result["events"][0]["status"] == "failed" and result["events"][0]["attempts"] == 2
    assert len(callback_receiver.wait_for(2)) == 2


def test_callback_url_verification_handshake(pushing_sim: SimulatorServer, callback_receiver: CallbackReceiver) -> None:
    assert not pushing_sim.verify_callback_url()  # the receiver does not answer echostr yet
    callback_receiver.crypto = WXBizMsgCrypt(
        pushing_sim.token, pushing_sim.encoding_aes_key, pushing_sim.company.corp_id
    )
    assert pushing_sim.verify_callback_url()


def test_activity_changes_state_and_pushes(pushing_sim: SimulatorServer, callback_receiver: CallbackReceiver) -> None:
    done = [pushing_sim.activity.step() for _ in range(12)]
    assert pushing_sim.wait_callbacks()
    assert len([d for d in done if d]) >= 10
    received = decrypt_received(pushing_sim, callback_receiver, len(pushing_sim.events))
    assert len(received) == len(pushing_sim.events) >= 10


# --- error injection over HTTP ------------------------------------------------------------------


def test_control_endpoint_injects_faults(fresh_sim: SimulatorServer) -> None:
    tok = token(fresh_sim)
    control = f"{fresh_sim.url}/sim/control"
    HTTP.post(control, json={"inject": [{"errcode": -1, "count": 1, "api": "user/*"}]})
    assert call(fresh_sim, "department/list", tok=tok)["errcode"] == 0  # other APIs unaffected
    assert call(fresh_sim, "user/get", tok=tok, userid="x")["errcode"] == -1
    HTTP.post(control, json={"expire_tokens": 40014})
    assert call(fresh_sim, "department/list", tok=tok)["errcode"] == 40014
    tok = token(fresh_sim)
    HTTP.post(control, json={"fault_rate": 1.0, "fault_codes": [45033]})
    assert call(fresh_sim, "department/list", tok=tok)["errcode"] == 45033
    stats = HTTP.post(control, json={"reset_faults": True}).json()
    assert stats["config"]["fault_rate"] == 0.0 and call(fresh_sim, "department/list")["errcode"] == 0
    assert HTTP.post(f"{fresh_sim.url}/sim/mutate/nope", json={}).status_code == 404
    r = HTTP.post(f"{fresh_sim.url}/sim/mutate/customer_delete", json={"userid": "x", "external_userid": "y"})
    assert r.status_code == 400 and r.json()["errcode"] == 40096
    index = HTTP.get(f"{fresh_sim.url}/sim/").json()["endpoints"]
    assert "POST /sim/control" in index


# --- chat archive -------------------------------------------------------------------------------


def test_archive_pages_by_seq_with_rsa_and_test_only_scheme(wecom_sim: SimulatorServer) -> None:
    tok = token(wecom_sim, wecom_sim.secrets["archive"])
    key = serialization.load_pem_private_key(wecom_sim.archive_private_key_pem or b"", password=None)
    first = call(wecom_sim, "msgaudit/getchatdata", {"seq": 0, "limit": 150}, tok=tok)["chatdata"]
    rest = call(wecom_sim, "msgaudit/getchatdata", {"seq": first[-1]["seq"], "limit": 1000}, tok=tok)["chatdata"]
    items = first + rest
    assert [i["seq"] for i in items] == list(range(1, len(wecom_sim.archive) + 1))
    assert set(items[0]) == {"seq", "msgid", "publickey_ver", "encrypt_random_key", "encrypt_chat_msg"}
    assert call(wecom_sim, "msgaudit/getchatdata", {"seq": 0, "limit": 1001}, tok=tok)["errcode"] == 301058
    assert call(wecom_sim, "msgaudit/getchatdata", {"seq": 0, "limit": 1})["errcode"] == 0  # "all" secret
    assert (
        call(wecom_sim, "msgaudit/getchatdata", {"seq": 0}, tok=token(wecom_sim, wecom_sim.secrets["app"]))["errcode"]
        == 48002
    )
    records = []
    for item in items:
        random_key = key.decrypt(base64.b64decode(item["encrypt_random_key"]), padding.PKCS1v15())  # type: ignore[union-attr]
        record = orjson.loads(sim_decrypt_data(random_key, item["encrypt_chat_msg"]))
        assert record["msgid"] == item["msgid"]
        records.append(record)
    labels = HTTP.get(f"{wecom_sim.url}/sim/archive/labels").json()["items"]
    assert [x["msgid"] for x in labels] == [r["msgid"] for r in records]
    plain = HTTP.get(f"{wecom_sim.url}/sim/archive/plain", params={"seq": 0, "limit": 5}).json()["items"]
    assert [p["msgid"] for p in plain] == [r["msgid"] for r in records[:5]]


def test_archive_is_deterministic_and_appends(archive_private_key_pem: bytes) -> None:
    one = make_sim(archive_private_key_pem, archive_messages=50)
    two = make_sim(archive_private_key_pem, archive_messages=50)
    assert one.archive.plain(0, 100) == two.archive.plain(0, 100)
    assert one.archive.labels() == two.archive.labels()
    first, last = one.archive.append(5)
    assert (first, last) == (51, 55) and len(one.archive) == 55
    assert len({e.msgid for e in one.archive.entries}) == 55


def test_archive_key_rotation(archive_private_key_pem: bytes) -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    sim = make_sim(archive_private_key_pem, archive_messages=3)
    new = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = new.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    sim.control({"archive_public_key": {"pem": pem.decode(), "version": 2}})
    sim.archive.append(2)
    items = sim.archive.chat_data(0, 10)
    assert [i["publickey_ver"] for i in items] == [1, 1, 1, 2, 2]
    assert new.decrypt(base64.b64decode(items[-1]["encrypt_random_key"]), padding.PKCS1v15())


def test_zhidu_archive_source_reads_the_simulator(wecom_sim: SimulatorServer) -> None:
    archive = pytest.importorskip("zhidu.wecom.archive")
    key = serialization.load_pem_private_key(wecom_sim.archive_private_key_pem or b"", password=None)
    source = archive.SimulatorArchiveSource(
        client=client_for(wecom_sim, wecom_sim.secrets["archive"]), private_keys={1: key}
    )
    try:
        records = source.fetch(0, 20)
    finally:
        source.close()
    assert [r.seq for r in records] == list(range(1, 21)) and all(r.ok for r in records)
    assert [r.msg["msgid"] for r in records] == [e.msgid for e in wecom_sim.archive.entries[:20]]


def test_consent_reflects_refusals_and_changes(fresh_sim: SimulatorServer) -> None:
    company = fresh_sim.company
    ext, userid = next((e, u) for e, u in company.follow_pairs() if company.customers[e].agree_status == "Disagree")
    body = {"info": [{"userid": userid, "exteranalopenid": ext}]}
    assert call(fresh_sim, "msgaudit/check_single_agree", body)["agreeinfo"][0]["agree_status"] == "Disagree"
    fresh_sim.mutate("customer_set_agree", external_userid=ext, agree_status="Agree", userid=userid)
    assert call(fresh_sim, "msgaudit/check_single_agree", body)["agreeinfo"][0]["agree_status"] == "Agree"
    assert fresh_sim.events[-1]["change_type"] == "msg_audit_approved"
    bad = {"info": [{"userid": userid, "exteranalopenid": "wmnobody"}]}
    assert call(fresh_sim, "msgaudit/check_single_agree", bad)["errcode"] == 301061
