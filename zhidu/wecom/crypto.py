"""WeCom callback crypto (WXBizMsgCrypt), exactly as API.md §5.3.

* signature: sha1 over the lexicographically sorted [token, timestamp, nonce, encrypt], lowercase hex;
* AES-256-CBC, key = b64decode(EncodingAESKey + "="), IV = key[:16], no library padding;
* plaintext = random(16) | len(msg) as 4-byte big-endian | msg (UTF-8) | receiveid (UTF-8),
  PKCS#7 padded to a 32-byte block;
* decrypt checks the receiveid (corpid for a self-built app).

Every refusal raises `CryptoError` carrying the official sample's error code (API.md §5.4).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import string
import struct
import xml.etree.ElementTree as ET
from typing import Any
from xml.parsers import expat

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

# Official error codes (ierror.py of the WeCom sample).
OK = 0
VALIDATE_SIGNATURE_ERROR = -40001
PARSE_XML_ERROR = -40002
COMPUTE_SIGNATURE_ERROR = -40003
ILLEGAL_AES_KEY = -40004
VALIDATE_CORPID_ERROR = -40005
ENCRYPT_AES_ERROR = -40006
DECRYPT_AES_ERROR = -40007
ILLEGAL_BUFFER = -40008
ENCODE_BASE64_ERROR = -40009
DECODE_BASE64_ERROR = -40010
GEN_RETURN_XML_ERROR = -40011

BLOCK_SIZE = 32
_RANDOM_ALPHABET = string.ascii_letters + string.digits
_MAX_XML_BYTES = 2 * 1024 * 1024
# Nesting limits of the documents WeCom sends: the POSTed envelope is flat (<xml><Encrypt/>…</xml>), events nest
# at most four deep (<xml><ExtAttr><Item><Name/>…). Anything deeper is refused while parsing, before it can cost.
ENVELOPE_MAX_DEPTH = 2
XML_MAX_DEPTH = 8


class CryptoError(Exception):
    """A callback could not be verified, decrypted or parsed. `code` is the official error code."""

    def __init__(self, code: int, message: str = "") -> None:
        super().__init__(f"{code}: {message}" if message else str(code))
        self.code = code
        self.message = message


def sha1_signature(token: str, timestamp: str, nonce: str, encrypt: str) -> str:
    """sha1_hex(''.join(sorted([token, timestamp, nonce, encrypt])))."""
    try:
        parts = sorted([str(token), str(timestamp), str(nonce), str(encrypt)])
        return hashlib.sha1("".join(parts).encode("utf-8")).hexdigest()
    except Exception as exc:  # pragma: no cover - sha1 over str does not fail in practice
        raise CryptoError(COMPUTE_SIGNATURE_ERROR, str(exc)) from exc


def pkcs7_pad(data: bytes, block_size: int = BLOCK_SIZE) -> bytes:
    k = block_size - (len(data) % block_size)
    return data + bytes([k]) * k


def pkcs7_unpad(data: bytes, block_size: int = BLOCK_SIZE) -> bytes:
    if not data:
        raise CryptoError(DECRYPT_AES_ERROR, "empty plaintext")
    k = data[-1]
    if not 1 <= k <= block_size or k > len(data) or data[-k:] != bytes([k]) * k:
        raise CryptoError(DECRYPT_AES_ERROR, "bad padding")
    return data[:-k]


def parse_xml(text: str | bytes, *, max_bytes: int = _MAX_XML_BYTES, max_depth: int = XML_MAX_DEPTH) -> dict[str, Any]:
    """Parse a flat WeCom XML document into {tag: text}.

    Elements with children become a list of their children's text when every child is `<Item>`
    (e.g. MemChangeList), otherwise a nested dict (e.g. ExtAttr parsed one level deep).
    Guarded like defusedxml, plus limits: documents over `max_bytes`, nested deeper than `max_depth`, with a DTD,
    entity declarations or external entities are refused while parsing. Raises CryptoError(-40002).
    """
    raw = text.encode("utf-8") if isinstance(text, str) else bytes(text)
    if len(raw) > max_bytes:
        raise CryptoError(PARSE_XML_ERROR, "xml too large")
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate()
    parser.buffer_text = True
    depth = 0

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal depth
        depth += 1
        if depth > max_depth:
            raise CryptoError(PARSE_XML_ERROR, "xml nested too deeply")
        builder.start(tag, attrs)

    def end(tag: str) -> None:
        nonlocal depth
        depth -= 1
        builder.end(tag)

    def refuse(*_args: Any) -> Any:  # NoReturn; typed Any to fit every handler signature
        raise CryptoError(PARSE_XML_ERROR, "DTD and entities not allowed")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    try:
        parser.Parse(raw, True)
        root = builder.close()
    except (expat.ExpatError, ValueError, AssertionError) as exc:
        raise CryptoError(PARSE_XML_ERROR, str(exc)) from exc
    return _element_to_value(root) if len(root) else {}


def _element_to_value(element: ET.Element) -> Any:
    children = list(element)
    if not children:
        return element.text or ""
    if all(child.tag == "Item" for child in children):
        return [_element_to_value(child) for child in children]
    out: dict[str, Any] = {}
    for child in children:
        out[child.tag] = _element_to_value(child)
    return out


def _cdata(value: str) -> str:
    # "]]>" cannot appear inside CDATA; split it across two sections.
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def build_xml(fields: dict[str, Any]) -> str:
    """Build `<xml>…</xml>` the way WeCom does: strings in CDATA, ints bare, lists as <Item>s."""
    return "<xml>" + "".join(_xml_field(k, v) for k, v in fields.items()) + "</xml>"


def _xml_field(tag: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return f"<{tag}>{int(value)}</{tag}>"
    if isinstance(value, int):
        return f"<{tag}>{value}</{tag}>"
    if isinstance(value, list | tuple):
        return f"<{tag}>" + "".join(_xml_field("Item", v) for v in value) + f"</{tag}>"
    if isinstance(value, dict):
        return f"<{tag}>" + "".join(_xml_field(k, v) for k, v in value.items()) + f"</{tag}>"
    return f"<{tag}>{_cdata(str(value))}</{tag}>"


class WXBizMsgCrypt:
    """The WeCom callback scheme for one (token, EncodingAESKey, receiveid)."""

    def __init__(self, token: str, encoding_aes_key: str, receive_id: str) -> None:
        if not token:
            raise CryptoError(VALIDATE_SIGNATURE_ERROR, "empty token")
        if len(encoding_aes_key or "") != 43:
            raise CryptoError(ILLEGAL_AES_KEY, "EncodingAESKey must be 43 characters")
        try:
            key = base64.b64decode(encoding_aes_key + "=", validate=True)
        except (binascii.Error, ValueError) as exc:
            raise CryptoError(ILLEGAL_AES_KEY, str(exc)) from exc
        if len(key) != 32:
            raise CryptoError(ILLEGAL_AES_KEY, "EncodingAESKey does not decode to 32 bytes")
        self.token = token
        self.key = key
        self.iv = key[:16]
        self.receive_id = receive_id

    # --- signatures ---------------------------------------------------------------------------

    def signature(self, timestamp: str, nonce: str, encrypt: str) -> str:
        return sha1_signature(self.token, timestamp, nonce, encrypt)

    def check_signature(self, msg_signature: str, timestamp: str, nonce: str, encrypt: str) -> None:
        expected = self.signature(timestamp, nonce, encrypt)
        # bytes, not str: compare_digest raises TypeError on non-ASCII text, and a query string may hold anything.
        if not hmac.compare_digest(expected.encode(), str(msg_signature or "").lower().encode("utf-8", "replace")):
            raise CryptoError(VALIDATE_SIGNATURE_ERROR, "signature mismatch")

    # --- AES ----------------------------------------------------------------------------------

    def encrypt(self, plaintext: str, *, random16: bytes | None = None) -> str:
        """Base64 ciphertext of `plaintext` (the value of the <Encrypt> element)."""
        if random16 is None:
            random16 = "".join(secrets.choice(_RANDOM_ALPHABET) for _ in range(16)).encode("ascii")
        if len(random16) != 16:
            raise CryptoError(ENCRYPT_AES_ERROR, "random prefix must be 16 bytes")
        msg = plaintext.encode("utf-8")
        buffer = random16 + struct.pack(">I", len(msg)) + msg + self.receive_id.encode("utf-8")
        try:
            encryptor = Cipher(algorithms.AES(self.key), modes.CBC(self.iv)).encryptor()
            ciphertext = encryptor.update(pkcs7_pad(buffer)) + encryptor.finalize()
        except Exception as exc:  # pragma: no cover - AES over padded input does not fail
            raise CryptoError(ENCRYPT_AES_ERROR, str(exc)) from exc
        return base64.b64encode(ciphertext).decode("ascii")

    def decrypt(self, encrypt: str) -> str:
        """Plaintext message of an <Encrypt> value; checks padding, layout and receiveid."""
        try:
            ciphertext = base64.b64decode(encrypt, validate=True)
        except (binascii.Error, ValueError, TypeError) as exc:
            raise CryptoError(DECODE_BASE64_ERROR, str(exc)) from exc
        if not ciphertext or len(ciphertext) % 16:
            raise CryptoError(DECRYPT_AES_ERROR, "ciphertext is not a whole number of AES blocks")
        decryptor = Cipher(algorithms.AES(self.key), modes.CBC(self.iv)).decryptor()
        padded = decryptor.update(ciphertext) + decryptor.finalize()
        buffer = pkcs7_unpad(padded)
        if len(buffer) < 20:
            raise CryptoError(ILLEGAL_BUFFER, "plaintext too short")
        (length,) = struct.unpack(">I", buffer[16:20])
        if 20 + length > len(buffer):
            raise CryptoError(ILLEGAL_BUFFER, "message length exceeds buffer")
        msg, receive_id = buffer[20 : 20 + length], buffer[20 + length :]
        if not hmac.compare_digest(receive_id, self.receive_id.encode("utf-8")):
            raise CryptoError(VALIDATE_CORPID_ERROR, "receiveid mismatch")
        try:
            return msg.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CryptoError(ILLEGAL_BUFFER, "message is not UTF-8") from exc

    # --- the protocol -------------------------------------------------------------------------

    def verify_url(self, msg_signature: str, timestamp: str, nonce: str, echostr: str) -> str:
        """GET verification: check the signature over echostr and return its plaintext."""
        self.check_signature(msg_signature, timestamp, nonce, echostr)
        return self.decrypt(echostr)

    def verify_msg(self, msg_signature: str, timestamp: str, nonce: str, post_body_xml: bytes | str) -> str:
        """POST event, first step: parse the (flat) envelope, check the signature over <Encrypt>, return it."""
        envelope = parse_xml(post_body_xml, max_depth=ENVELOPE_MAX_DEPTH)
        encrypt = envelope.get("Encrypt") if isinstance(envelope, dict) else None
        if not isinstance(encrypt, str) or not encrypt:
            raise CryptoError(PARSE_XML_ERROR, "no Encrypt element")
        self.check_signature(msg_signature, timestamp, nonce, encrypt)
        return encrypt

    def decrypt_msg(self, msg_signature: str, timestamp: str, nonce: str, post_body_xml: bytes | str) -> str:
        """POST event: parse the envelope, check the signature over <Encrypt>, return the plaintext XML."""
        return self.decrypt(self.verify_msg(msg_signature, timestamp, nonce, post_body_xml))

    def encrypt_msg(self, plaintext_xml: str, nonce: str, timestamp: str, *, random16: bytes | None = None) -> str:
        """Passive reply XML: <xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>."""
        encrypt = self.encrypt(plaintext_xml, random16=random16)
        signature = self.signature(str(timestamp), nonce, encrypt)
        return (
            f"<xml><Encrypt>{_cdata(encrypt)}</Encrypt><MsgSignature>{_cdata(signature)}</MsgSignature>"
            f"<TimeStamp>{timestamp}</TimeStamp><Nonce>{_cdata(nonce)}</Nonce></xml>"
        )

    def encrypt_callback(
        self, plaintext_xml: str, *, nonce: str, timestamp: str, agent_id: str = "", random16: bytes | None = None
    ) -> tuple[str, str]:
        """What WeCom POSTs to a callback URL: (body XML, msg_signature for the query string)."""
        encrypt = self.encrypt(plaintext_xml, random16=random16)
        fields: dict[str, Any] = {"ToUserName": self.receive_id}
        if agent_id:
            fields["AgentID"] = str(agent_id)
        fields["Encrypt"] = encrypt
        return build_xml(fields), self.signature(str(timestamp), nonce, encrypt)


def generate_encoding_aes_key() -> str:
    """A fresh 43-character EncodingAESKey (what the admin console generates)."""
    return base64.b64encode(secrets.token_bytes(32)).decode("ascii")[:43]
