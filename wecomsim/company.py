"""A seeded, realistic company for the WeCom simulator (pure Python, no Django).

`build_company(seed=42, size="small")` returns a `Company`: departments (a 销售中心 tree of sales
departments and teams, plus 风控部 and 行政部), members with positions that map to zhidu roles and
department leaders, corp tags, customers with follow relations, and customer groups whose names and
nicknames follow the conventions except for a configurable share. Same seed, size and epoch → same data.
"""

from __future__ import annotations

import hashlib
import random
import string
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

SHANGHAI = timezone(timedelta(hours=8))
DAY = 86400
_ID_ALPHABET = string.ascii_letters + string.digits

# name parts: (hanzi, pinyin)
SURNAMES = [
    ("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang"), ("黄", "Huang"),
    ("赵", "Zhao"), ("吴", "Wu"), ("周", "Zhou"), ("徐", "Xu"), ("孙", "Sun"), ("马", "Ma"), ("朱", "Zhu"),
    ("胡", "Hu"), ("郭", "Guo"), ("何", "He"), ("高", "Gao"), ("林", "Lin"), ("罗", "Luo"), ("郑", "Zheng"),
    ("梁", "Liang"), ("谢", "Xie"), ("宋", "Song"), ("唐", "Tang"), ("许", "Xu"), ("韩", "Han"), ("冯", "Feng"),
    ("邓", "Deng"), ("曹", "Cao"), ("彭", "Peng"), ("曾", "Zeng"), ("肖", "Xiao"), ("田", "Tian"), ("董", "Dong"),
    ("袁", "Yuan"), ("潘", "Pan"), ("于", "Yu"), ("蒋", "Jiang"), ("蔡", "Cai"), ("余", "Yu"), ("杜", "Du"),
    ("叶", "Ye"), ("程", "Cheng"), ("苏", "Su"), ("魏", "Wei"), ("吕", "Lv"), ("丁", "Ding"), ("任", "Ren"),
    ("沈", "Shen"), ("姚", "Yao"), ("卢", "Lu"), ("姜", "Jiang"), ("崔", "Cui"), ("钟", "Zhong"), ("谭", "Tan"),
]  # fmt: skip
GIVEN = [
    ("伟", "Wei"), ("芳", "Fang"), ("娜", "Na"), ("敏", "Min"), ("静", "Jing"), ("丽", "Li"), ("强", "Qiang"),
    ("磊", "Lei"), ("军", "Jun"), ("洋", "Yang"), ("勇", "Yong"), ("艳", "Yan"), ("杰", "Jie"), ("娟", "Juan"),
    ("涛", "Tao"), ("明", "Ming"), ("超", "Chao"), ("秀", "Xiu"), ("霞", "Xia"), ("平", "Ping"), ("刚", "Gang"),
    ("桂", "Gui"), ("鹏", "Peng"), ("华", "Hua"), ("玲", "Ling"), ("辉", "Hui"), ("婷", "Ting"), ("宇", "Yu"),
    ("浩", "Hao"), ("凯", "Kai"), ("欣", "Xin"), ("雪", "Xue"), ("晨", "Chen"), ("琳", "Lin"), ("倩", "Qian"),
    ("博", "Bo"), ("文", "Wen"), ("斌", "Bin"), ("颖", "Ying"), ("嘉", "Jia"), ("思", "Si"), ("佳", "Jia"),
    ("子", "Zi"), ("晓", "Xiao"), ("志", "Zhi"), ("海", "Hai"), ("彤", "Tong"), ("瑞", "Rui"), ("琪", "Qi"),
]  # fmt: skip
CN_NUM = "一二三四五六七八九十"
COMPANIES = [
    "华宇科技", "恒信贸易", "鼎盛建材", "瑞丰食品", "新锐教育", "安康医疗", "金辉物流", "博远咨询", "润泽家居",
    "天成汽配", "明德培训", "盛世传媒", "佳禾农业", "云帆软件", "九州电器", "海纳服饰", "长青环保", "凯达机械",
]  # fmt: skip
WECHAT_NICKS = [
    "阳光明媚", "Lily", "静待花开", "A-大橙子", "Tony", "小确幸", "追梦人", "Momo", "平安是福", "一叶知秋",
    "Kevin", "快乐每一天", "晴天", "Grace", "简单生活", "Jack", "岁月静好", "向日葵",
]  # fmt: skip
TAG_GROUPS = [
    ("客户等级", ["A类客户", "B类客户", "C类客户"]),
    ("意向程度", ["高意向", "中意向", "低意向"]),
    ("客户来源", ["展会", "转介绍", "线上推广", "电话营销"]),
    ("行业", ["教育", "医疗", "金融", "制造", "零售"]),
]
DESCRIPTIONS = ["", "", "", "关注价格", "老客户介绍", "需要报价单", "下月回访", "对售后有顾虑", "决策人", "预算有限"]
PERSONAL_TAGS = ["老客户", "重点跟进", "已报价"]
ADD_WAYS = [(1, 30), (2, 15), (3, 10), (4, 8), (5, 5), (6, 5), (9, 2), (16, 5), (201, 12), (202, 8)]
GROUP_SUFFIXES = ["服务群", "交流群", "VIP群"]
BAD_GROUP_NAMES = ["新建群聊", "福利群", "666", "好友群", "团购群", "内部群", "客户群2", "test"]
SALES_POSITIONS = ["销售顾问", "销售专员", "销售顾问", "高级销售顾问", "销售代表"]

