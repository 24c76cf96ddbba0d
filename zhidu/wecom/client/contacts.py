"""Contacts (API.md §3): departments and members."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from zhidu.wecom import schemas as s

from .transport import WeComTransport


class ContactsAPI(WeComTransport):
    # --- contacts (§3) ------------------------------------------------------------------------

    def department_list(self, id: int | None = None) -> s.DepartmentListResponse:
        return self._get("department/list", s.DepartmentListResponse, {"id": id} if id is not None else None)

    def user_list(self, department_id: int, fetch_child: bool = True) -> s.UserListResponse:
        params = {"department_id": department_id, "fetch_child": int(fetch_child)}
        return self._get("user/list", s.UserListResponse, params)

    def user_list_id(self, cursor: str = "", limit: int = 10000) -> s.UserListIdResponse:
        return self._post("user/list_id", s.UserListIdResponse, {"cursor": cursor, "limit": limit})

    def iter_user_list_id(self, limit: int = 10000) -> Iterator[s.DeptUser]:
        def page(cursor: str) -> tuple[list[Any], str]:
            r = self.user_list_id(cursor=cursor, limit=limit)
            return r.dept_user, r.next_cursor

        return self._follow(page)

    def user_get(self, userid: str) -> s.UserGetResponse:
        return self._get("user/get", s.UserGetResponse, {"userid": userid})

    def user_update(self, userid: str, **fields: Any) -> s.Envelope:
        """POST user/update (API.md §15.1): only the given fields change. Needs the contact-sync secret."""
        return self._post("user/update", s.Envelope, {"userid": userid, **fields})
