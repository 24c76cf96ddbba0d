"""The callback endpoint refuses hostile or stale envelopes with a 4xx and stores nothing (zhidu #7, defect 3).

Signature before anything costly, depth and size limits on both XML documents, a freshness window on the
signed timestamp (WECOM_CALLBACK_MAX_AGE_SECONDS), and a property test over malformed envelopes.
"""

from __future__ import annotations

import base64
import os
import time
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from zhidu.wecom.crypto import WXBizMsgCrypt, build_xml
from zhidu.wecom.models import CallbackInbox

CORP_ID = "wwhardening"
TOKEN = "hardtoken"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
URL = "/wecom/callback/"
MAX_BYTES = 8 * 1024
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def callback_settings(settings):  # type: ignore[no-untyped-def]
    settings.WECOM_CORP_ID = CORP_ID
    settings.WECOM_TOKEN = TOKEN
    settings.WECOM_ENCODING_AES_KEY = AES_KEY
    settings.WECOM_API_BASE = "http://127.0.0.1:9"
    settings.WECOM_MAX_TRIES = 1
    settings.WECOM_CALLBACK_MAX_AGE_SECONDS = 300
    settings.WECOM_CALLBACK_MAX_BYTES = MAX_BYTES
    return settings


CRYPTO = WXBizMsgCrypt(TOKEN, AES_KEY, CORP_ID)


def now() -> str:
    return str(int(time.time()))


def event(create_time: int | None = None) -> str:
    return build_xml(
        {
            "ToUserName": CORP_ID,
            "FromUserName": "sys",
            "CreateTime": create_time or int(time.time()),
            "MsgType": "event",
            "Event": "msgaudit_notify",
            "AgentID": "1000002",
        }
    )


def post(client, body: bytes | str, **params: str):  # type: ignore[no-untyped-def]
    return client.post(f"{URL}?{urlencode(params)}", data=body, content_type="text/xml")


def signed(client, plaintext: str, *, timestamp: str | None = None, nonce: str = "n1"):  # type: ignore[no-untyped-def]
    timestamp = timestamp or now()
    body, sig = CRYPTO.encrypt_callback(plaintext, nonce=nonce, timestamp=timestamp)
    return post(client, body, msg_signature=sig, timestamp=timestamp, nonce=nonce)


def nested(depth: int, inner: str = "x") -> str:
    return "<a>" * depth + inner + "</a>" * depth


