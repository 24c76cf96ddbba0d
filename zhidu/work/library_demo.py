"""Demo data for the experience library: a dozen published scripts and articles across topics (with likes and
uses), one awaiting review, one draft the compliance check refused (it promises the lowest price on the whole
web), and a case a supervisor made from a demo chat (customer data masked). Idempotent: nothing is added once the
library has any item."""

from __future__ import annotations

import logging

import orjson
from django.db import transaction
from django.utils import timezone

from zhidu.compliance.models import ArchiveMessage
from zhidu.compliance.services.ingest import archive_ingest
from zhidu.core.errors import DomainError
from zhidu.customers.models import FollowRelation
from zhidu.org.models import Member, MemberStatus, Role
from zhidu.wecom.archive.base import ArchiveRecord
from zhidu.wecom.archive.decode import parse_plaintext

from .library_services import (
    case_create,
    case_publish,
    item_create,
    item_like_toggle,
    item_review,
    item_submit,
    item_use,
)
from .models import LibraryItem

log = logging.getLogger(__name__)

# (kind, topic, title, body, tags)
PUBLISHED = [
    (
        "script",
        "opening",
        "首次添加客户的问候",
        "您好，我是公司的客户顾问小周，感谢您的关注！您平时主要关心哪方面的问题？我先帮您整理一份资料。",
        ["开场", "新客户"],
    ),
    (
        "script",
        "opening",
        "客户长时间未回复的跟进",
        "您好，前几天给您发的资料不知道看了没有？如果有不清楚的地方，随时问我，我整理成要点发给您。",
        ["跟进", "唤醒"],
    ),
    (
        "script",
        "needs",
        "了解客户预算",
        "为了给您推荐更合适的方案，方便说一下您大概的预算范围吗？我会按预算把几个选择的差别讲清楚。",
        ["需求", "预算"],
    ),
    (
        "script",
        "product",
        "介绍产品的核心卖点",
        "这款产品主要有三个特点：安装简单、售后有保障、支持分期付款。您最看重哪一点？我详细给您说说。",
        ["卖点", "介绍"],
    ),
    (
        "script",
        "price",
        "客户嫌价格贵",
        "理解您的顾虑。价格里包含了一年的上门售后和培训，算下来每天不到两块钱。我把明细发给您对比一下。",
        ["价格", "异议"],
    ),
    (
        "script",
        "objection",
        "客户说要再考虑考虑",
        "没问题，买东西多比较是应该的。您主要还在考虑哪一点？我可以把其他客户的使用反馈发给您参考。",
        ["异议", "考虑"],
    ),
    (
        "script",
        "closing",
        "促成下单的提醒",
        "这周的公司活动价到周日结束，如果您确定需要，我可以先帮您锁定名额，付款前都可以再确认细节。",
        ["成交", "活动"],
    ),
    (
        "script",
        "after_sales",
        "售后问题的安抚",
        "非常抱歉给您带来不便！我已经登记了您的问题，售后同事会在今天下午联系您，处理结果我也会跟进告诉您。",
        ["售后", "安抚"],
    ),
    (
        "article",
        "needs",
        "三步问清客户需求",
        "第一步，先问现状：客户现在用什么、哪里不满意。\n第二步，再问目标：希望达到什么效果、什么时候要。\n第三步，最后确认决策人和预算。问完复述一遍，客户会觉得被重视。",
        ["需求", "方法"],
    ),
    (
        "article",
        "objection",
        "处理价格异议的经验",
        "客户说贵，往往不是预算不够，而是还没看到价值。我的做法是先认同，再把价格拆到每天，最后用同类客户的案例说明回报。不要急着降价，降价要走审批。",
        ["价格", "经验"],
    ),
    (
        "article",
        "after_sales",
        "老客户转介绍的做法",
        "成交后一周内回访一次，一个月后再回访。客户满意的时候，顺势请他推荐身边有需要的朋友，并送上公司统一的推荐礼。",
        ["转介绍", "老客户"],
    ),
    (
        "article",
        "closing",
        "月底冲业绩的时间安排",
        "上午集中回复意向客户，下午打电话跟进报价，晚上整理第二天的跟进名单。每天下班前在日报里写清楚卡在哪一步。",
        ["时间管理", "业绩"],
    ),
]
PENDING = (
    "script",
    "price",
    "客户要求再便宜一点",
    "这个价格已经是公司统一的活动价了，我可以帮您申请赠送一次上门培训，您看可以吗？",
    ["价格"],
)
BLOCKED = ("script", "price", "强调价格优势", "我们这款是全网最低价，别家不可能比我们便宜。", ["价格"])