# Positions and the zhidu role each maps to (for sync tests and the role-mapping rules).
POSITION_ROLES = {
    "销售总监": "director",
    "销售经理": "manager",
    "销售主管": "supervisor",
    "销售顾问": "sales",
    "销售专员": "sales",
    "高级销售顾问": "sales",
    "销售代表": "sales",
    "风控专员": "compliance",
    "质检专员": "compliance",
    "管理员": "admin",
}

SIZES: dict[str, dict[str, int]] = {
    #          sales departments, teams each, sales per team, compliance, admins, customers per salesperson
    "small": {"depts": 2, "teams": 2, "sales": 5, "compliance": 2, "admins": 1, "customers": 10},
    "medium": {"depts": 5, "teams": 4, "sales": 13, "compliance": 10, "admins": 3, "customers": 100},
    "large": {"depts": 10, "teams": 10, "sales": 28, "compliance": 60, "admins": 20, "customers": 100},
}

NICKNAME_CONVENTION = "部门+姓名"  # staff group_nickname = department name + member name, e.g. 一部一组张伟
GROUP_NAME_RULE = r"^[^-]+-[^-]+-(服务群|交流群|VIP群)$"  # <team>-<customer or company>-<suffix>


@dataclass(slots=True)
class SimDepartment:
    id: int
    name: str
    parentid: int
    order: int
    name_en: str = ""
    leaders: list[str] = field(default_factory=list)


@dataclass(slots=True)
class SimUser:
    userid: str
    name: str
    department: list[int]
    position: str
    role: str  # the zhidu role this member should map to
    mobile: str = ""
    gender: str = "0"
    email: str = ""
    is_leader_in_dept: list[int] = field(default_factory=list)
    direct_leader: list[str] = field(default_factory=list)
    main_department: int = 1
    status: int = 1  # 1 active, 2 disabled, 4 not activated, 5 left (resigned)
    alias: str = ""
    order: list[int] = field(default_factory=list)
    dimission_time: int = 0
    avatar: str = ""
    external_position: str = ""  # shown to customers instead of `position` (≤12 Chinese characters)
    external_profile: dict[str, Any] = field(default_factory=dict)  # external_corp_name, wechat_channels, external_attr

    @property
    def active(self) -> bool:
        return self.status == 1


@dataclass(slots=True)
class SimTag:
    id: str
    name: str
    group_id: str
    create_time: int
    order: int = 0
    deleted: bool = False


@dataclass(slots=True)
class SimTagGroup:
    group_id: str
    group_name: str
    create_time: int
    order: int = 0
    tags: list[str] = field(default_factory=list)  # tag ids
    deleted: bool = False


