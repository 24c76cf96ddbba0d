"""Chat-archive sources (会话内容存档, API.md §7): where decrypted chat records come from.

An `ArchiveSource` has a stable `name` (the cursor key) and `fetch(seq, limit)`, which returns the records
*after* `seq` in seq order, at most `limit` of them, already decrypted. Three sources:

* `FinanceSdkSource` — production: Tencent's closed Finance SDK (`libWeWorkFinanceSdk_C.so`) through ctypes.
  `GetChatData` pages by seq; we RSA-decrypt each `encrypt_random_key` (PKCS#1 v1.5) with the private key
  of its `publickey_ver`, then the SDK's `DecryptData` opens `encrypt_chat_msg`. It cannot run in our
  development environment (the library is not redistributable); only its error path is tested.
* `SimulatorArchiveSource` — the WeCom simulator's GetChatData-like HTTP endpoint. The RSA step is the
  real one; the message step uses the simulator's own, documented, TEST-ONLY DecryptData scheme.
* `JsonlFileSource` — a file with one decrypted record (API.md §7.4) per line; seq = line number unless
  the record carries its own `seq`.

Failure rules: a record whose body cannot be read (bad JSON, DecryptData failure) comes back as an
`ArchiveRecord` with `error` set and is skipped by the caller with a report. A missing private key
version (or a key that cannot open the random key) is a configuration problem: `fetch` returns the
records before it and raises `ArchiveKeyError` on the next call, so the cursor never passes it.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import ctypes
import hashlib
import json
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import orjson
from cryptography.hazmat.primitives import padding as sym_padding
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding as asym_padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

log = logging.getLogger(__name__)

MAX_LIMIT = 1000

ERR_SDK_MISSING = (
    "The WeCom Finance SDK library was not found at {path!r}. Set WECOM_FINANCE_SDK_PATH to the path of "
    "libWeWorkFinanceSdk_C.so (downloaded from the WeCom admin console, 管理工具 → 会话内容存档)."
)
ERR_SDK_LOAD = "The WeCom Finance SDK library {path!r} could not be loaded: {error}"
ERR_SDK_CALL = "The WeCom Finance SDK call {call} failed with code {code} ({meaning})."
ERR_NO_KEY = (
    "No private key for publickey_ver {ver} (record seq {seq}); known versions: {known}. Add it to "
    "WECOM_ARCHIVE_PRIVATE_KEYS; the archive cursor was not moved past this record."
)
ERR_BAD_RSA = (
    "The private key for publickey_ver {ver} cannot decrypt encrypt_random_key of record seq {seq}; "
    "check WECOM_ARCHIVE_PRIVATE_KEYS. The archive cursor was not moved past this record."
)
ERR_KEYS_CONFIG = "WECOM_ARCHIVE_PRIVATE_KEYS is not valid: {error}"
ERR_ENDPOINT = "The archive endpoint answered errcode {errcode}: {errmsg}"

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

# Payloads may carry raw control characters that break JSON parsers (API.md §7.3 step 3).
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# The decrypted random key is a short printable-ASCII string (32 characters in practice).
_RANDOM_KEY = re.compile(rb"[\x21-\x7e]{16,64}")


class ArchiveError(Exception):
    """The archive cannot be read right now (configuration, library or endpoint problem)."""


class ArchiveKeyError(ArchiveError):
    """A record needs a private key we do not have (or ours cannot open it). Stop; do not advance."""

    def __init__(self, message: str, *, seq: int, version: int) -> None:
        super().__init__(message)
        self.seq = seq
        self.version = version

    def __reduce__(self) -> Any:  # raised in a decrypt worker process, re-raised here
        return (_key_error, (str(self), self.seq, self.version))


def _key_error(message: str, seq: int, version: int) -> ArchiveKeyError:
    return ArchiveKeyError(message, seq=seq, version=version)


class SdkUnavailable(ArchiveError):
    """The Finance SDK library is missing or cannot be loaded."""


@dataclass(slots=True)
class ArchiveRecord:
    """One archive position. `msg` is the decrypted record (API.md §7.4); None when it could not be read."""

    seq: int
    msg: dict[str, Any] | None
    error: str = ""
    where: str = ""  # "seq 12" or "line 4": how to find the record when reporting a problem

    @property
    def ok(self) -> bool:
        return self.msg is not None


class ArchiveSource(Protocol):
    name: str

    def fetch(self, seq: int, limit: int) -> list[ArchiveRecord]:
        """Records after `seq` (seq order), at most `limit` (≤ 1000); [] when there is nothing new."""
        ...


# --------------------------------------------------------------------------------------------- keys


def load_private_keys(spec: str | Mapping[Any, str] | None) -> dict[int, RSAPrivateKey]:
    """Parse private keys by `publickey_ver`: a JSON object (or mapping) of version → PEM text or PEM file path."""
    if not spec:
        return {}
    if isinstance(spec, str):
        try:
            spec = json.loads(spec)
        except json.JSONDecodeError as exc:
            raise ArchiveError(ERR_KEYS_CONFIG.format(error=f"not JSON ({exc})")) from None
        if not isinstance(spec, dict):
            raise ArchiveError(ERR_KEYS_CONFIG.format(error="expected a JSON object of version → key"))
    keys: dict[int, RSAPrivateKey] = {}
    for ver, value in spec.items():
        try:
            version = int(ver)
        except (TypeError, ValueError):
            raise ArchiveError(ERR_KEYS_CONFIG.format(error=f"version {ver!r} is not an integer")) from None
        text = str(value).strip()
        if not text.startswith("-----BEGIN"):
            try:
                text = Path(text).read_text(encoding="ascii")
            except OSError as exc:
                raise ArchiveError(ERR_KEYS_CONFIG.format(error=f"version {version}: cannot read {text!r}: {exc}"))
        try:
            key = serialization.load_pem_private_key(text.encode("ascii"), password=None)
        except (ValueError, TypeError) as exc:
            raise ArchiveError(ERR_KEYS_CONFIG.format(error=f"version {version}: not a PEM private key ({exc})"))
        if not isinstance(key, RSAPrivateKey):
            raise ArchiveError(ERR_KEYS_CONFIG.format(error=f"version {version}: not an RSA key"))
        keys[version] = key
    return keys


def private_keys_from_settings() -> dict[int, RSAPrivateKey]:
    from django.conf import settings

    spec = getattr(settings, "WECOM_ARCHIVE_PRIVATE_KEYS", None) or os.environ.get("WECOM_ARCHIVE_PRIVATE_KEYS", "")
    return load_private_keys(spec)


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


_WORKER_KEYS: dict[int, RSAPrivateKey] = {}


def _worker_init(pems: dict[int, bytes]) -> None:
    _WORKER_KEYS.clear()
    _WORKER_KEYS.update(load_private_keys({v: pem.decode("ascii") for v, pem in pems.items()}))


def _worker_open_keys(items: list[dict[str, Any]]) -> list[Opened]:
    return _open_keys(items, _WORKER_KEYS)


class _Pipeline:
    """Read ahead: while the caller stores and scans one page, the next pages are fetched and decrypted.

    The archive is read strictly in order, and a raw page names its own last seq, so a reader thread can
    fetch up to `depth` pages ahead without waiting for decryption; each raw page is decrypted as soon as it
    arrives. With `workers` ≥ 1 the decryption (RSA, DecryptData, JSON) runs in separate processes and
    uses another core instead of competing with storing and scanning for this process's GIL; without, it
    runs in the reader thread (HTTP waits still overlap). A request for any other position than the one
    read ahead drops what was read and starts again from there.
    """

    def __init__(self, fetch_raw: Any, keys: Mapping[int, RSAPrivateKey], *, workers: int = 0, depth: int = 2) -> None:
        self._fetch_raw = fetch_raw
        self._keys = keys
        self._workers = workers
        self._depth = depth
        self._procs: Any = None
        self._reader: Any = None
        self._queue: Any = None
        self._stop: Any = None
        self._next: tuple[int, int] | None = None  # (seq, limit) the queue's head answers

    def _decode_async(self, items: list[dict[str, Any]]) -> Any:
        """A future of the page's random keys: opened by a worker process (RSA only; it is the expensive
        part, and the answer is small to send back), or here, right away, without workers."""
        from concurrent.futures import Future

        if self._workers > 0:
            import multiprocessing

            if multiprocessing.current_process().daemon:  # e.g. a Celery prefork worker: no child processes
                log.warning("archive: decrypt workers are not possible in a daemonic process; decrypting in-thread")
                self._workers = 0
            else:
                slim = [{"publickey_ver": i.get("publickey_ver"), "encrypt_random_key": i.get("encrypt_random_key")}
                        for i in items]  # fmt: skip
                return self._pool().submit(_worker_open_keys, slim)
        done: Future[list[Opened]] = Future()
        try:
            done.set_result(_open_keys(items, self._keys))
        except BaseException as exc:
            done.set_exception(exc)
        return done

    def _pool(self) -> Any:
        if self._procs is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            pems = {
                v: k.private_bytes(
                    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
                )
                for v, k in self._keys.items()
            }
            self._procs = ProcessPoolExecutor(
                max_workers=self._workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_worker_init, initargs=(pems,),
            )  # fmt: skip
        return self._procs

    def _read(self, seq: int, limit: int, queue: Any, stop: Any) -> None:
        """Reader thread: raw page after raw page, each handed to RSA at once, until a short page or `stop`.
        Queue entries are (raw items, future of their opened random keys)."""
        from concurrent.futures import Future

        while not stop.is_set():
            try:
                items = self._fetch_raw(seq, limit)
                opened = self._decode_async(items)
            except BaseException as exc:
                opened = Future()
                opened.set_exception(exc)
                items = []
            while not stop.is_set():
                try:
                    queue.put((items, opened), timeout=0.2)
                    break
                except Exception:  # queue.Full: the consumer is behind; wait
                    continue
            if len(items) < limit:
                return
            seq = int(items[-1].get("seq") or 0)

    def _start(self, seq: int, limit: int) -> None:
        import queue
        import threading

        self._stop = threading.Event()
        self._queue = queue.Queue(maxsize=self._depth)
        self._reader = threading.Thread(
            target=self._read, args=(seq, limit, self._queue, self._stop), name="archive-read-ahead", daemon=True
        )
        self._next = (seq, limit)
        self._reader.start()

    def _halt(self) -> None:
        if self._reader is not None:
            self._stop.set()
            while self._reader.is_alive():
                with contextlib.suppress(Exception):  # queue.Empty
                    self._queue.get(timeout=0.05)[1].cancel()
            self._reader = self._queue = self._stop = None
        self._next = None

    def get(self, seq: int, limit: int) -> list[ArchiveRecord]:
        if self._next != (seq, limit) or self._reader is None:
            self._halt()
            self._start(seq, limit)
        import queue

        while True:
            try:
                entry = self._queue.get(timeout=0.5)
                break
            except queue.Empty:
                if not self._reader.is_alive() and self._queue.empty():
                    self._halt()
                    return []
        items, opened = entry
        try:
            records = _open_messages(items, opened.result(), simulator_decrypt_data, _known(self._keys))
        except BaseException:
            self._halt()
            raise
        if len(records) < limit:  # the reader stopped after this page (end of data, or a page cut at a bad key)
            self._halt()
        else:
            self._next = (records[-1].seq, limit)
        return records

    def close(self) -> None:
        self._halt()
        if self._procs is not None:
            self._procs.shutdown(wait=True)
            self._procs = None


# --------------------------------------------------------------------------------------------- simulator


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


class SimulatorArchiveSource:
    """The simulator's GetChatData over HTTP (`WeComClient.get_chat_data`, chat-archive secret)."""

    def __init__(
        self,
        *,
        client: Any,
        private_keys: Mapping[int, RSAPrivateKey],
        name: str = "simulator",
        read_ahead: bool = True,
        decrypt_workers: int = 0,
    ) -> None:
        self.name = name
        self.keys = dict(private_keys)
        self.client = client
        self._pipeline = _Pipeline(self._raw, self.keys, workers=decrypt_workers) if read_ahead else None

    @classmethod
    def from_url(
        cls,
        *,
        base_url: str,
        corp_id: str,
        secret: str,
        private_keys: Mapping[int, RSAPrivateKey],
        name: str = "simulator",
        decrypt_workers: int = 0,
    ) -> SimulatorArchiveSource:
        from zhidu.wecom.client import WeComClient

        client = WeComClient(corp_id, secret, base_url=base_url)
        return cls(client=client, private_keys=private_keys, name=name, decrypt_workers=decrypt_workers)

    def _raw(self, seq: int, limit: int) -> list[dict[str, Any]]:
        from zhidu.wecom.client import WeComError

        try:
            page = self.client.get_chat_data(seq=seq, limit=limit)
        except WeComError as exc:
            raise ArchiveError(ERR_ENDPOINT.format(errcode=exc.errcode, errmsg=exc.errmsg or exc.api)) from exc
        return [item.model_dump() if hasattr(item, "model_dump") else dict(item) for item in page.chatdata]

    def fetch(self, seq: int, limit: int) -> list[ArchiveRecord]:
        limit = min(limit, MAX_LIMIT)
        if self._pipeline is not None:
            return self._pipeline.get(seq, limit)
        return _decode_chatdata(self._raw(seq, limit), self.keys, simulator_decrypt_data)

    def close(self) -> None:
        if self._pipeline is not None:
            self._pipeline.close()
        self.client.close()


