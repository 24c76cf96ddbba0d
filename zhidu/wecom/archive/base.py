"""What every archive source shares: the record, the source protocol, the errors and their messages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

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