@dataclass(slots=True)
class SimFollow:
    userid: str
    remark: str = ""
    description: str = ""
    createtime: int = 0
    tag_ids: list[str] = field(default_factory=list)
    personal_tags: list[str] = field(default_factory=list)  # type-2 tags: visible in get, absent in batch
    remark_corp_name: str = ""
    remark_mobiles: list[str] = field(default_factory=list)
    oper_userid: str = ""
    add_way: int = 0
    state: str = ""


@dataclass(slots=True)
class SimCustomer:
    external_userid: str
    name: str
    type: int = 1  # 1 WeChat user, 2 WeCom user of another corp
    gender: int = 0
    avatar: str = ""
    unionid: str = ""
    corp_name: str = ""
    corp_full_name: str = ""
    position: str = ""
    follows: dict[str, SimFollow] = field(default_factory=dict)  # userid → relation (insertion order)
    agree_status: str = "Agree"  # chat-archive consent: Agree | Disagree | Default_Agree
    agree_time: int = 0


@dataclass(slots=True)
class SimGroupMember:
    userid: str
    type: int  # 1 member, 2 external
    join_time: int
    join_scene: int = 1
    invitor: str = ""
    group_nickname: str = ""
    name: str = ""
    unionid: str = ""
    state: str = ""
    follows_nickname: bool = True  # ground truth for the '部门+姓名' convention (staff only)


@dataclass(slots=True)
class SimGroup:
    chat_id: str
    name: str
    owner: str
    create_time: int
    notice: str = ""
    members: list[SimGroupMember] = field(default_factory=list)
    admins: list[str] = field(default_factory=list)
    status: int = 0  # 0 normal, 1 owner resigned, 2 inheritance in progress, 3 inheritance done
    version: int = 1
    follows_naming: bool = True
    dismissed: bool = False

    @property
    def member_version(self) -> str:
        ids = ",".join(sorted(m.userid for m in self.members))
        return hashlib.md5(f"{self.chat_id}:{self.version}:{ids}".encode()).hexdigest()


@dataclass(slots=True)
class SimRoomMember:
    userid: str
    join_time: int


@dataclass(slots=True)
class SimRoom:
    """An internal group (内部群): staff only, known to WeCom's chat archive (`msgaudit/groupchat/get`), not
    to `externalcontact/groupchat/*`. WeCom reports no admins and no group nicknames for these."""

    roomid: str
    name: str
    creator: str
    create_time: int
    notice: str = ""
    members: list[SimRoomMember] = field(default_factory=list)
    follows_naming: bool = True  # ground truth for the '{部门}群' convention
    kind: str = "department"  # department | exchange | other
    dismissed: bool = False

    @property
    def member_ids(self) -> tuple[str, ...]:
        return tuple(m.userid for m in self.members)


