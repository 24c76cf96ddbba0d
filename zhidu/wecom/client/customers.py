"""Customer contact (API.md §4): customers, tags, remarks, transfers, group chats, behaviour data."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from zhidu.wecom import schemas as s

from .transport import WeComTransport


class CustomersAPI(WeComTransport):
    # --- customer contact (§4) ----------------------------------------------------------------

    def get_follow_user_list(self) -> s.FollowUserListResponse:
        return self._get("externalcontact/get_follow_user_list", s.FollowUserListResponse)

    def externalcontact_list(self, userid: str) -> s.ExternalContactListResponse:
        """A member's customers; 84061 (no customers) is an empty list."""
        data = self._exchange(
            "GET", "externalcontact/list", params={"userid": userid}, use_token=True, ok_codes=frozenset({84061})
        )
        if int(data.get("errcode", 0)) == 84061:
            return s.ExternalContactListResponse(errcode=0, errmsg="ok", external_userid=[])
        return s.ExternalContactListResponse.model_validate(data)

    def externalcontact_get(self, external_userid: str, cursor: str = "") -> s.ExternalContactGetResponse:
        params = {"external_userid": external_userid}
        if cursor:
            params["cursor"] = cursor
        return self._get("externalcontact/get", s.ExternalContactGetResponse, params)

    def externalcontact_get_all(self, external_userid: str) -> s.ExternalContactGetResponse:
        """externalcontact/get with every follower page merged (customers with >500 followers)."""
        first = self.externalcontact_get(external_userid)
        cursor, seen = first.next_cursor, set()
        while cursor and cursor not in seen:
            seen.add(cursor)
            page = self.externalcontact_get(external_userid, cursor=cursor)
            first.follow_user.extend(page.follow_user)
            cursor = page.next_cursor
        first.next_cursor = ""
        return first

    def batch_get_by_user(
        self, userid_list: Sequence[str], cursor: str = "", limit: int = 100
    ) -> s.BatchGetByUserResponse:
        body = {"userid_list": list(userid_list), "cursor": cursor, "limit": limit}
        return self._post("externalcontact/batch/get_by_user", s.BatchGetByUserResponse, body)

    def iter_batch_get_by_user(self, userid_list: Sequence[str], limit: int = 100) -> Iterator[s.BatchContact]:
        """Every (customer, follower) pair of the given members, 100 members per request."""
        users = list(userid_list)
        for start in range(0, len(users), 100):
            chunk = users[start : start + 100]

            def page(cursor: str, chunk: list[str] = chunk) -> tuple[list[Any], str]:
                r = self.batch_get_by_user(chunk, cursor=cursor, limit=limit)
                return r.external_contact_list, r.next_cursor

            yield from self._follow(page)

    def get_corp_tag_list(
        self, tag_id: Sequence[str] | None = None, group_id: Sequence[str] | None = None
    ) -> s.CorpTagListResponse:
        body: dict[str, Any] = {}
        if tag_id:
            body["tag_id"] = list(tag_id)
        if group_id:
            body["group_id"] = list(group_id)
        return self._post("externalcontact/get_corp_tag_list", s.CorpTagListResponse, body)

    def add_corp_tag(
        self,
        *,
        tags: Sequence[str | dict[str, Any]],
        group_id: str | None = None,
        group_name: str | None = None,
        order: int | None = None,
        agentid: int | None = None,
    ) -> s.AddCorpTagResponse:
        body: dict[str, Any] = {"tag": [t if isinstance(t, dict) else {"name": t} for t in tags]}
        if group_id:
            body["group_id"] = group_id
        if group_name:
            body["group_name"] = group_name
        if order is not None:
            body["order"] = order
        if agentid is not None:
            body["agentid"] = agentid
        return self._post("externalcontact/add_corp_tag", s.AddCorpTagResponse, body)

    def mark_tag(
        self, userid: str, external_userid: str, add_tag: Sequence[str] = (), remove_tag: Sequence[str] = ()
    ) -> s.Envelope:
        body = {
            "userid": userid,
            "external_userid": external_userid,
            "add_tag": list(add_tag),
            "remove_tag": list(remove_tag),
        }
        return self._post("externalcontact/mark_tag", s.Envelope, body)

    def remark(
        self,
        userid: str,
        external_userid: str,
        remark: str | None = None,
        description: str | None = None,
        *,
        remark_company: str | None = None,
        remark_mobiles: Sequence[str] | None = None,
    ) -> s.Envelope:
        body: dict[str, Any] = {"userid": userid, "external_userid": external_userid}
        for key, value in (("remark", remark), ("description", description), ("remark_company", remark_company)):
            if value is not None:
                body[key] = value
        if remark_mobiles is not None:
            body["remark_mobiles"] = list(remark_mobiles)
        return self._post("externalcontact/remark", s.Envelope, body)

    # transfers (§4.8)

    def transfer_customer(
        self,
        handover_userid: str,
        takeover_userid: str,
        external_userid: Sequence[str],
        transfer_success_msg: str | None = None,
    ) -> s.TransferCustomerResponse:
        body: dict[str, Any] = {
            "handover_userid": handover_userid,
            "takeover_userid": takeover_userid,
            "external_userid": list(external_userid),
        }
        if transfer_success_msg:
            body["transfer_success_msg"] = transfer_success_msg
        return self._post("externalcontact/transfer_customer", s.TransferCustomerResponse, body)

    def transfer_result(self, handover_userid: str, takeover_userid: str, cursor: str = "") -> s.TransferResultResponse:
        body = {"handover_userid": handover_userid, "takeover_userid": takeover_userid, "cursor": cursor}
        return self._post("externalcontact/transfer_result", s.TransferResultResponse, body)

    def iter_transfer_result(self, handover_userid: str, takeover_userid: str) -> Iterator[s.TransferResultItem]:
        def page(cursor: str) -> tuple[list[Any], str]:
            r = self.transfer_result(handover_userid, takeover_userid, cursor)
            return r.customer, r.next_cursor

        return self._follow(page)

    def resigned_transfer_customer(
        self, handover_userid: str, takeover_userid: str, external_userid: Sequence[str]
    ) -> s.TransferCustomerResponse:
        body = {
            "handover_userid": handover_userid,
            "takeover_userid": takeover_userid,
            "external_userid": list(external_userid),
        }
        return self._post("externalcontact/resigned/transfer_customer", s.TransferCustomerResponse, body)

    def resigned_transfer_result(
        self, handover_userid: str, takeover_userid: str, cursor: str = ""
    ) -> s.TransferResultResponse:
        body = {"handover_userid": handover_userid, "takeover_userid": takeover_userid, "cursor": cursor}
        return self._post("externalcontact/resigned/transfer_result", s.TransferResultResponse, body)

    def iter_resigned_transfer_result(
        self, handover_userid: str, takeover_userid: str
    ) -> Iterator[s.TransferResultItem]:
        def page(cursor: str) -> tuple[list[Any], str]:
            r = self.resigned_transfer_result(handover_userid, takeover_userid, cursor)
            return r.customer, r.next_cursor

        return self._follow(page)

    def get_unassigned_list(self, cursor: str = "", page_size: int = 1000) -> s.UnassignedListResponse:
        body = {"cursor": cursor, "page_size": page_size}
        return self._post("externalcontact/get_unassigned_list", s.UnassignedListResponse, body)

    def iter_unassigned_list(self, page_size: int = 1000) -> Iterator[s.UnassignedItem]:
        def page(cursor: str) -> tuple[list[Any], str]:
            r = self.get_unassigned_list(cursor=cursor, page_size=page_size)
            return r.info, ("" if r.is_last else r.next_cursor)

        return self._follow(page)

    def groupchat_onjob_transfer(self, chat_id_list: Sequence[str], new_owner: str) -> s.GroupChatTransferResponse:
        body = {"chat_id_list": list(chat_id_list), "new_owner": new_owner}
        return self._post("externalcontact/groupchat/onjob_transfer", s.GroupChatTransferResponse, body)

    def groupchat_transfer(self, chat_id_list: Sequence[str], new_owner: str) -> s.GroupChatTransferResponse:
        body = {"chat_id_list": list(chat_id_list), "new_owner": new_owner}
        return self._post("externalcontact/groupchat/transfer", s.GroupChatTransferResponse, body)

    # group chats (§4.9)

    def groupchat_list(
        self, status_filter: int = 0, owner_userids: Sequence[str] = (), cursor: str = "", limit: int = 1000
    ) -> s.GroupChatListResponse:
        body: dict[str, Any] = {"status_filter": status_filter, "cursor": cursor, "limit": limit}
        if owner_userids:
            body["owner_filter"] = {"userid_list": list(owner_userids)}
        return self._post("externalcontact/groupchat/list", s.GroupChatListResponse, body)

    def iter_groupchat_list(
        self, status_filter: int = 0, owner_userids: Sequence[str] = (), limit: int = 1000
    ) -> Iterator[s.GroupChatListItem]:
        """Every group chat; with owner_userids, 100 owners per request (API limit)."""
        owners = list(owner_userids)
        chunks: list[list[str]] = [owners[i : i + 100] for i in range(0, len(owners), 100)] or [[]]
        for chunk in chunks:

            def page(cursor: str, chunk: list[str] = chunk) -> tuple[list[Any], str]:
                r = self.groupchat_list(status_filter, chunk, cursor, limit)
                return r.group_chat_list, r.next_cursor

            yield from self._follow(page)

    def groupchat_get(self, chat_id: str, need_name: bool = True) -> s.GroupChatGetResponse:
        body = {"chat_id": chat_id, "need_name": int(need_name)}
        return self._post("externalcontact/groupchat/get", s.GroupChatGetResponse, body)

    def get_user_behavior_data(
        self, userid: Sequence[str] = (), *, start_time: int, end_time: int, partyid: Sequence[int] = ()
    ) -> s.BehaviorDataResponse:
        body: dict[str, Any] = {"start_time": int(start_time), "end_time": int(end_time)}
        if userid:
            body["userid"] = list(userid)
        if partyid:
            body["partyid"] = list(partyid)
        return self._post("externalcontact/get_user_behavior_data", s.BehaviorDataResponse, body)
