"""WXBizMsgCrypt against the published vectors (API.md §5.5), round trips, and every refusal."""

from __future__ import annotations

import base64
import struct
from urllib.parse import unquote

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from hypothesis import given, settings
from hypothesis import strategies as st

from zhidu.wecom import crypto
from zhidu.wecom.crypto import CryptoError, WXBizMsgCrypt, build_xml, parse_xml, sha1_signature

# Vector B: the official "加解密方案说明" example.
B_TOKEN, B_KEY, B_CORP = "QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "wx5823bf96d3bd56c7"
B_ECHO_URL = "P9nAzCzyDtyTWESHep1vC5X9xho%2FqYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp%2B4RPcs8TgAE7OaBO%2BFZXvnaqQ%3D%3D"
B_ENCRYPT = (
    "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJ"
    "Ts3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf"
    "5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWr"
    "QUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyP"
    "IGHBZZIs2pDBS8R07+qN+E7Q=="
)
B_PLAIN = (
    "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n<FromUserName><![CDATA[mycreate]]></FromUserName>\n"
    "<CreateTime>1409659813</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[hello]]></Content>\n"
    "<MsgId>4561255354251345929</MsgId>\n<AgentID>218</AgentID>\n</xml>"
)

# Vector C: wechatpy tests/test_crypto.py.
C_TOKEN, C_KEY, C_CORP = "123456", "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR", "wx49f0ab532d5d035a"
C_ECHO = "4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q=="
C_ENCRYPT = (
    "RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXzF6Bv283dGymzxh6ydJ"
    "RvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hIiOAQqGp/TywZ"
    "BtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7FS709/5t6NM"
    "xuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0="
)
C_PLAIN_FOR_ENCRYPT = (
    "<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n"
    "<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>\n<ToUserName><![CDATA[messense]]></ToUserName>\n"
    "<AgentID>1</AgentID>\n<CreateTime>1411525903</CreateTime>\n</xml>"
)
C_EXPECTED_ENCRYPT = (
    "9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYqxgNcBqGsL8GqxlhZgURnAtObvesEl5"
    "nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCFM2JTF5wY0nFhHZSjPUL2Q1qvSUCUld+/WIXrx0oyKQmpB6o8NRrrNrsDf0"
    "3oxI1p9FxUgMnwKKZeOA/uu+2IEvEBtb7muXsVbwbgX05UPPJvFurDXafG0RQyPR+mf1nDnAtQmmNOuiR5MIkdQ39xn1vWwi1O5oazPoQJz0nTYjx"
    "xEE8kv3kFxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3"
)


@pytest.fixture
def b() -> WXBizMsgCrypt:
    return WXBizMsgCrypt(B_TOKEN, B_KEY, B_CORP)


@pytest.fixture
def c() -> WXBizMsgCrypt:
    return WXBizMsgCrypt(C_TOKEN, C_KEY, C_CORP)


def _body(encrypt: str) -> str:
    return f"<xml><ToUserName><![CDATA[x]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"


def test_vector_b_verify_url_from_url_encoded_echostr(b: WXBizMsgCrypt) -> None:
    echostr = unquote(B_ECHO_URL)
    plain = b.verify_url("5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3", "1409659589", "263014780", echostr)
    assert plain == "1616140317555161061"


def test_vector_b_decrypt_post(b: WXBizMsgCrypt) -> None:
    plain = b.decrypt_msg("477715d11cdb4164915debcba66cb864d751f3e6", "1409659813", "1372623149", _body(B_ENCRYPT))
    assert plain == B_PLAIN
    assert len(plain.encode()) == 284
    assert parse_xml(plain)["Content"] == "hello"


def test_vector_c_verify_url_and_wrong_nonce(c: WXBizMsgCrypt) -> None:
    sig = "dd6b9c95b495b3f7e2901bfbc76c664930ffdb96"
    assert c.verify_url(sig, "1411443780", "437374425", C_ECHO) == "5927782489442352469"
    with pytest.raises(CryptoError) as err:
        c.verify_url(sig, "1411443780", "437374424", C_ECHO)
    assert err.value.code == crypto.VALIDATE_SIGNATURE_ERROR == -40001


