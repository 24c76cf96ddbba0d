"""Decoding GetChatData items (API.md §7.3): RSA-open each random key, DecryptData, JSON.
Shared by the SDK source, the simulator source and its read-ahead pipeline."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from typing import Any

import orjson
from cryptography.hazmat.primitives import padding as sym_padding
from cryptography.hazmat.primitives.asymmetric import padding as asym_padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from .base import ERR_BAD_RSA, ERR_NO_KEY, ArchiveKeyError, ArchiveRecord

# Payloads may carry raw control characters that break JSON parsers (API.md §7.3 step 3).
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# The decrypted random key is a short printable-ASCII string (32 characters in practice).
_RANDOM_KEY = re.compile(rb"[\x21-\x7e]{16,64}")


def parse_plaintext(data: bytes) -> dict[str, Any]:
    """Decrypted JSON → dict, stripping raw control characters first (API.md §7.3)."""
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        value = orjson.loads(_CONTROL.sub(b"", data))
    if not isinstance(value, dict):
        raise ValueError("the record is not a JSON object")
    return value


# What RSA made of one record's encrypt_random_key: the random key, or why not ("missing" / "bad" key version).
Opened = bytes | tuple[str, int]


def _open_keys(items: list[dict[str, Any]], keys: Mapping[int, RSAPrivateKey]) -> list[Opened]:
    """RSA step (API.md §7.3 step 1) for every item, stopping after the first failure."""
    out: list[Opened] = []
    pkcs1 = asym_padding.PKCS1v15()
    for item in items:
        ver = int(item.get("publickey_ver") or 0)
        key = keys.get(ver)
        if key is None:
            out.append(("missing", ver))
            break
        try:
            random_key = key.decrypt(base64.b64decode(item.get("encrypt_random_key") or ""), pkcs1)
            if not _RANDOM_KEY.fullmatch(random_key):
                # OpenSSL's implicit rejection (Marvin countermeasure) answers a wrong key with random bytes
                # instead of an error; a real random key is printable ASCII, so anything else means "wrong key".
                raise ValueError("not a random key")
        except (ValueError, binascii.Error):
            out.append(("bad", ver))
            break
        out.append(random_key)
    return out


def _open_messages(
    items: list[dict[str, Any]], opened: list[Opened], open_message: Any, known: str
) -> list[ArchiveRecord]:
    """DecryptData step (and JSON) for the items whose random key was opened.

    A missing/wrong key raises `ArchiveKeyError` unless records before it were decoded: those are
    returned (the page is cut there) so the next call starts at the bad record and raises.
    """
    out: list[ArchiveRecord] = []
    for item, random_key in zip(items, opened, strict=False):
        seq = int(item.get("seq") or 0)
        if isinstance(random_key, tuple):
            if out:
                return out
            kind, ver = random_key
            message = (
                ERR_NO_KEY.format(ver=ver, seq=seq, known=known)
                if kind == "missing"
                else ERR_BAD_RSA.format(ver=ver, seq=seq)
            )
            raise ArchiveKeyError(message, seq=seq, version=ver)
        where = f"seq {seq}"
        try:
            msg = parse_plaintext(open_message(random_key, item.get("encrypt_chat_msg") or ""))
        except (ValueError, TypeError, binascii.Error) as exc:
            out.append(ArchiveRecord(seq=seq, msg=None, error=f"cannot decrypt or parse: {exc}", where=where))
            continue
        out.append(ArchiveRecord(seq=seq, msg=msg, where=where))
    return out


def _known(keys: Mapping[int, Any]) -> str:
    return ", ".join(str(v) for v in sorted(keys)) or "none"


def _decode_chatdata(
    items: list[dict[str, Any]],
    keys: Mapping[int, RSAPrivateKey],
    open_message: Any,
) -> list[ArchiveRecord]:
    """GetChatData items → records: RSA-open each random key, then `open_message(key, encrypt_chat_msg)`."""
    return _open_messages(items, _open_keys(items, keys), open_message, _known(keys))


def simulator_decrypt_data(random_key: bytes, encrypt_chat_msg: str) -> bytes:
    """The simulator's TEST-ONLY stand-in for the SDK's DecryptData (the real algorithm is not public).

    AES-256-CBC with key = the 32-byte random key, IV = key[:16], PKCS#7 padding, base64 text.
    """
    key = random_key[:32]
    if len(key) != 32:
        raise ValueError("the random key must be 32 bytes")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    padded = decryptor.update(base64.b64decode(encrypt_chat_msg)) + decryptor.finalize()
    unpadder = sym_padding.PKCS7(128).unpadder()
    return unpadder.update(padded) + unpadder.finalize()