# --------------------------------------------------------------------------------------------- files


class JsonlFileSource:
    """A file of decrypted records, one JSON object per line. Positions are line numbers (1-based)
    unless every record carries its own `seq`; blank lines are ignored."""

    def __init__(self, path: str | Path, *, name: str | None = None) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise ArchiveError(f"{self.path} is not a readable file")
        if name is None:
            name = f"file:{self.path.resolve()}"
            if len(name) > 200:  # the cursor key column holds 200 characters
                name = f"file:…{str(self.path.resolve())[-150:]}#{hashlib.sha1(name.encode()).hexdigest()[:12]}"
        self.name = name

    def fetch(self, seq: int, limit: int) -> list[ArchiveRecord]:
        out: list[ArchiveRecord] = []
        with self.path.open("rb") as fh:
            for lineno, line in enumerate(fh, start=1):
                if lineno <= seq:
                    continue
                if not line.strip():
                    continue
                where = f"line {lineno}"
                try:
                    msg = parse_plaintext(line)
                except (ValueError, TypeError) as exc:
                    out.append(ArchiveRecord(seq=lineno, msg=None, error=f"bad JSON: {exc}", where=where))
                else:
                    out.append(ArchiveRecord(seq=lineno, msg=msg, where=where))
                if len(out) >= limit:
                    break
        return out


