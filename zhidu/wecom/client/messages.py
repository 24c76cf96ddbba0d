"""Outbound (API.md §6): application messages and group robot webhooks."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from zhidu.wecom import schemas as s

from .errors import RETRY_CODES
from .transport import WeComTransport


class MessagesAPI(WeComTransport):
    # --- outbound (§6) ------------------------------------------------------------------------

    def message_send(self, payload: dict[str, Any]) -> s.MessageSendResponse:
        """Application message (text, textcard, markdown…). Adds ``agentid`` when missing.

        Partly invalid recipients come back in ``invaliduser``; all invalid raises WeComInvalidRecipient.
        """
        body = dict(payload)
        if "agentid" not in body and self.agent_id:
            body["agentid"] = self.agent_id
        return self._post("message/send", s.MessageSendResponse, body)

    def robot_send(self, webhook_url_or_key: str, payload: dict[str, Any], *, retry: bool = True) -> s.Envelope:
        """Group robot webhook: a full webhook URL or just its key. No access token."""
        if webhook_url_or_key.startswith(("http://", "https://")):
            url = webhook_url_or_key
        else:
            url = f"{self.base_url}/cgi-bin/webhook/send?{urlencode({'key': webhook_url_or_key})}"
        data = self._exchange(
            "POST", "webhook/send", json=payload, url=url, retry_codes=RETRY_CODES if retry else frozenset()
        )
        return s.Envelope.model_validate(data)
