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

Layout: `base` (ArchiveRecord, ArchiveSource, errors and their messages), `keys` (private keys),
`decode` (RSA, DecryptData, JSON), one module per source (`sdk`, `simulator` with its read-ahead
`pipeline`, `jsonl`), and `factory` (`source_from_settings`).
"""

from .base import (
    ERR_BAD_RSA,
    ERR_ENDPOINT,
    ERR_KEYS_CONFIG,
    ERR_NO_KEY,
    ERR_SDK_CALL,
    ERR_SDK_LOAD,
    ERR_SDK_MISSING,
    MAX_LIMIT,
    ArchiveError,
    ArchiveKeyError,
    ArchiveRecord,
    ArchiveSource,
    SdkUnavailable,
)
from .decode import Opened, parse_plaintext, simulator_decrypt_data
from .factory import source_from_settings
from .jsonl import JsonlFileSource
from .keys import load_private_keys, private_keys_from_settings
from .sdk import SDK_ERRORS, FinanceSdkSource
from .simulator import SimulatorArchiveSource

__all__ = [
    "ERR_BAD_RSA",
    "ERR_ENDPOINT",
    "ERR_KEYS_CONFIG",
    "ERR_NO_KEY",
    "ERR_SDK_CALL",
    "ERR_SDK_LOAD",
    "ERR_SDK_MISSING",
    "MAX_LIMIT",
    "SDK_ERRORS",
    "ArchiveError",
    "ArchiveKeyError",
    "ArchiveRecord",
    "ArchiveSource",
    "FinanceSdkSource",
    "JsonlFileSource",
    "Opened",
    "SdkUnavailable",
    "SimulatorArchiveSource",
    "load_private_keys",
    "parse_plaintext",
    "private_keys_from_settings",
    "simulator_decrypt_data",
    "source_from_settings",
]
