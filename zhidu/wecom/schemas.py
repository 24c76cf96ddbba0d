"""Typed WeCom responses (API.md §2–§7). Unknown fields are kept (WeCom adds fields over time).

Every model tolerates missing optional fields: WeCom omits sensitive or type-specific fields.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class WeComModel(BaseModel):
    model_config = ConfigDict(extra="allow", coerce_numbers_to_str=True, populate_by_name=True)


class Envelope(WeComModel):
    errcode: int = 0
    errmsg: str = ""


class TokenResponse(Envelope):
    access_token: str
    expires_in: int = 7200


# --- contacts (§3) ----------------------------------------------------------------------------


class Department(WeComModel):
    id: int
    name: str = ""
    name_en: str = ""
    department_leader: list[str] = Field(default_factory=list)
    parentid: int = 0
    order: int = 0


class DepartmentListResponse(Envelope):
    department: list[Department] = Field(default_factory=list)


class ExternalProfile(WeComModel):
    """A member's card shown to customers (API.md §3.4, §15.1)."""

    external_corp_name: str = ""
    wechat_channels: dict[str, Any] = Field(default_factory=dict)  # {nickname, status}
    external_attr: list[dict[str, Any]] = Field(default_factory=list)  # {type, name, text|web|miniprogram}


class User(WeComModel):
    userid: str
    name: str = ""
    department: list[int] = Field(default_factory=list)
    order: list[int] = Field(default_factory=list)
    position: str = ""
    mobile: str = ""
    gender: str = "0"
    email: str = ""
    biz_mail: str = ""
    is_leader_in_dept: list[int] = Field(default_factory=list)
    direct_leader: list[str] = Field(default_factory=list)
    avatar: str = ""
    thumb_avatar: str = ""
    telephone: str = ""
    alias: str = ""
    address: str = ""
    main_department: int | None = None
    status: int = 1
    enable: int | None = None
    external_position: str = ""
    external_profile: ExternalProfile = Field(default_factory=ExternalProfile)


class UserListResponse(Envelope):
    userlist: list[User] = Field(default_factory=list)


class DeptUser(WeComModel):
    userid: str
    department: int


class UserListIdResponse(Envelope):
    next_cursor: str = ""
    dept_user: list[DeptUser] = Field(default_factory=list)


class UserGetResponse(Envelope, User):
    pass


# --- customer contact (§4) --------------------------------------------------------------------


class FollowUserListResponse(Envelope):
    follow_user: list[str] = Field(default_factory=list)


class ExternalContactListResponse(Envelope):
    external_userid: list[str] = Field(default_factory=list)


class ExternalContact(WeComModel):
    external_userid: str
    name: str = ""
    avatar: str = ""
    type: int = 1
    gender: int = 0
    unionid: str = ""
    position: str = ""
    corp_name: str = ""
    corp_full_name: str = ""


class FollowUserTag(WeComModel):
    group_name: str = ""
    tag_name: str = ""
    tag_id: str = ""
    type: int = 1


class _FollowBase(WeComModel):
    """What a follow relation (跟进关系) carries in both externalcontact/get and batch/get_by_user."""

    userid: str
    remark: str = ""
    description: str = ""
    createtime: int = 0
    remark_corp_name: str = ""
    remark_mobiles: list[str] = Field(default_factory=list)
    oper_userid: str = ""
    add_way: int = 0
    state: str = ""


class FollowUser(_FollowBase):
    """externalcontact/get: tags as objects."""

    tags: list[FollowUserTag] = Field(default_factory=list)


class ExternalContactGetResponse(Envelope):
    external_contact: ExternalContact
    follow_user: list[FollowUser] = Field(default_factory=list)
    next_cursor: str = ""


class FollowInfo(_FollowBase):
    """batch/get_by_user: tag ids only."""

    tag_id: list[str] = Field(default_factory=list)


class BatchContact(WeComModel):
    external_contact: ExternalContact
    follow_info: FollowInfo


class BatchGetByUserResponse(Envelope):
    external_contact_list: list[BatchContact] = Field(default_factory=list)
    next_cursor: str = ""


class CorpTag(WeComModel):
    id: str
    name: str = ""
    create_time: int = 0
    order: int = 0
    deleted: bool = False