def test_a_fresh_event_is_accepted(client, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        response = signed(client, event())
    assert response.status_code == 200
    assert CallbackInbox.objects.count() == 1


def test_deeply_nested_anonymous_body_is_refused_before_parsing_costs(client, callback_settings):  # type: ignore[no-untyped-def]
    callback_settings.WECOM_CALLBACK_MAX_BYTES = 1024 * 1024  # the default: small enough is not the defence here
    body = "<xml>" + nested(5000) + "</xml>"
    response = post(client, body, msg_signature="0" * 40, timestamp=now(), nonce="1")
    assert response.status_code == 400
    # without any parameters as well
    assert client.post(URL, data=body, content_type="text/xml").status_code == 400
    assert CallbackInbox.objects.count() == 0


def test_nested_envelope_is_refused_even_when_signed(client):  # type: ignore[no-untyped-def]
    encrypt = CRYPTO.encrypt(event())
    body = f"<xml><Encrypt>{encrypt}</Encrypt><Extra>{nested(3)}</Extra></xml>"
    ts = now()
    response = post(client, body, msg_signature=CRYPTO.signature(ts, "n", encrypt), timestamp=ts, nonce="n")
    assert response.status_code == 400
    assert CallbackInbox.objects.count() == 0


def test_deeply_nested_event_inside_a_signed_envelope_is_refused(client, callback_settings):  # type: ignore[no-untyped-def]
    callback_settings.WECOM_CALLBACK_MAX_BYTES = 1024 * 1024
    plaintext = event().replace("</xml>", nested(2000) + "</xml>")
    response = signed(client, plaintext)
    assert response.status_code == 400
    assert CallbackInbox.objects.count() == 0


@pytest.mark.parametrize("age", [301, 3600, -301, "2001-01-01"])
def test_a_stale_or_future_timestamp_is_refused(client, age):  # type: ignore[no-untyped-def]
    timestamp = "978307200" if age == "2001-01-01" else str(int(time.time()) - age)
    response = signed(client, event(), timestamp=timestamp)
    assert response.status_code == 403
    assert CallbackInbox.objects.count() == 0


def test_the_freshness_window_is_a_setting(client, callback_settings, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    callback_settings.WECOM_CALLBACK_MAX_AGE_SECONDS = 7200
    with django_capture_on_commit_callbacks(execute=True):
        response = signed(client, event(), timestamp=str(int(time.time()) - 3600))
    assert response.status_code == 200


@pytest.mark.parametrize("timestamp", ["abc", "-5", "1e9", "١٧٠٠٠٠٠٠٠٠", "9" * 40])
def test_a_timestamp_that_is_not_unix_seconds_is_refused(client, timestamp):  # type: ignore[no-untyped-def]
    response = signed(client, event(), timestamp=timestamp)
    assert response.status_code in (400, 403)
    assert CallbackInbox.objects.count() == 0


def test_a_huge_body_is_refused_unread(client):  # type: ignore[no-untyped-def]
    response = post(
        client, b"<xml>" + b"A" * (MAX_BYTES + 1) + b"</xml>", msg_signature="0", timestamp=now(), nonce="1"
    )
    assert response.status_code == 413
    assert CallbackInbox.objects.count() == 0


def test_a_non_ascii_signature_is_refused(client):  # type: ignore[no-untyped-def]
    body, _sig = CRYPTO.encrypt_callback(event(), nonce="n", timestamp=now())
    response = post(client, body, msg_signature="签名", timestamp=now(), nonce="n")
    assert response.status_code == 403
    assert CallbackInbox.objects.count() == 0


# --- property: malformed envelopes never get a 5xx and never store anything ------------------------------------

_tag = st.sampled_from(["xml", "Encrypt", "ToUserName", "AgentID", "a", "Item"])
_xml_tree = st.recursive(
    st.text(max_size=20).map(lambda t: t.replace("<", "&lt;").replace("&", "&amp;")),
    lambda children: st.tuples(_tag, st.lists(children, max_size=3)).map(
        lambda tc: f"<{tc[0]}>" + "".join(tc[1]) + f"</{tc[0]}>"
    ),
    max_leaves=12,
)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@st.composite
def envelopes(draw: st.DrawFn) -> tuple[bytes, dict[str, str]]:
    """(body, query parameters) of a POST that must be refused."""
    kind = draw(
        st.sampled_from(
            [
                "bytes",
                "xml",
                "deep",
                "huge",
                "bad_base64",
                "bad_padding",
                "short_plaintext",
                "wrong_corp",
                "wrong_token",
                "signed_junk_event",
                "stale",
            ]
        )
    )
    ts = now()
    sign = True
    if kind == "bytes":
        body, encrypt = draw(st.binary(max_size=300)), ""
        sign = False
    elif kind == "xml":
        body, encrypt = draw(_xml_tree).encode(), ""
        sign = False
    elif kind == "deep":
        body, encrypt = ("<xml>" + nested(draw(st.integers(2, 3000))) + "</xml>").encode(), ""
        sign = False
    elif kind == "huge":
        body, encrypt = b"<xml><Encrypt>" + b"Q" * draw(st.integers(MAX_BYTES, 2 * MAX_BYTES)) + b"</Encrypt></xml>", ""
        sign = False
    else:
        if kind == "bad_base64":
            encrypt = draw(
                st.text(min_size=1, max_size=60).filter(lambda t: t.strip() and "<" not in t and "&" not in t)
            )
        elif kind == "bad_padding":
            encrypt = _b64(draw(st.binary(min_size=1, max_size=6)) * 16)
        elif kind == "short_plaintext":
            encrypt = _b64(os.urandom(16 * draw(st.integers(1, 4))))
        elif kind == "wrong_corp":
            encrypt = WXBizMsgCrypt(TOKEN, AES_KEY, draw(st.sampled_from(["wwother", "", CORP_ID + "x"]))).encrypt(
                event()
            )
        elif kind == "wrong_token":
            encrypt = CRYPTO.encrypt(event())
        elif kind == "signed_junk_event":
            encrypt = CRYPTO.encrypt(draw(_xml_tree | st.text(max_size=50)))
        else:  # stale
            encrypt = CRYPTO.encrypt(event())
            ts = str(int(ts) - draw(st.integers(301, 10**9)))
        body = build_xml({"ToUserName": CORP_ID, "Encrypt": encrypt}).encode()
    token = "not-our-token" if kind == "wrong_token" else TOKEN
    nonce = draw(st.text(max_size=12))
    sig = WXBizMsgCrypt(token, AES_KEY, CORP_ID).signature(ts, nonce, encrypt) if sign else draw(st.text(max_size=41))
    params = {"msg_signature": sig, "timestamp": ts, "nonce": nonce}
    # sometimes drop or garble a parameter
    garble = draw(st.sampled_from([None, "msg_signature", "timestamp", "nonce"]))
    if garble is not None:
        params[garble] = draw(st.sampled_from(["", "0", "x" * 3, "签名"]))
    return body, params


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=envelopes())
def test_malformed_envelopes_are_refused_and_store_nothing(client, case):  # type: ignore[no-untyped-def]
    body, params = case
    response = client.post(f"{URL}?{urlencode(params)}", data=body, content_type="text/xml")
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:200])
    assert CallbackInbox.objects.count() == 0


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    echostr=st.text(max_size=80),
    signature=st.text(max_size=41),
    timestamp=st.text(max_size=12),
    nonce=st.text(max_size=12),
)
def test_malformed_url_verifications_are_refused(client, echostr, signature, timestamp, nonce):  # type: ignore[no-untyped-def]
    query = urlencode({"msg_signature": signature, "timestamp": timestamp, "nonce": nonce, "echostr": echostr})
    response = client.get(f"{URL}?{query}")
    assert 400 <= response.status_code < 500
    assert CallbackInbox.objects.count() == 0
