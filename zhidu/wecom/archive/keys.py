"""RSA private keys by `publickey_ver` (WECOM_ARCHIVE_PRIVATE_KEYS)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from .base import ERR_KEYS_CONFIG, ArchiveError


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