def test_vector_c_decrypt_post(c: WXBizMsgCrypt) -> None:
    plain = c.decrypt_msg("74d92dfeb87ba7c714f89d98870ae5eb62dff26d", "1411525903", "461056294", _body(C_ENCRYPT))
    fields = parse_xml(plain)
    assert fields == {
        "ToUserName": "wx49f0ab532d5d035a",
        "FromUserName": "messense",
        "CreateTime": "1411525903",
        "MsgType": "text",
        "Content": "test",
        "MsgId": "4363689963896700987",
        "AgentID": "1",
    }
    assert len(plain.encode()) == 281


def test_vector_c_encrypt_byte_for_byte(c: WXBizMsgCrypt) -> None:
    reply = c.encrypt_msg(C_PLAIN_FOR_ENCRYPT, "461056294", "1411525903", random16=b"1234567890123456")
    fields = parse_xml(reply)
    assert fields["Encrypt"] == C_EXPECTED_ENCRYPT
    assert fields["MsgSignature"] == "407518b7649e86ef23978113f92d27afa9296533"
    assert fields["TimeStamp"] == "1411525903"
    assert fields["Nonce"] == "461056294"
    assert reply.startswith("<xml><Encrypt><![CDATA[9s4g")


def test_signature_is_sha1_of_sorted_parts() -> None:
    assert sha1_signature("b", "a", "d", "c") == sha1_signature("d", "c", "b", "a")
    assert len(sha1_signature("t", "1", "2", "x")) == 40


@settings(max_examples=60, deadline=None)
@given(
    text=st.text(max_size=600),
    nonce=st.text(alphabet="0123456789abcdef", min_size=1, max_size=12),
    ts=st.integers(min_value=0, max_value=2**31),
    receive_id=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=30),
)
def test_round_trip(text: str, nonce: str, ts: int, receive_id: str) -> None:
    c = WXBizMsgCrypt("tok", crypto.generate_encoding_aes_key(), receive_id)
    body, signature = c.encrypt_callback(text, nonce=nonce, timestamp=str(ts), agent_id="1000002")
    assert c.decrypt_msg(signature, str(ts), nonce, body) == text
    reply = c.encrypt_msg(text, nonce, str(ts))
    fields = parse_xml(reply)
    assert c.decrypt_msg(fields["MsgSignature"], fields["TimeStamp"], fields["Nonce"], reply) == text


@settings(max_examples=40, deadline=None)
@given(st.binary(min_size=0, max_size=200))
def test_garbage_never_crashes_with_another_exception(data: bytes) -> None:
    c = WXBizMsgCrypt(C_TOKEN, C_KEY, C_CORP)
    encrypt = base64.b64encode(data).decode()
    with pytest.raises(CryptoError):
        c.decrypt(encrypt)


def test_refuses_bad_signature_on_post(c: WXBizMsgCrypt) -> None:
    with pytest.raises(CryptoError) as err:
        c.decrypt_msg("0" * 40, "1411525903", "461056294", _body(C_ENCRYPT))
    assert err.value.code == -40001


def test_refuses_wrong_receiveid() -> None:
    other = WXBizMsgCrypt(C_TOKEN, C_KEY, "wwsomeoneelse")
    with pytest.raises(CryptoError) as err:
        other.decrypt_msg("74d92dfeb87ba7c714f89d98870ae5eb62dff26d", "1411525903", "461056294", _body(C_ENCRYPT))
    assert err.value.code == crypto.VALIDATE_CORPID_ERROR == -40005


def _raw_encrypt(c: WXBizMsgCrypt, padded: bytes) -> str:
    enc = Cipher(algorithms.AES(c.key), modes.CBC(c.iv)).encryptor()
    return base64.b64encode(enc.update(padded) + enc.finalize()).decode()