CHAT = [
    ("customer", "你好，我是{name}，想了解一下你们的套餐，我电话13912345678"),
    ("staff", "{name}您好！我是顾问小周，您主要想解决哪方面的问题？"),
    ("customer", "家里老人用，地址是杭州市西湖区文三路90号，能上门安装吗"),
    ("staff", "可以的，我们有上门安装。方便说一下预算吗？我按预算给您推荐。"),
    ("customer", "预算三千左右"),
    ("staff", "好的，三千以内有两款合适的，我把对比表发您，您看完有问题随时问我。"),
]


def _named(text: str, name: str) -> str:
    """The line with the customer's own name (masked in the case), or without one when the demo has no customer."""
    return text.format(name=name) if name else text.replace("我是{name}，", "").replace("{name}", "")


class _DemoChat:
    """A salesperson's chat with a customer, both sides, as an in-memory archive source."""

    name = "demo:library"

    def __init__(self, staff: str, customer: str, name: str) -> None:
        # yesterday, so no other demo chat of the same pair falls between the first and the last message
        now = int(timezone.now().timestamp() * 1000) - 86_400_000
        self.records = [
            {
                "msgid": f"demo-library-{i}",
                "action": "send",
                "from": staff if side == "staff" else customer,
                "tolist": [customer if side == "staff" else staff],
                "roomid": "",
                "msgtime": now - (len(CHAT) - i) * 120_000,
                "msgtype": "text",
                "text": {"content": _named(text, name)},
            }
            for i, (side, text) in enumerate(CHAT, start=1)
        ]

    def fetch(self, seq: int, limit: int) -> list[ArchiveRecord]:
        return [
            ArchiveRecord(seq=i, msg=parse_plaintext(orjson.dumps(rec)), where=f"demo {i}")
            for i, rec in enumerate(self.records, start=1)
            if i > seq
        ][:limit]


def _item(author: Member, row: tuple[str, str, str, str, list[str]], *, submit: bool) -> LibraryItem:
    kind, topic, title, body, tags = row
    return item_create(actor=author, kind=kind, topic=topic, title=title, body=body, tags=tags, submit=submit)


def _case(sales: Member, lead: Member) -> None:
    if sales.wecom_userid is None:
        return
    follow = FollowRelation.objects.filter(member=sales, deleted=False).select_related("customer").first()
    customer = follow.customer.external_userid if follow else "wmDemoLibraryCustomer"
    name = (follow.remark or follow.customer.name) if follow else ""
    archive_ingest(source=_DemoChat(sales.wecom_userid, customer, name))
    ids = list(
        ArchiveMessage.objects.filter(msgid__startswith="demo-library-")
        .order_by("msgtime")
        .values_list("pk", flat=True)
    )
    if len(ids) < 2:
        return
    chat_key = ArchiveMessage.objects.get(pk=ids[0]).chat_key
    case = case_create(
        actor=lead,
        chat_key=chat_key,
        first_id=ids[0],
        last_id=ids[-1],
        verdict="good",
        topic="needs",
        title="先问需求再推荐产品",
        lesson="顾问没有急着报价，而是先问用途和预算，再按预算推荐，客户愿意继续沟通。注意：客户主动发来的电话和地址不要在群里转发。",
    )
    case_publish(actor=lead, case=case)


def _reviewer(writer: Member, director: Member) -> Member:
    lead = writer.reports_to
    return lead if lead is not None and lead.is_active and lead.role in (Role.SUPERVISOR, Role.MANAGER) else director


def demo_library() -> None:
    if LibraryItem.objects.exists():
        return
    sales = list(Member.objects.filter(role=Role.SALES, status=MemberStatus.ACTIVE).order_by("id")[:4])
    author = sales[0] if sales else None
    lead = author.reports_to if author is not None else None
    director = Member.objects.filter(role=Role.DIRECTOR, status=MemberStatus.ACTIVE).order_by("id").first()
    if author is None or lead is None or director is None or lead.role not in (Role.SUPERVISOR, Role.MANAGER):
        log.info("demo library: no salesperson with a lead")
        return
    with transaction.atomic():
        for n, row in enumerate(PUBLISHED):
            writer = sales[n % len(sales)]
            item = _item(writer, row, submit=True)
            reviewer = _reviewer(writer, director)
            item_review(
                actor=reviewer, item=item, decision="approve", note="写得清楚，可以直接用。" if n % 3 == 0 else ""
            )
            for reader in sales[: (n % len(sales)) + 1]:
                item_use(actor=reader, item=item)
                if (n + reader.pk) % 2 == 0:
                    item_like_toggle(actor=reader, item=item)
        _item(author, PENDING, submit=True)
        blocked = _item(author, BLOCKED, submit=False)
    try:
        item_submit(actor=author, item=blocked)
    except DomainError as exc:
        log.info("demo library: the compliance check kept a draft back: %s", exc.message)
    _case(author, lead)
