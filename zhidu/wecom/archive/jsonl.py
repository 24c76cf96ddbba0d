"""A JSON-lines file of decrypted records as an archive source."""

from __future__ import annotations

import hashlib
from pathlib import Path

from .base import ArchiveError, ArchiveRecord
from .decode import parse_plaintext


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