# --------------------------------------------------------------------------------------------- Finance SDK


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


def source_from_settings(kind: str = "") -> ArchiveSource:
    """The configured live source: "sdk" (production) or "simulator" (WECOM_API_BASE is the simulator).

    Without `kind`, WECOM_ARCHIVE_SOURCE decides; if that is unset too, a local WECOM_API_BASE
    (http://127.0.0.1…, the simulator) means "simulator" and anything else "sdk".
    """
    from django.conf import settings

    kind = kind or getattr(settings, "WECOM_ARCHIVE_SOURCE", "") or os.environ.get("WECOM_ARCHIVE_SOURCE", "")
    if not kind:
        local = settings.WECOM_API_BASE.startswith(("http://127.0.0.1", "http://localhost"))
        kind = "simulator" if local else "sdk"
    keys = private_keys_from_settings()
    if kind == "simulator":
        return SimulatorArchiveSource.from_url(
            base_url=settings.WECOM_API_BASE,
            corp_id=settings.WECOM_CORP_ID,
            secret=settings.WECOM_ARCHIVE_SECRET,
            private_keys=keys,
            decrypt_workers=int(getattr(settings, "ARCHIVE_DECRYPT_WORKERS", 0) or 0),
        )
    if kind == "sdk":
        path = getattr(settings, "WECOM_FINANCE_SDK_PATH", "") or os.environ.get("WECOM_FINANCE_SDK_PATH", "")
        return FinanceSdkSource(
            library_path=path,
            corp_id=settings.WECOM_CORP_ID,
            secret=settings.WECOM_ARCHIVE_SECRET,
            private_keys=keys,
        )
    raise ArchiveError(f"unknown archive source {kind!r}; expected 'sdk' or 'simulator'")
