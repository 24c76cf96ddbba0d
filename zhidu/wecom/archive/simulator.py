"""The simulator's GetChatData-like HTTP endpoint as an archive source."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from .base import ERR_ENDPOINT, MAX_LIMIT, ArchiveError, ArchiveRecord
from .decode import _decode_chatdata, simulator_decrypt_data
from .pipeline import _Pipeline


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