@dataclass
class Company:
    corp_id: str
    name: str
    seed: int
    size: str
    epoch: int  # seconds; generated times are before it
    departments: dict[int, SimDepartment] = field(default_factory=dict)
    users: dict[str, SimUser] = field(default_factory=dict)
    tag_groups: dict[str, SimTagGroup] = field(default_factory=dict)
    tags: dict[str, SimTag] = field(default_factory=dict)
    customers: dict[str, SimCustomer] = field(default_factory=dict)
    groups: dict[str, SimGroup] = field(default_factory=dict)
    rooms: dict[str, SimRoom] = field(default_factory=dict)  # internal groups by roomid
    by_follower: dict[str, dict[str, None]] = field(default_factory=dict)  # userid → ordered set of customers
    sales_center_id: int = 2
    conventions: dict[str, Any] = field(default_factory=dict)

    # --- reads --------------------------------------------------------------------------------

    def subtree(self, dept_id: int) -> list[int]:
        children: dict[int, list[int]] = {}
        for d in self.departments.values():
            children.setdefault(d.parentid, []).append(d.id)
        out: list[int] = []
        stack = [dept_id]
        while stack:
            current = stack.pop()
            if current in self.departments and current not in out:
                out.append(current)
                stack.extend(sorted(children.get(current, []), reverse=True))
        return out

    def active_users(self) -> list[SimUser]:
        return [u for u in self.users.values() if u.active]

    def follow_user_ids(self) -> list[str]:
        """Members with customer-contact capability: active members of the 销售中心 subtree."""
        sales = set(self.subtree(self.sales_center_id))
        return [u.userid for u in self.users.values() if u.active and sales.intersection(u.department)]

    def customers_of(self, userid: str) -> list[str]:
        return list(self.by_follower.get(userid, {}))

    def add_follow(self, customer: SimCustomer, follow: SimFollow) -> None:
        customer.follows[follow.userid] = follow
        self.by_follower.setdefault(follow.userid, {})[customer.external_userid] = None

    def remove_follow(self, customer: SimCustomer, userid: str) -> SimFollow | None:
        follow = customer.follows.pop(userid, None)
        self.by_follower.get(userid, {}).pop(customer.external_userid, None)
        return follow

    def visible_customers(self) -> list[SimCustomer]:
        """Customers with at least one active follower (what a full sync can see)."""
        return [c for c in self.customers.values() if any(self._active(u) for u in c.follows)]

    def follow_pairs(self) -> list[tuple[str, str]]:
        """(external_userid, userid) for every relation with an active member."""
        return [(c.external_userid, u) for c in self.customers.values() for u in c.follows if self._active(u)]

    def unassigned(self) -> list[tuple[str, str, int]]:
        """(handover_userid, external_userid, dimission_time) for customers of members who left."""
        out: list[tuple[str, str, int]] = []
        for user in self.users.values():
            if user.status == 5:
                out.extend((user.userid, ext, user.dimission_time) for ext in self.by_follower.get(user.userid, {}))
        return out

    def live_groups(self) -> list[SimGroup]:
        return [g for g in self.groups.values() if not g.dismissed]

    def live_rooms(self) -> list[SimRoom]:
        return [r for r in self.rooms.values() if not r.dismissed]

    def _active(self, userid: str) -> bool:
        user = self.users.get(userid)
        return bool(user and user.active)

    def summary(self) -> dict[str, Any]:
        return {
            "corp_id": self.corp_id,
            "name": self.name,
            "seed": self.seed,
            "size": self.size,
            "epoch": self.epoch,
            "departments": len(self.departments),
            "users": len(self.users),
            "active_users": len(self.active_users()),
            "customers": len(self.customers),
            "visible_customers": len(self.visible_customers()),
            "follow_pairs": len(self.follow_pairs()),
            "tags": len([t for t in self.tags.values() if not t.deleted]),
            "groups": len(self.live_groups()),
            "internal_rooms": len(self.live_rooms()),
            "unassigned": len(self.unassigned()),
            "conventions": self.conventions,
        }


def default_epoch() -> int:
    """Midnight (Asia/Shanghai) of today: data is stable for a day and recent for the demo."""
    now = datetime.now(SHANGHAI)
    return int(datetime(now.year, now.month, now.day, tzinfo=SHANGHAI).timestamp())