@pytest.mark.parametrize("pad_byte", [0, 33, 200])
def test_refuses_pad_count_outside_1_to_32(c: WXBizMsgCrypt, pad_byte: int) -> None:
    msg = b"hello"
    buffer = b"1234567890123456" + struct.pack(">I", len(msg)) + msg + C_CORP.encode()
    buffer += b"x" * (-(len(buffer) + 1) % 32) + bytes([pad_byte])
    with pytest.raises(CryptoError) as err:
        c.decrypt(_raw_encrypt(c, buffer))
    assert err.value.code == crypto.DECRYPT_AES_ERROR == -40007


def test_refuses_inconsistent_padding_bytes(c: WXBizMsgCrypt) -> None:
    msg = b"hello"
    buffer = b"1234567890123456" + struct.pack(">I", len(msg)) + msg + C_CORP.encode()
    k = 32 - len(buffer) % 32
    padded = buffer + bytes([k]) * (k - 1) + bytes([k])
    padded = padded[:-2] + bytes([(k + 1) % 256]) + padded[-1:]  # one wrong pad byte
    with pytest.raises(CryptoError) as err:
        c.decrypt(_raw_encrypt(c, padded))
    assert err.value.code == -40007


def test_refuses_length_field_beyond_buffer(c: WXBizMsgCrypt) -> None:
    buffer = b"1234567890123456" + struct.pack(">I", 10_000) + b"short"
    with pytest.raises(CryptoError) as err:
        c.decrypt(_raw_encrypt(c, crypto.pkcs7_pad(buffer)))
    assert err.value.code == crypto.ILLEGAL_BUFFER == -40008


@pytest.mark.parametrize(
    ("encrypt", "code"),
    [
        ("not base64 at all!!", crypto.DECODE_BASE64_ERROR),
        (C_ENCRYPT[:-7], crypto.DECODE_BASE64_ERROR),  # truncated: broken base64
        (base64.b64encode(base64.b64decode(C_ENCRYPT)[:-16]).decode(), crypto.DECRYPT_AES_ERROR),  # one block short
        (base64.b64encode(b"\x01" * 15).decode(), crypto.DECRYPT_AES_ERROR),  # not whole blocks
        ("", crypto.DECRYPT_AES_ERROR),
    ],
)
def test_refuses_truncated_or_garbage_base64(c: WXBizMsgCrypt, encrypt: str, code: int) -> None:
    with pytest.raises(CryptoError) as err:
        c.decrypt(encrypt)
    assert err.value.code == code


@pytest.mark.parametrize(
    "body",
    [
        "<xml><Encrypt>abc</Encrypt>",
        "not xml",
        "",
        "<xml><ToUserName>x</ToUserName></xml>",  # no Encrypt element
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><xml><Encrypt>&a;</Encrypt></xml>',
    ],
)
def test_refuses_malformed_xml(c: WXBizMsgCrypt, body: str) -> None:
    with pytest.raises(CryptoError) as err:
        c.decrypt_msg("0" * 40, "1", "2", body)
    assert err.value.code == crypto.PARSE_XML_ERROR == -40002


@pytest.mark.parametrize("key", ["short", "!" * 43, B_KEY + "A"])
def test_refuses_illegal_aes_key(key: str) -> None:
    with pytest.raises(CryptoError) as err:
        WXBizMsgCrypt("t", key, "corp")
    assert err.value.code == crypto.ILLEGAL_AES_KEY == -40004


def test_build_and_parse_event_xml() -> None:
    xml = build_xml(
        {
            "ToUserName": "ww1",
            "CreateTime": 1700000000,
            "Event": "change_external_chat",
            "MemChangeList": ["wm1", "zhangsan"],
            "Name": "a]]>b",
        }
    )
    assert "<CreateTime>1700000000</CreateTime>" in xml
    assert parse_xml(xml) == {
        "ToUserName": "ww1",
        "CreateTime": "1700000000",
        "Event": "change_external_chat",
        "MemChangeList": ["wm1", "zhangsan"],
        "Name": "a]]>b",
    }
