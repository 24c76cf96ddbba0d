"""Chat archive (API.md §7): permitted members, consent, and the simulator's GetChatData."""

from __future__ import annotations

from collections.abc import Sequence

from zhidu.wecom import schemas as s

from .transport import WeComTransport


class ArchiveAPI(WeComTransport):
    # --- chat archive (§7) --------------------------------------------------------------------

    def get_permit_user_list(self, type: int | None = None) -> s.PermitUserListResponse:
        body = {"type": type} if type is not None else {}
        return self._post("msgaudit/get_permit_user_list", s.PermitUserListResponse, body)

    def check_single_agree(self, info: Sequence[dict[str, str]]) -> s.CheckSingleAgreeResponse:
        """Archive consent per (userid, external userid); accepts ``external_userid`` or the official
        misspelt ``exteranalopenid`` key; sends at most 99 items per request (≥100 → 301060)."""
        items = [
            {"userid": i["userid"], "exteranalopenid": i.get("exteranalopenid") or i.get("external_userid", "")}
            for i in info
        ]
        out = s.CheckSingleAgreeResponse(errcode=0, errmsg="ok")
        for start in range(0, len(items), 99):
            page = self._post(
                "msgaudit/check_single_agree", s.CheckSingleAgreeResponse, {"info": items[start : start + 99]}
            )
            out.agreeinfo.extend(page.agreeinfo)
        return out

    def archive_room_get(self, roomid: str) -> s.ArchiveRoomResponse:
        """An internal group's name, creator, notice and members with join times (`msgaudit/groupchat/get`,
        archive secret). Customer groups are refused (use `groupchat_get`); 301052: archive service expired."""
        return self._post("msgaudit/groupchat/get", s.ArchiveRoomResponse, {"roomid": roomid})

    def get_chat_data(self, seq: int = 0, limit: int = 1000, timeout: int = 5) -> s.ChatDataResponse:
        """SIMULATOR ONLY: the Finance SDK's GetChatData served over HTTP by ``zhidu wecom-sim``
        (``POST /cgi-bin/msgaudit/getchatdata``, archive secret). Real WeCom has no such HTTP API."""
        body = {"seq": int(seq), "limit": int(limit), "timeout": int(timeout)}
        return self._post("msgaudit/getchatdata", s.ChatDataResponse, body)
