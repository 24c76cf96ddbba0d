"""Tencent's closed Finance SDK (`libWeWorkFinanceSdk_C.so`) through ctypes: the production source."""

from __future__ import annotations

import ctypes
from collections.abc import Mapping
from pathlib import Path

import orjson
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from .base import (
    ERR_ENDPOINT,
    ERR_SDK_CALL,
    ERR_SDK_LOAD,
    ERR_SDK_MISSING,
    MAX_LIMIT,
    ArchiveError,
    ArchiveRecord,
    SdkUnavailable,
)
from .decode import _decode_chatdata

# SDK return codes (API.md §7.1).
SDK_ERRORS = {
    10000: "parameter error",
    10001: "network error",
    10002: "data parse failed",
    10003: "system failure",
    10004: "key error caused encryption failure",
    10005: "bad fileid",
    10006: "decryption failed",
    10007: "no private key for that message's key version",
    10008: "encrypt_key parse error",
    10009: "illegal IP",
    10010: "data expired",
    10011: "certificate error",
}


class _Slice(ctypes.Structure):
    _fields_ = [("buf", ctypes.c_char_p), ("len", ctypes.c_int)]


class FinanceSdkSource:
    """Tencent's Finance SDK through ctypes (API.md §7.1). Thin on purpose: every call is one SDK call.

    Settings: WECOM_FINANCE_SDK_PATH (the .so), WECOM_CORP_ID, WECOM_ARCHIVE_SECRET, and
    WECOM_ARCHIVE_PRIVATE_KEYS (version → PEM). Proxy and timeout are optional.
    """

    def __init__(
        self,
        *,
        library_path: str,
        corp_id: str,
        secret: str,
        private_keys: Mapping[int, RSAPrivateKey],
        proxy: str = "",
        proxy_password: str = "",
        timeout: int = 30,
        name: str = "sdk",
    ) -> None:
        self.name = name
        self.keys = dict(private_keys)
        self.proxy = proxy.encode() or None
        self.proxy_password = proxy_password.encode() or None
        self.timeout = timeout
        if not library_path or not Path(library_path).is_file():
            raise SdkUnavailable(ERR_SDK_MISSING.format(path=library_path))
        try:
            lib = ctypes.CDLL(library_path)
        except OSError as exc:
            raise SdkUnavailable(ERR_SDK_LOAD.format(path=library_path, error=exc)) from None
        lib.NewSdk.restype = ctypes.c_void_p
        lib.Init.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p]
        lib.Init.restype = ctypes.c_int
        lib.DestroySdk.argtypes = [ctypes.c_void_p]
        lib.NewSlice.restype = ctypes.c_void_p
        lib.FreeSlice.argtypes = [ctypes.c_void_p]
        lib.GetContentFromSlice.argtypes = [ctypes.c_void_p]
        lib.GetContentFromSlice.restype = ctypes.c_void_p
        lib.GetSliceLen.argtypes = [ctypes.c_void_p]
        lib.GetSliceLen.restype = ctypes.c_int
        lib.GetChatData.argtypes = [
            ctypes.c_void_p,
            ctypes.c_ulonglong,
            ctypes.c_uint,
            ctypes.c_char_p,
            ctypes.c_char_p,
            ctypes.c_int,
            ctypes.c_void_p,
        ]
        lib.GetChatData.restype = ctypes.c_int
        lib.DecryptData.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_void_p]
        lib.DecryptData.restype = ctypes.c_int
        self._lib = lib
        self._sdk = lib.NewSdk()
        rc = lib.Init(self._sdk, corp_id.encode(), secret.encode())
        if rc != 0:
            lib.DestroySdk(self._sdk)
            raise ArchiveError(ERR_SDK_CALL.format(call="Init", code=rc, meaning=SDK_ERRORS.get(rc, "unknown")))

    def _slice_bytes(self, slice_ptr: int) -> bytes:
        ptr = self._lib.GetContentFromSlice(slice_ptr)
        return ctypes.string_at(ptr, self._lib.GetSliceLen(slice_ptr)) if ptr else b""

    def _decrypt_data(self, random_key: bytes, encrypt_chat_msg: str) -> bytes:
        out = self._lib.NewSlice()
        try:
            rc = self._lib.DecryptData(random_key, encrypt_chat_msg.encode(), out)
            if rc != 0:
                raise ValueError(ERR_SDK_CALL.format(call="DecryptData", code=rc, meaning=SDK_ERRORS.get(rc, "?")))
            return self._slice_bytes(out)
        finally:
            self._lib.FreeSlice(out)

    def fetch(self, seq: int, limit: int) -> list[ArchiveRecord]:
        out = self._lib.NewSlice()
        try:
            rc = self._lib.GetChatData(
                self._sdk, seq, min(limit, MAX_LIMIT), self.proxy, self.proxy_password, self.timeout, out
            )
            if rc != 0:
                raise ArchiveError(
                    ERR_SDK_CALL.format(call="GetChatData", code=rc, meaning=SDK_ERRORS.get(rc, "unknown"))
                )
            body = orjson.loads(self._slice_bytes(out))
        finally:
            self._lib.FreeSlice(out)
        if body.get("errcode"):
            raise ArchiveError(ERR_ENDPOINT.format(errcode=body.get("errcode"), errmsg=body.get("errmsg", "")))
        return _decode_chatdata(list(body.get("chatdata") or []), self.keys, self._decrypt_data)

    def close(self) -> None:
        if getattr(self, "_sdk", None):
            self._lib.DestroySdk(self._sdk)
            self._sdk = None