class _Gen:
    def __init__(self, seed: int, corp_id: str) -> None:
        self.rng = random.Random(f"zhidu-wecom-sim:{seed}:{corp_id}")
        self.used_userids: set[str] = set()
        self.used_ids: set[str] = set()

    def opaque(self, prefix: str, length: int = 30) -> str:
        while True:
            value = prefix + "".join(self.rng.choices(_ID_ALPHABET, k=length))
            if value not in self.used_ids:
                self.used_ids.add(value)
                return value

    def person(self) -> tuple[str, str, str]:
        """(name, userid, gender) with a pinyin userid, unique in the corp."""
        surname, sp = self.rng.choice(SURNAMES)
        parts = [self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2, 2)))]
        name = surname + "".join(p[0] for p in parts)
        base = sp + "".join(p[1] for p in parts)
        userid, n = base, 1
        while userid.lower() in self.used_userids:
            n += 1
            userid = f"{base}{n}"
        self.used_userids.add(userid.lower())
        return name, userid, self.rng.choice(("1", "2"))

    def mobile(self) -> str:
        return "1" + self.rng.choice("3456789") + "".join(self.rng.choices(string.digits, k=9))

    def weighted(self, pairs: list[tuple[int, int]]) -> int:
        return self.rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def build_company(
    seed: int = 42,
    size: str = "small",
    *,
    corp_id: str = "wwsimcorp",
    epoch: int | None = None,
    customers_per_member: int | None = None,
    nickname_break_share: float = 0.15,
    group_name_break_share: float = 0.15,
    disagree_share: float = 0.05,
    resigned_members: int = 1,
    company_name: str = "示例科技有限公司",
) -> Company:
    if size not in SIZES:
        raise ValueError(f"size must be one of {', '.join(SIZES)}")
    spec = dict(SIZES[size])
    if customers_per_member is not None:
        spec["customers"] = customers_per_member
    g = _Gen(seed, corp_id)
    rng = g.rng
    epoch = default_epoch() if epoch is None else int(epoch)
    company = Company(corp_id=corp_id, name=company_name, seed=seed, size=size, epoch=epoch)
    company.conventions = {
        "nickname": NICKNAME_CONVENTION,
        "group_name_regex": GROUP_NAME_RULE,
        "nickname_break_share": nickname_break_share,
        "group_name_break_share": group_name_break_share,
    }
    next_id = iter(range(2, 1_000_000))
    depts = company.departments
    depts[1] = SimDepartment(1, company_name, 0, 100000000)

    def dept(name: str, parent: int, order: int) -> SimDepartment:
        d = SimDepartment(next(next_id), name, parent, order)
        depts[d.id] = d
        return d

    def user(position: str, role: str, d: SimDepartment, leader: bool = False, boss: str = "") -> SimUser:
        name, userid, gender = g.person()
        u = SimUser(
            userid=userid,
            name=name,
            department=[d.id],
            position=position,
            role=role,
            mobile=g.mobile(),
            gender=gender,
            email=f"{userid.lower()}@example.com",
            is_leader_in_dept=[1 if leader else 0],
            direct_leader=[boss] if boss else [],
            main_department=d.id,
            order=[rng.randint(0, 1000)],
        )
        company.users[userid] = u
        if leader:
            d.leaders.append(userid)
        return u

    center = dept("销售中心", 1, 90000)
    company.sales_center_id = center.id
    risk = dept("风控部", 1, 80000)
    office = dept("行政部", 1, 70000)
    director = user("销售总监", "director", center, leader=True)
    sales_people: list[SimUser] = []
    leads: list[SimUser] = []
    for i in range(spec["depts"]):
        label = CN_NUM[i] if i < 10 else str(i + 1)
        sd = dept(f"销售{label}部", center.id, 1000 - i)
        manager = user("销售经理", "manager", sd, leader=True, boss=director.userid)
        leads.append(manager)
        for j in range(spec["teams"]):
            team_label = CN_NUM[j] if j < 10 else str(j + 1)
            team = dept(f"{label}部{team_label}组", sd.id, 100 - j)
            supervisor = user("销售主管", "supervisor", team, leader=True, boss=manager.userid)
            leads.append(supervisor)
            for _ in range(spec["sales"]):
                sales_people.append(user(rng.choice(SALES_POSITIONS), "sales", team, boss=supervisor.userid))
    for _ in range(spec["compliance"]):
        user(rng.choice(["风控专员", "质检专员"]), "compliance", risk)
    for n in range(spec["admins"]):
        user("管理员", "admin", office, leader=n == 0)

    # corp tags
    base_time = epoch - 800 * DAY
    for order, (group_name, tag_names) in enumerate(TAG_GROUPS):
        tg = SimTagGroup(g.opaque("et", 22), group_name, base_time + order, order=100 - order)
        company.tag_groups[tg.group_id] = tg
        for k, tag_name in enumerate(tag_names):
            tag = SimTag(g.opaque("et", 22), tag_name, tg.group_id, base_time + order, order=100 - k)
            company.tags[tag.id] = tag
            tg.tags.append(tag.id)
    tag_by_group = {tg.group_id: list(tg.tags) for tg in company.tag_groups.values()}

    # customers
    def new_customer() -> SimCustomer:
        kind = 2 if rng.random() < 0.1 else 1
        corp = rng.choice(COMPANIES)
        if rng.random() < 0.7:
            surname, _ = rng.choice(SURNAMES)
            name = surname + rng.choice(["先生", "女士", "总", "经理"]) if rng.random() < 0.3 else g.person()[0]
        else:
            name = rng.choice(WECHAT_NICKS)
        r = rng.random()
        agree = "Disagree" if r < disagree_share else ("Default_Agree" if r < disagree_share + 0.1 else "Agree")
        c = SimCustomer(
            external_userid=g.opaque("wm", 30),
            name=name,
            type=kind,
            gender=rng.choice((0, 1, 2)),
            avatar=f"https://wework.qpic.cn/wwhead/sim{rng.randint(10**6, 10**7)}/0",
            corp_name=corp if kind == 2 else "",
            corp_full_name=f"{corp}有限公司" if kind == 2 else "",
            position=rng.choice(["采购", "经理", "总监", ""]) if kind == 2 else "",
            agree_status=agree,
            agree_time=epoch - rng.randint(1, 300) * DAY,
        )
        company.customers[c.external_userid] = c
        return c

    def new_follow(c: SimCustomer, u: SimUser, sharer: str = "") -> SimFollow:
        add_way = g.weighted(ADD_WAYS)
        if add_way in (201, 202):
            oper = sharer or (u.direct_leader[0] if u.direct_leader else u.userid)
        elif add_way in (1, 16):
            oper = c.external_userid  # the customer scanned / used the link
        else:
            oper = u.userid
        tags = [rng.choice(ids) for gid, ids in tag_by_group.items() if rng.random() < 0.5]
        corp = c.corp_name or (rng.choice(COMPANIES) if rng.random() < 0.3 else "")
        return SimFollow(
            userid=u.userid,
            remark=f"{c.name}-{corp}" if corp and rng.random() < 0.5 else (c.name if rng.random() < 0.6 else ""),
            description=rng.choice(DESCRIPTIONS),
            createtime=epoch - rng.randint(1, 720) * DAY + rng.randint(0, DAY - 1),
            tag_ids=tags,
            personal_tags=[rng.choice(PERSONAL_TAGS)] if rng.random() < 0.15 else [],
            remark_corp_name=corp,
            remark_mobiles=[g.mobile()] if rng.random() < 0.3 else [],
            oper_userid=oper,
            add_way=add_way,
            state=rng.choice(["promo1", "expo2025", "qr_campaign_7"]) if add_way == 1 and rng.random() < 0.3 else "",
        )

    per = spec["customers"]
    owners: list[tuple[SimUser, int]] = [(u, rng.randint(int(per * 0.6), int(per * 1.4))) for u in sales_people]
    owners += [(u, per // 3 if u.role == "supervisor" else per // 10) for u in leads]
    for u, count in owners:
        for _ in range(count):
            c = new_customer()
            company.add_follow(c, new_follow(c, u))
            boss = company.users.get(u.direct_leader[0]) if u.direct_leader else None
            if boss and u.role == "sales" and rng.random() < 0.05:  # a VIP the supervisor follows too
                company.add_follow(c, new_follow(c, boss, sharer=u.userid))

    # customer groups
    by_dept: dict[int, list[SimUser]] = {}
    for u in company.users.values():
        by_dept.setdefault(u.main_department, []).append(u)
    for owner in sales_people + [u for u in leads if u.role == "supervisor"]:
        for _ in range(rng.choice((0, 1, 1, 2))):
            _make_group(company, g, owner, nickname_break_share, group_name_break_share, by_dept)

    # members who left, with their customers still unassigned
    for u in rng.sample(sales_people, min(resigned_members, len(sales_people))):
        u.status = 5
        u.dimission_time = epoch - rng.randint(1, 20) * DAY
        for gr in company.groups.values():
            if gr.owner == u.userid:
                gr.status = 1
    _make_rooms(company, corp_id)
    fill_profiles(company)
    return company


EXTERNAL_POSITIONS = {
    "director": "销售总监",
    "manager": "销售经理",
    "supervisor": "销售主管",
    "sales": "销售顾问",
    "compliance": "客户服务",
    "admin": "客户服务",
}
ALIASES = ["Amy", "Leo", "Coco", "Jack", "Lily", "Tony", "Echo", "Kevin", "Sunny", "Vivian", "Eric", "Grace"]


def profile_for(rng: random.Random, company: Company, u: SimUser) -> None:
    """A member's public profile (user/get: alias, avatar, external_position, external_profile)."""
    u.alias = rng.choice([f"小{u.name[-1]}", f"{u.name}老师", rng.choice(ALIASES)])
    u.avatar = f"https://wework.qpic.cn/wwpic/{rng.randint(10**5, 10**6 - 1)}_{rng.randint(10**9, 10**10 - 1)}/0"
    u.external_position = EXTERNAL_POSITIONS.get(u.role, "销售顾问")
    hotline = f"400-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}"
    u.external_profile = {
        "external_corp_name": company.name,
        "wechat_channels": {"nickname": f"{company.name[:4]}{u.name}", "status": 1},
        "external_attr": [
            {"type": 0, "name": "服务热线", "text": {"value": hotline}},
            {"type": 1, "name": "官网", "web": {"url": "https://www.example.com", "title": "公司官网"}},
        ],
    }


def fill_profiles(company: Company) -> None:
    """Profiles come from their own random stream, so adding them changed no other seeded value."""
    rng = random.Random(f"zhidu-wecom-sim-profile:{company.seed}:{company.corp_id}")
    for userid in sorted(company.users):
        profile_for(rng, company, company.users[userid])


ROOM_NAME_TEMPLATE = "{department}群"  # department groups: 销售一部群
EXCHANGE_ROOM_NAME = "销售经验交流群"  # the salespeople's exchange group (S5)
BAD_ROOM_NAMES = ["摸鱼小分队", "新建群聊", "干饭群"]
EXCHANGE_ROOM_LIMIT = 500
ROOM_NOTICES = ["", "本群用于部门工作沟通，请勿发布与工作无关的内容。", "有问题请在群里提出，看到的同事及时回复。"]


def _make_rooms(company: Company, corp_id: str) -> None:
    """Internal groups from a second random stream (the company's other data is unchanged by them): one
    group per sales department named '{部门}群' created by its manager, the salespeople's exchange group
    created by the sales director, and one room whose name breaks the department-group convention."""
    rng = random.Random(f"zhidu-wecom-sim-rooms:{company.seed}:{corp_id}")
    epoch = company.epoch

    def roomid() -> str:
        while True:
            value = "wr" + "".join(rng.choices(_ID_ALPHABET, k=30))
            if value not in company.rooms and value not in company.groups:
                return value

    def room(name: str, creator: SimUser, people: list[SimUser], kind: str, follows: bool) -> SimRoom:
        created = epoch - rng.randint(200, 700) * DAY
        notice = rng.choice(ROOM_NOTICES)
        r = SimRoom(roomid(), name, creator.userid, created, notice, follows_naming=follows, kind=kind)
        r.members.append(SimRoomMember(creator.userid, created))
        for u in people:
            if u.userid != creator.userid:
                r.members.append(SimRoomMember(u.userid, created + rng.randint(60, 150 * DAY)))
        company.rooms[r.roomid] = r
        return r

    active = [u for u in company.users.values() if u.active]
    sales_depts = [d for d in company.departments.values() if d.parentid == company.sales_center_id]
    director = next((u for u in active if u.role == "director"), None)
    for d in sales_depts:
        tree = set(company.subtree(d.id))
        people = [u for u in active if tree.intersection(u.department)]
        creator = next((u for u in people if u.userid in d.leaders), people[0] if people else None)
        if creator is not None and len(people) >= 2:
            room(ROOM_NAME_TEMPLATE.format(department=d.name), creator, people, "department", True)
    sellers = [u for u in active if u.role == "sales"][:EXCHANGE_ROOM_LIMIT]
    if director is not None and len(sellers) >= 2:
        room(EXCHANGE_ROOM_NAME, director, sellers, "exchange", True)
    if sales_depts:
        tree = set(company.subtree(sales_depts[-1].id))
        people = [u for u in active if u.role == "sales" and tree.intersection(u.department)]
        if len(people) >= 3:
            picked = rng.sample(people, min(len(people), 6))
            room(rng.choice(BAD_ROOM_NAMES), picked[0], picked, "other", False)


def staff_nickname(company: Company, user: SimUser) -> str:
    d = company.departments.get(user.main_department)
    return f"{d.name if d else ''}{user.name}"


def _make_group(
    company: Company, g: _Gen, owner: SimUser, nick_break: float, name_break: float, by_dept: dict[int, list[SimUser]]
) -> SimGroup:
    rng = g.rng
    epoch = company.epoch
    created = epoch - rng.randint(1, 500) * DAY
    own_customers = [company.customers[e] for e in company.customers_of(owner.userid)]
    anchor = rng.choice(own_customers) if own_customers else None
    team = company.departments[owner.main_department].name
    if rng.random() < name_break:
        name, follows = rng.choice(BAD_GROUP_NAMES), False
    else:
        topic = (anchor.corp_name or anchor.name) if anchor else rng.choice(COMPANIES)
        name, follows = f"{team}-{topic.replace('-', '')}-{rng.choice(GROUP_SUFFIXES)}", True
    group = SimGroup(
        chat_id=g.opaque("wr", 30),
        name=name,
        owner=owner.userid,
        create_time=created,
        notice=rng.choice(["", "欢迎加入，有问题随时在群里提出。", "本群用于产品答疑与售后服务。"]),
        follows_naming=follows,
    )

    def staff_member(u: SimUser, scene: int = 1, invitor: str = "") -> SimGroupMember:
        breaks = rng.random() < nick_break
        nick = rng.choice([u.name, f"{u.name}{rng.choice(['🌟', '~', '(销售)'])}", rng.choice(WECHAT_NICKS)])
        return SimGroupMember(
            userid=u.userid,
            type=1,
            join_time=created + rng.randint(0, 3600),
            join_scene=scene,
            invitor=invitor,
            group_nickname=nick if breaks else staff_nickname(company, u),
            name=u.name,
            follows_nickname=not breaks,
        )

    group.members.append(staff_member(owner))
    group.members[0].join_time = created
    boss = company.users.get(owner.direct_leader[0]) if owner.direct_leader else None
    if boss and rng.random() < 0.6:
        group.members.append(staff_member(boss, invitor=owner.userid))
        group.admins.append(boss.userid)
    team_mates = [u for u in by_dept.get(owner.main_department, []) if u.userid != owner.userid]
    for mate in rng.sample(team_mates, min(len(team_mates), rng.choice((0, 0, 1, 2)))):
        if all(m.userid != mate.userid for m in group.members):
            group.members.append(staff_member(mate, invitor=owner.userid))
    picks = rng.sample(own_customers, min(len(own_customers), rng.randint(3, 20)))
    for c in picks:
        scene = rng.choice((1, 2, 3))
        group.members.append(
            SimGroupMember(
                userid=c.external_userid,
                type=2,
                join_time=min(epoch - 60, created + rng.randint(60, 200 * DAY)),
                join_scene=scene,
                invitor=owner.userid if scene != 3 else "",
                group_nickname=rng.choice(WECHAT_NICKS) if rng.random() < 0.3 else "",
                name=c.name,
                unionid=("ozsim" + g.opaque("", 23)) if c.type == 1 and rng.random() < 0.5 else "",
                state="qr_campaign_7" if scene == 3 and rng.random() < 0.3 else "",
            )
        )
    for _ in range(rng.choice((0, 0, 1, 3))):  # WeChat users who are nobody's customer
        scene = rng.choice((2, 3))
        group.members.append(
            SimGroupMember(
                userid=g.opaque("wm", 30),
                type=2,
                join_time=min(epoch - 60, created + rng.randint(60, 200 * DAY)),
                join_scene=scene,
                invitor=owner.userid if scene == 2 else "",
                name=rng.choice(WECHAT_NICKS),
            )
        )
    company.groups[group.chat_id] = group
    return group
