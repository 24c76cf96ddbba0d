"""Archive sources: JSON-lines files, private-key configuration, and the Finance SDK's error path."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from zhidu.wecom.archive import (
    ArchiveError,
    FinanceSdkSource,
    JsonlFileSource,
    SdkUnavailable,
    load_private_keys,
    parse_plaintext,
    source_from_settings,
)

from .factories import text_record, write_jsonl


@pytest.fixture(scope="module")
def pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    ).decode()


def test_jsonl_pages_by_line(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [text_record("u1", "wm1", str(i)) for i in range(5)])
    src = JsonlFileSource(path)
    first = src.fetch(0, 2)
    assert [r.seq for r in first] == [1, 2] and first[0].msg["text"]["content"] == "0"
    assert [r.seq for r in src.fetch(2, 10)] == [3, 4, 5]
    assert src.fetch(5, 10) == []
    assert src.name == f"file:{path.resolve()}"


def test_jsonl_bad_lines_come_back_as_errors(tmp_path):
    path = tmp_path / "b.jsonl"
    path.write_text('{"msgid": "a"}\n\nnot json\n[1, 2]\n', encoding="utf-8")
    recs = JsonlFileSource(path).fetch(0, 10)
    assert [(r.seq, r.ok) for r in recs] == [(1, True), (3, False), (4, False)]
    assert recs[1].where == "line 3" and "bad JSON" in recs[1].error


def test_control_characters_are_stripped():
    assert parse_plaintext(b'{"a": "x\x01y"}') == {"a": "xy"}


def test_jsonl_missing_file(tmp_path):
    with pytest.raises(ArchiveError):
        JsonlFileSource(tmp_path / "nope.jsonl")


def test_private_keys_from_pem_and_path(tmp_path, pem):
    path = tmp_path / "v2.pem"
    path.write_text(pem, encoding="ascii")
    keys = load_private_keys(json.dumps({"1": pem, "2": str(path)}))
    assert sorted(keys) == [1, 2]
    assert keys[1].private_numbers() == keys[2].private_numbers()
    assert load_private_keys("") == {}


@pytest.mark.parametrize(
    "spec, fragment",
    [
        ("{not json", "not JSON"),
        ('["a"]', "JSON object"),
        ('{"x": "-----BEGIN RSA PRIVATE KEY-----"}', "not an integer"),
        ('{"3": "-----BEGIN RSA PRIVATE KEY-----\\nAAAA\\n-----END RSA PRIVATE KEY-----"}', "not a PEM"),
        ('{"4": "/nonexistent/key.pem"}', "cannot read"),
    ],
)
def test_private_keys_bad_config(spec, fragment):
    with pytest.raises(ArchiveError, match=fragment):
        load_private_keys(spec)


def test_sdk_missing_library_is_a_clear_error(tmp_path):
    with pytest.raises(SdkUnavailable, match="WECOM_FINANCE_SDK_PATH"):
        FinanceSdkSource(
            library_path=str(tmp_path / "libWeWorkFinanceSdk_C.so"), corp_id="c", secret="s", private_keys={}
        )
    with pytest.raises(SdkUnavailable, match="WECOM_FINANCE_SDK_PATH"):
        FinanceSdkSource(library_path="", corp_id="c", secret="s", private_keys={})


def test_sdk_unloadable_library_is_a_clear_error(tmp_path):
    fake = tmp_path / "libWeWorkFinanceSdk_C.so"
    fake.write_bytes(b"not an ELF file")
    with pytest.raises(SdkUnavailable, match="could not be loaded"):
        FinanceSdkSource(library_path=str(fake), corp_id="c", secret="s", private_keys={})


def test_sdk_source_from_settings_without_library(settings):
    settings.WECOM_API_BASE = "https://qyapi.weixin.qq.com"
    settings.WECOM_FINANCE_SDK_PATH = ""
    with pytest.raises(SdkUnavailable):
        source_from_settings()
    with pytest.raises(ArchiveError, match="unknown archive source"):
        source_from_settings("carrier-pigeon")