class CorpTagGroup(WeComModel):
    group_id: str
    group_name: str = ""
    create_time: int = 0
    order: int = 0
    deleted: bool = False
    tag: list[CorpTag] = Field(default_factory=list)


class CorpTagListResponse(Envelope):
    tag_group: list[CorpTagGroup] = Field(default_factory=list)


class AddCorpTagResponse(Envelope):
    tag_group: CorpTagGroup


class TransferCustomerItem(WeComModel):
    external_userid: str
    errcode: int = 0


class TransferCustomerResponse(Envelope):
    customer: list[TransferCustomerItem] = Field(default_factory=list)


class TransferResultItem(WeComModel):
    external_userid: str
    status: int
    takeover_time: int = 0


class TransferResultResponse(Envelope):
    customer: list[TransferResultItem] = Field(default_factory=list)
    next_cursor: str = ""


class UnassignedItem(WeComModel):
    handover_userid: str
    external_userid: str
    dimission_time: int = 0


class UnassignedListResponse(Envelope):
    info: list[UnassignedItem] = Field(default_factory=list)
    is_last: bool = True
    next_cursor: str = ""


class FailedChat(WeComModel):
    chat_id: str
    errcode: int = 0
    errmsg: str = ""


class GroupChatTransferResponse(Envelope):
    failed_chat_list: list[FailedChat] = Field(default_factory=list)


class GroupChatListItem(WeComModel):
    chat_id: str
    status: int = 0


class GroupChatListResponse(Envelope):
    group_chat_list: list[GroupChatListItem] = Field(default_factory=list)
    next_cursor: str = ""


class Invitor(WeComModel):
    userid: str = ""


class GroupChatMember(WeComModel):
    userid: str
    type: int = 1
    join_time: int = 0
    join_scene: int = 1
    invitor: Invitor | None = None
    group_nickname: str = ""
    name: str = ""
    unionid: str = ""
    state: str = ""


class GroupChatAdmin(WeComModel):
    userid: str


class GroupChat(WeComModel):
    chat_id: str
    name: str = ""
    owner: str = ""
    create_time: int = 0
    notice: str = ""
    member_list: list[GroupChatMember] = Field(default_factory=list)
    admin_list: list[GroupChatAdmin] = Field(default_factory=list)
    member_version: str = ""


class GroupChatGetResponse(Envelope):
    group_chat: GroupChat


class BehaviorData(WeComModel):
    stat_time: int
    chat_cnt: int = 0
    message_cnt: int = 0
    reply_percentage: float | None = None
    avg_reply_time: float | None = None
    negative_feedback_cnt: int = 0
    new_apply_cnt: int = 0
    new_contact_cnt: int = 0


class BehaviorDataResponse(Envelope):
    behavior_data: list[BehaviorData] = Field(default_factory=list)


# --- outbound (§6) ----------------------------------------------------------------------------


class MessageSendResponse(Envelope):
    invaliduser: str = ""
    invalidparty: str = ""
    invalidtag: str = ""
    unlicenseduser: str = ""
    msgid: str = ""
    response_code: str = ""


# --- chat archive (§7) ------------------------------------------------------------------------


class PermitUserListResponse(Envelope):
    ids: list[str] = Field(default_factory=list)


class AgreeInfo(WeComModel):
    userid: str = ""
    exteranalopenid: str = ""  # sic: the official misspelling
    agree_status: str = ""
    status_change_time: int = 0


class CheckSingleAgreeResponse(Envelope):
    agreeinfo: list[AgreeInfo] = Field(default_factory=list)


class ChatDataItem(WeComModel):
    seq: int
    msgid: str
    publickey_ver: int = 1
    encrypt_random_key: str
    encrypt_chat_msg: str


class ChatDataResponse(Envelope):
    chatdata: list[ChatDataItem] = Field(default_factory=list)


class ArchiveRoomMember(WeComModel):
    memberid: str  # a userid: internal groups have staff only
    jointime: int = 0


class ArchiveRoomResponse(Envelope):
    """`msgaudit/groupchat/get`: an internal group (内部群) as the chat archive knows it (API.md §7.5, §16)."""

    roomname: str = ""
    creator: str = ""
    room_create_time: int = 0
    notice: str = ""
    members: list[ArchiveRoomMember] = Field(default_factory=list)
