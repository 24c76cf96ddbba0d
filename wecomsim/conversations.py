"""Seeded generator of realistic Chinese sales chats in the decrypted archive schema (API.md §7.4).

    generate_messages(seed=42, staff=[...], customers=[...], rooms=[...], count=1000, start_ms=...)
    → iterator of (record, labels)

Conversations (single chats between a salesperson and a customer they follow, and customer groups)
run through greeting → inquiry → product → price → order → delivery → after-sales → follow-up, with
slot-filled templates (products, prices, names, dates, addresses), interleaved in time and mostly
inside business hours (Asia/Shanghai). A `violation_share` of messages is replaced by a labelled
violation (labels = category codes, see zhidu.compliance.engine.CATEGORIES) and a
`hard_negative_share` by look-alikes that are NOT violations (最佳保质期, 追求最好的服务, a customer's
own phone number for delivery, 第一次购买 …; labels = ()). All texts are our own. Deterministic for a
seed; pure Python; about 1M messages in ~10 s.
"""

from __future__ import annotations

import json
import random
import string
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class StaffInfo:
    userid: str
    name: str


@dataclass(frozen=True)
class CustomerInfo:
    external_userid: str
    name: str
    follow_userid: str


@dataclass(frozen=True)
class RoomInfo:
    roomid: str
    name: str
    owner: str
    member_ids: tuple[str, ...]


# --- vocabulary ------------------------------------------------------------------------------------

# (name, low price, high price, feature, ingredient/spec, kind)
PRODUCTS: tuple[tuple[str, int, int, str, str, str], ...] = (
    ("玻尿酸补水面膜", 89, 199, "补水保湿，敷完第二天上妆很服帖", "一盒10片", "skin"),
    ("烟酰胺精华液", 159, 359, "质地清爽，适合混合皮", "30ml和50ml两个规格", "skin"),
    ("氨基酸洗面奶", 49, 99, "泡沫细腻，洗完不紧绷", "120g一支", "skin"),
    ("清透防晒霜", 79, 169, "SPF50，不油腻，军训也能用", "50ml", "skin"),
    ("修护面霜", 199, 459, "换季泛红的时候用着很舒服", "50g", "skin"),
    ("益生菌冻干粉", 128, 298, "每天一条，小朋友也爱喝", "一盒30条", "health"),
    ("乳清蛋白粉", 199, 399, "香草味，冲调不结块", "900g一罐", "health"),
    ("深海鱼油软胶囊", 158, 328, "每天两粒，老人吃得多", "120粒一瓶", "health"),
    ("钙维生素D咀嚼片", 88, 168, "橙子味，嚼着吃方便", "60片一瓶", "health"),
    ("明前龙井", 268, 888, "今年的新茶，豆香很足", "250g一罐", "food"),
    ("云南古树普洱茶饼", 198, 1280, "越放越香，适合收藏", "357g一饼", "food"),
    ("手工阿胶糕", 138, 298, "不甜不腻，独立小包装", "500g一盒", "food"),
    ("每日坚果礼盒", 99, 199, "六种坚果搭配，送礼很体面", "30袋一盒", "food"),
    ("东北五常大米", 69, 139, "煮出来很香，口感软糯", "5kg一袋", "food"),
    ("土蜂蜜", 88, 188, "农户自家养的，结晶是正常的", "500g一瓶", "food"),
    ("全麦吐司", 19, 39, "低糖配方，早餐很方便", "一袋8片", "food"),
    ("空气净化器", 1299, 3299, "除甲醛效果不错，睡眠模式很安静", "适用40平米", "appliance"),
    ("扫地机器人", 1599, 3999, "扫拖一体，能自动回充", "带自动集尘座", "appliance"),
    ("破壁机", 399, 1299, "打豆浆不用过滤，声音也小", "1.75L", "appliance"),
    ("电动牙刷", 199, 599, "三种清洁模式，续航一个月", "送两个刷头", "appliance"),
    ("按摩椅", 5999, 15999, "全身气囊按摩，带零重力模式", "颜色有灰色和米色", "appliance"),
    ("净水器", 1999, 4999, "RO反渗透，装在厨下", "滤芯一年一换", "appliance"),
    ("初级会计考证班", 1980, 3980, "有录播也有直播，老师答疑很及时", "含题库和模考", "course"),
    ("英语口语私教课", 2980, 8800, "外教一对一，时间可以自己约", "一期48节", "course"),
    ("少儿编程课", 1680, 4680, "图形化编程入门，孩子学得很开心", "一期24节", "course"),
    ("教师资格证培训", 980, 2980, "笔试面试都有辅导", "含讲义", "course"),
    ("年金保险", 10000, 50000, "可以给孩子准备教育金", "交十年", "finance"),
    ("重疾险", 3000, 12000, "覆盖的病种比较全", "保到七十岁", "finance"),
    ("稳健型理财产品", 10000, 100000, "历史业绩比较平稳，但不保证收益", "一年期", "finance"),
    ("乳胶枕", 199, 499, "透气不闷，颈椎不舒服的可以试试", "两个一组", "home"),
    ("蚕丝被", 899, 2599, "轻薄保暖，冬夏两用", "200x230", "home"),
    ("纯棉四件套", 299, 699, "亲肤不起球，颜色很多", "1.8米床", "home"),
)
DISEASES = ("高血压", "糖尿病", "失眠", "痘痘", "湿疹", "胃病", "颈椎病", "脱发", "过敏性鼻炎")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁沈任姚卢"
HONORIFICS = ("姐", "哥", "女士", "先生", "总", "阿姨", "老师", "叔")
CITIES = (
    ("杭州市", "西湖区文三路"),
    ("上海市", "浦东新区张杨路"),
    ("北京市", "朝阳区望京西路"),
    ("广州市", "天河区体育西路"),
    ("成都市", "武侯区天府大道"),
    ("武汉市", "洪山区珞喻路"),
    ("南京市", "鼓楼区中山北路"),
    ("深圳市", "南山区科技园路"),
    ("西安市", "雁塔区小寨东路"),
    ("苏州市", "工业园区星湖街"),
)
DAYS = ("今天", "明天", "后天", "周六", "周日", "下周一", "这周五")
COURIERS = ("顺丰", "中通", "圆通", "京东快递", "韵达", "EMS")
MOBILE_PREFIXES = (
    *("138", "139", "136", "137", "135", "150", "151", "158", "159", "186", "187", "188", "189"),
    *("133", "153", "177", "180", "181", "185", "155", "156", "166", "176", "199", "198", "191"),
)
ID_AREAS = ("110101", "310104", "440106", "330106", "510107", "420106", "320102", "370102", "610113", "500103")

# --- templates: role "s" staff, "c" customer -------------------------------------------------------

GREET_S = (
    "{cname}您好，我是{brand}的{sname}，很高兴为您服务～",
    "{cname}您好，之前您咨询的{p}还需要了解吗？",
    "早上好{cname}，今天有什么可以帮您的吗？",
    "{cname}下午好，我是您的专属顾问{sname}，有问题随时找我",
    "您好，感谢添加，我是{brand}客服{sname}",
    "{cname}，好久没联系啦，最近还好吗？",
    "您好{cname}，看到您在小程序里浏览了{p}，有什么想了解的吗",
    "在的在的，{cname}您请说",
)
GREET_C = (
    "你好，在吗",
    "您好，我想问一下{p}",
    "请问{p}还有货吗",
    "朋友推荐的，想了解下{p}",
    "在吗？",
    "你好，我是{city}的，想咨询一下",
    "hello，上次说的那个{p}怎么样了",
    "你好，看到你们直播间的{p}了",
)
INQUIRY_C = (
    "{p}多少钱？",
    "这个适合{who}用吗",
    "有没有小一点的规格",
    "和上次买的有什么区别",
    "保质期多久啊",
    "能开发票吗",
    "什么时候能发货",
    "有赠品吗",
    "可以先试用吗",
    "效果怎么样啊，真的有用吗",
    "{p}是什么成分的",
    "怎么用啊，一天用几次",
    "我皮肤比较敏感，能用吗",
    "{p}和别家的比有什么优势",
    "老人能用吗",
    "有没有实物图",
    "支持七天无理由吗",
    "你们有线下门店吗",
)
INTRO_S = (
    "这款{p}是我们今年的新款，{feature}",
    "{p}目前卖得挺好的，很多老客户回购，{feature}",
    "您可以看下详情页，我把链接发您",
    "这款规格是{spec}，{feature}",
    "适合的，{feature}，{who}用都可以",
    "有的，{spec}，您看需要哪一种",
    "我们家{p}口碑一直不错，您可以先看看评价",
    "我给您发几张实物图，您参考一下",
    "这个问题我帮您问一下产品同事，稍等哈",
    "支持七天无理由退换，您放心",
    "可以开发票的，下单的时候备注抬头和税号就行",
    "一般{days}天左右能到，偏远地区会慢一点",
    "{p}的具体用法我整理了一份说明，您看下",
    "因人而异哈，一般坚持用一段时间会有感觉，具体以实际体验为准",
    "我们在{city}有门店，地址我发您",
)
PRICE_S = (
    "{p}现在活动价{price}元，原价{price2}元",
    "这款日常价{price}元，这周买二送一",
    "现在下单满{full}减{minus}，挺划算的",
    "会员价是{price}元，新客首单再减{minus}元",
    "价格是公司统一定的，线上线下都一样哦",
    "这个价格已经是活动价了，{day}活动就结束了",
    "{p}单盒{price}元，三盒装{price3}元",
    "现在参加官方活动可以打{dz}折，活动到月底",
    "可以帮您申请一张{minus}元的优惠券，稍等",
    "您关注下店铺，双十一的时候力度更大",
    "定金{deposit}元，尾款{day}付就可以",
)
PRICE_C = (
    "能便宜点吗",
    "有没有优惠",
    "有点贵啊",
    "别家好像才{price}",
    "买两盒能不能便宜点",
    "老客户有折扣吗",
    "那我考虑一下",
    "{price}元包邮吗",
    "有优惠券吗",
    "可以分期吗",
)
NEGOTIATE_S = (
    "公司规定的价格，我这边没办法改哦，不过可以帮您申请个小赠品",
    "老客户可以用积分抵扣，您有{points}积分",
    "包邮的，偏远地区除外",
    "可以分期的，在小程序下单选花呗分期就行",
    "这个价格真的已经很实在了，您可以对比一下",
    "好的，您考虑好了随时找我",
    "我帮您申请一下，看能不能多送一个小样",
)
ORDER_C = (
    "好的，那我下单了",
    "怎么付款",
    "已经付款了",
    "我拍好了，你看下",
    "帮我备注一下是送礼用的",
    "我要两盒",
    "地址用上次的就行",
    "下单了，订单号是{orderno}",
    "能帮我改一下收货地址吗",
)
ORDER_S = (
    "好的，您直接在小程序里下单就可以",
    "收到，已经帮您备注了",
    "订单已经提交，请在30分钟内完成支付",
    "付款成功了，我们会尽快安排发货",
    "好的，地址已经帮您改好了",
    "谢谢{cname}的支持！",
    "订单号{orderno}，我这边看到了",
    "发票会在发货后三个工作日内开好，发到您邮箱",
)
DELIVERY_S = (
    "{day}下午{hour}点前下单当天发货",
    "已经发货了，{courier}单号{tracking}",
    "{courier}包邮，一般{days}天到",
    "物流显示{day}派送，请注意查收",
    "仓库那边在打包了，今天能发出",
    "{cname}，包裹已经到{city}了，预计{day}送到",
)
DELIVERY_C = (
    "什么时候发货啊",
    "快递到哪了",
    "收到了，包装挺好的",
    "地址写错了能改吗",
    "收货地址是{city}{street}{no}号",
    "快递放驿站就行",
    "我{day}不在家，能晚点送吗",
    "{courier}的吗",
)
AFTER_C = (
    "用了几天感觉还不错",
    "有点过敏怎么办",
    "能退货吗",
    "少发了一个",
    "盒子压坏了",
    "这个怎么清洗啊",
    "用完了，想再买一套",
    "你们的快递太慢了，等了一个礼拜",
    "客服电话一直打不通",
    "效果没有你说的那么好啊",
)
AFTER_S = (
    "非常抱歉给您带来不便，我马上帮您处理",
    "您拍个照片给我，我帮您申请售后",
    "七天无理由退换，您放心",
    "已经给您补发了，单号稍后发您",
    "建议先停用观察一下，如果不舒服请及时就医",
    "清洗方法我发您一个视频，您看一下",
    "收到您的反馈了，我们会改进的",
    "退款已经提交了，一般1到3个工作日到账",
    "每个人体质不一样，效果会有差异，您可以再坚持用一段时间看看",
)
FOLLOW_S = (
    "{cname}，上次买的{p}用完了吗？",
    "最近天气变冷，记得多补水哦",
    "新品到了，给您留了一份小样，{day}给您寄过去",
    "周末门店有活动，欢迎过来体验",
    "有任何问题随时找我",
    "{cname}，{p}用得怎么样？有问题随时跟我说",
    "下个月店庆，老客户有专属福利，到时候提醒您",
    "节日快乐！祝您和家人幸福安康",
)
FOLLOW_C = ("好的谢谢", "收到", "嗯嗯", "👌", "好的，有需要再找你", "谢谢{sname}", "好的好的", "[强]", "知道了，谢谢")
CLOSE = ("好的", "谢谢", "不客气，有问题随时找我～", "嗯嗯好的", "好嘞", "辛苦了", "祝您生活愉快！")
GROUP_S = (
    "各位群友晚上好，今晚8点直播间有福利，记得来哦",
    "【发货通知】{day}之前的订单已经全部发出，请注意查收",
    "新品{p}到货了，有需要的小伙伴可以联系我或者在小程序下单",
    "群公告：请大家文明交流，不要发广告哦",
    "感谢大家一直以来的支持！",
    "{p}团购价{price}元，{day}截止",
    "今天分享一个小知识：{tip}",
    "本周六下午在{city}门店有线下体验活动，欢迎报名",
    "@所有人 {p}补货了，之前没抢到的可以下单了",
    "大家有售后问题可以直接找我，我看到都会回复",
    "提醒一下，官方只通过小程序下单，请认准官方渠道",
)
GROUP_C = (
    "收到",
    "已下单",
    "什么时候开团",
    "上次买的{p}很好用",
    "请问怎么参加活动",
    "+1",
    "我也要一份",
    "谢谢群主",
    "{p}还有吗",
    "直播几点开始",
    "我的快递还没到",
    "有没有{city}的朋友",
    "这个适合{who}吗",
    "求链接",
    "哈哈哈",
    "早上好",
)
TIPS = (
    "护肤品开封后放在阴凉处保存",
    "蛋白粉用温水冲，不要用开水",
    "新茶买回来最好密封冷藏",
    "净水器滤芯要按时更换",
    "防晒要提前二十分钟涂",
    "坚果开袋后尽快吃完，容易受潮",
)
WHO = ("老人", "小孩", "孕妇", "男生", "敏感肌", "上班族", "学生")

# --- violations: (labels, role, chat, template); role "s" staff, "c" customer; chat True = groups only,
# False = any chat, None = single chats only -----------------------------------------------------------

VIOLATIONS: dict[str, tuple[tuple[tuple[str, ...], str, bool | None, str], ...]] = {
    "false_claim": (
        (("false_claim",), "s", False, "这款{p}是全网最好的，没有之一"),
        (("false_claim",), "s", False, "我们是行业第一品牌，{p}质量您放心"),
        (("false_claim",), "s", False, "{p}是国家级的顶级产品，别家比不了"),
        (("false_claim",), "s", False, "这是目前最先进的配方，{feature}"),
        (("false_claim",), "s", False, "我们家{p}销量全国第一，{price}元真的值"),
        (("false_claim",), "s", False, "这个价格是全网最低价了，错过就没有了"),
        (("false_claim",), "s", False, "{p}用的是世界级的技术，效果最好"),
        (("false_claim",), "s", False, "放心买，绝对正品，假一赔十"),
        (("false_claim",), "s", False, "这款{p}能根治{disease}，很多客户都反馈好了"),
        (("false_claim",), "s", False, "坚持吃三个月，{disease}保证治愈"),
        (("false_claim",), "s", False, "{p}可以替代药物，降血压效果特别好"),
        (("false_claim",), "s", False, "我们这个包治百病，没有副作用"),
        (("false_claim",), "s", False, "有效率100%，一个疗程见效"),
        (("false_claim",), "s", False, "这款理财保本保收益，年化{rate}%"),
        (("false_claim",), "s", False, "投资这个稳赚不赔，{cname}您放心"),
        (("false_claim",), "s", False, "零风险，收益有保障，比存银行强多了"),
        (("false_claim",), "s", False, "报我们的班保过，不过全额退款"),
        (("false_claim",), "s", False, "{p}包拿证，通过率100%"),
        (("false_claim",), "s", False, "我们承诺每年收益不低于{rate}%"),
        (("false_claim",), "s", False, "这個產品效果最好，銷量第一"),
    ),
    "privacy": (
        (("privacy",), "s", False, "{other}的身份证号是{idno}，你帮忙核对一下"),
        (("privacy",), "s", False, "客户名单我整理好了，发你邮箱了"),
        (("privacy",), "s", False, "把客户资料发你，手机号都在表里"),
        (("privacy",), "s", False, "他的银行卡号{card}，直接从这张卡扣款"),
        (("privacy",), "s", False, "上次那个客户的身份证{idno_spaced}"),
        (("privacy",), "s", True, "{other}的电话是{mobile}，有事直接找她"),
        (("privacy",), "s", True, "大家可以联系{other}，手机{mobile_spaced}"),
        (("privacy",), "s", False, "把你的银行卡密码发我一下，我帮你操作"),
        (("privacy",), "s", False, "收到的验证码发我，我帮你把会员开了"),
        (("privacy",), "s", False, "客户的家庭住址是{city}{street}{no}号，你直接过去"),
    ),
    "secret": (
        (("secret",), "s", False, "偷偷告诉你，这款成本价才{low}元"),
        (("secret",), "s", False, "这是公司内部资料，你看完别外传"),
        (("secret",), "s", False, "我们的进货价是{low}，利润挺高的"),
        (("secret",), "s", False, "下个月有个还没公布的新品，先跟你说一下"),
        (("secret",), "s", False, "我把内部价格表发你看看"),
        (("secret",), "s", False, "老板的底价是{low}元，再低就亏了"),
        (("secret",), "s", False, "我们提成比例是百分之十五"),
        (("secret",), "s", False, "这个供应商是{city}的一个小厂，你别说出去"),
    ),
    "private_deal": (
        (("private_deal",), "s", False, "加我私人微信{wx}，以后直接找我"),
        (("private_deal",), "s", False, "这个号不常用，加我个人微信吧：{wx}"),
        (("private_deal",), "s", None, "微信同号{mobile}，加我聊"),
        (("private_deal",), "s", False, "你加下我vx：{wx}，那边说话方便"),
        (("private_deal",), "s", False, "这里不方便说，加我微信{wx}"),
        (("private_deal",), "s", False, "以后私下联系，别在这里说"),
        (("private_deal",), "s", False, "钱直接转账给我就行，不用走公司"),
        (("private_deal",), "s", False, "你扫我的收款码付款，我帮你下单"),
        (("private_deal",), "s", False, "直接转我支付宝，我这边给你发货"),
        (("private_deal",), "s", False, "咱们私下交易，不走公司系统"),
        (("private_deal",), "s", False, "货款打到我个人账户就行"),
        (("private_deal",), "s", False, "薇信：{wx}，加我"),
    ),
    "price": (
        (("price",), "s", False, "我私下再给你优惠{n}块"),
        (("price",), "s", False, "我自己给你返{n}元现金"),
        (("price",), "s", False, "别走系统下单，我给你打{dz}折"),
        (("price",), "s", False, "这个价格别跟别人说，我私人给你的"),
        (("price",), "s", False, "我个人补贴你{n}元，就当交个朋友"),
        (("price",), "s", False, "偷偷给你便宜{n}块，别告诉别人"),
        (("price",), "s", False, "差价我给你补，你先按原价拍"),
        (("price",), "s", False, "内部价给你，{low}元拿走"),
        (("price",), "s", False, "REDPACKET"),
    ),
    "abuse": (
        (("abuse",), "s", False, "你是不是有病啊，说了多少遍了"),
        (("abuse",), "s", False, "脑子进水了吧，这都不懂"),
        (("abuse",), "s", False, "爱买不买，穷鬼"),
        (("abuse",), "s", False, "滚，别烦我"),
        (("abuse",), "s", False, "神经病，问了八百遍了"),
        (("abuse",), "s", False, "你这种人真是没素质"),
        (("abuse",), "s", False, "买不起就别问了，浪费时间"),
        (("abuse",), "s", False, "你算什么东西，也配跟我讲价"),
        (("abuse",), "s", False, "闭嘴吧你，烦死了"),
        (("abuse",), "c", True, "你个傻逼，在群里瞎说什么"),
        (("abuse",), "c", True, "闭嘴，脑残"),
    ),
    "ads": (
        (("ads",), "c", True, "招代理，在家就能做，日赚300+"),
        (("ads",), "c", True, "宝妈兼职，手机就能做，兼职日结"),
        (("ads",), "c", True, "扫码进群，每天免费领取鸡蛋"),
        (("ads",), "c", True, "大家帮忙砍一刀，谢谢啦"),
        (("ads",), "c", True, "关注我的公众号，每天分享好物"),
        (("ads",), "c", True, "原单尾货低价出售，有需要的加我{wx}"),
        (("ads",), "c", True, "我这边有更便宜的渠道，加我微信{wx}"),
        (("ads",), "c", True, "LINK"),
        (("ads",), "s", True, "想要更便宜的来我另一个群，拉你进群"),
        (("ads",), "c", True, "别的群更便宜，进我的群"),
    ),
    "prohibited": (
        (("prohibited",), "c", True, "今晚{hour}点六合彩开奖，跟着我买"),
        (("prohibited",), "c", True, "线上赌场新开业，充值送彩金"),
        (("prohibited",), "c", True, "有需要办假证的联系我"),
        (("prohibited",), "c", True, "百家乐带玩，一晚上翻倍"),
        (("prohibited",), "s", True, "代开发票，各行各业都可以"),
        (("prohibited",), "c", True, "裸聊视频，懂的来"),
    ),
    "rumor": (
        (("rumor",), "s", False, "听说公司要倒闭了，会员费赶紧退了吧"),
        (("rumor",), "s", False, "内部消息说公司下个月被查封"),
    ),
    "resource_misuse": (
        (("resource_misuse",), "s", False, "这款公司卖得贵，你去我自己的店买"),
        (("resource_misuse",), "s", False, "我副业也做{p}，要的话找我"),
    ),
    "malware": (
        (("malware",), "s", False, "客户端在这下载 http://45.77.12.9/client.apk"),
        (("malware",), "c", False, "发票在这 http://103.21.8.7/invoice.exe"),
    ),
    "unfair_competition": (
        (("unfair_competition",), "s", False, "他们家就是骗子，买了肯定后悔"),
        (("unfair_competition",), "s", False, "要盗版课程的话我这有"),
    ),
    "counterfeit": (
        (("counterfeit",), "s", False, "这款是高仿的，专柜验不出来"),
        (("counterfeit",), "s", False, "这批是走私货，所以便宜"),
    ),
    "politics": (
        (("politics",), "c", True, "周末一起上街游行去"),
        (("politics",), "s", False, "台独分子又在闹了"),
    ),
    "violence": (
        (("violence",), "c", False, "再不退款我就找人砍你"),
        (("violence",), "s", False, "信不信我弄死你"),
    ),
    "ethnic": (
        (("ethnic",), "s", False, "回族都是小偷，别卖给他们"),
        (("ethnic",), "s", False, "不吃猪肉真矫情"),
    ),
}
CATEGORY_WEIGHTS = (
    ("false_claim", 20),
    ("privacy", 12),
    ("secret", 10),
    ("private_deal", 16),
    ("price", 14),
    ("abuse", 10),
    ("ads", 12),
    ("prohibited", 6),
    ("rumor", 2),
    ("resource_misuse", 2),
    ("malware", 2),
    ("unfair_competition", 2),
    ("counterfeit", 2),
    ("politics", 1),
    ("violence", 2),
    ("ethnic", 1),
)
SINGLE_CATEGORIES = (
    "false_claim",
    "privacy",
    "secret",
    "private_deal",
    "price",
    "abuse",
    "rumor",
    "resource_misuse",
    "malware",
    "unfair_competition",
    "counterfeit",
    "politics",
    "violence",
    "ethnic",
)

# hard negatives: (role, chat: "single" | "any", template)
HARD_NEGATIVES: tuple[tuple[str, str, str], ...] = (
    ("s", "any", "这款面包的最佳保质期是{days}天，建议尽快食用"),
    ("s", "any", "开封后的最佳食用时间是一周内"),
    ("s", "any", "我们一直追求最好的服务，有问题随时跟我说"),
    ("s", "any", "{cname}是第一次购买吗？首单有新人礼"),
    ("s", "any", "这款{p}不能治疗疾病，身体不舒服请及时就医"),
    ("s", "any", "理财有风险，这款不保本，您要谨慎考虑"),
    ("s", "any", "这是我们店里卖得最好的一款"),
    ("s", "any", "您最好{day}上午来，人少不用排队"),
    ("s", "any", "我们公司的价格都是统一的，不能私下优惠哦"),
    ("s", "any", "请勿添加个人微信，所有服务都在企业微信里"),
    ("s", "any", "可以加我企业微信，方便售后"),
    ("s", "any", "公司规定不能收个人转账，请走对公账户"),
    ("s", "any", "订单号{orderno}，您核对一下"),
    ("s", "any", "{courier}单号SF{tracking}，明天到"),
    ("s", "any", "有问题可以打我们的客服热线400-{hot1}-{hot2}"),
    ("s", "any", "我们会尽最大努力帮您解决"),
    ("s", "any", "这个滚筒洗衣机是我们的赠品"),
    ("s", "any", "投资有风险，不承诺收益，请您理性选择"),
    ("s", "any", "这个成本价格上涨了，下个月可能会调价"),
    ("s", "any", "我们不会索要您的验证码，请注意防骗"),
    ("s", "any", "官方活动满{full}减{minus}，所有客户都一样"),
    ("s", "any", "USB接口的，充电很方便"),
    ("s", "any", "这个是我们自家系列中最畅销的"),
    ("c", "single", "收货电话{mobile}，地址{city}{street}{no}号"),
    ("c", "single", "我手机号{mobile_spaced}，到了给我打电话"),
    ("c", "single", "我的身份证号是{idno}，开发票用"),
    ("c", "single", "我的微信就是这个手机号"),
    ("c", "single", "这个真的是最好的吗？"),
    ("c", "single", "你们的东西太垃圾了，我要投诉"),
    ("c", "single", "加你微信方便吗"),
    ("c", "single", "我是第一次在你们家买"),
    ("c", "any", "我的快递单号是{tracking_digits}吗"),
)


def _fields(tpl: str) -> frozenset[str]:
    return frozenset(f for _, f, _, _ in string.Formatter().parse(tpl) if f)


_EXTRA_SLOTS = frozenset(
    {"mobile", "mobile_spaced", "idno", "idno_spaced", "card", "wx", "other", "orderno", "tracking", "tracking_digits"}
)


def _prep(pool: Sequence[str]) -> tuple[tuple[str, frozenset[str]], ...]:
    return tuple((t, _fields(t) & _EXTRA_SLOTS) for t in pool)


P_GREET_S, P_GREET_C, P_INQ_C, P_INTRO_S = _prep(GREET_S), _prep(GREET_C), _prep(INQUIRY_C), _prep(INTRO_S)
P_PRICE_S, P_PRICE_C, P_NEG_S = _prep(PRICE_S), _prep(PRICE_C), _prep(NEGOTIATE_S)
P_ORDER_C, P_ORDER_S, P_DEL_S, P_DEL_C = _prep(ORDER_C), _prep(ORDER_S), _prep(DELIVERY_S), _prep(DELIVERY_C)
P_AFTER_C, P_AFTER_S, P_FOLLOW_S, P_FOLLOW_C = _prep(AFTER_C), _prep(AFTER_S), _prep(FOLLOW_S), _prep(FOLLOW_C)
P_CLOSE, P_GROUP_S, P_GROUP_C = _prep(CLOSE), _prep(GROUP_S), _prep(GROUP_C)
P_VIOLATIONS = {
    k: tuple((lab, role, grp, t, _fields(t) & _EXTRA_SLOTS) for lab, role, grp, t in v) for k, v in VIOLATIONS.items()
}
P_HARD = tuple((role, chat, t, _fields(t) & _EXTRA_SLOTS) for role, chat, t in HARD_NEGATIVES)
BRANDS = ("知度优选", "禾木生活", "青屿良品", "知度健康", "云间茶舍")
SPAM_DOMAINS = ("quick-cash.top", "haohuo888.xyz", "vip-shop.cc", "freegift.club", "dwz-sale.vip")

# --- generator -------------------------------------------------------------------------------------

_ALNUM = string.ascii_lowercase + string.digits
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


class _Slots:
    """Values for the rarer template slots, made on demand."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def digits(self, n: int) -> str:
        return str(self.rng.randrange(10 ** (n - 1), 10**n))

    def mobile(self) -> str:
        return self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def idno(self) -> str:
        r = self.rng
        born = f"{r.randint(1960, 2004)}{r.randint(1, 12):02d}{r.randint(1, 28):02d}"
        first = f"{r.choice(ID_AREAS)}{born}{r.randrange(1000):03d}"
        total = sum(int(d) * w for d, w in zip(first, _ID_WEIGHTS, strict=True))
        return first + "10X98765432"[total % 11]

    def card(self) -> str:
        r = self.rng
        body = "62" + "".join(r.choice(string.digits) for _ in range(r.choice((14, 16))))
        total = 0
        for i, ch in enumerate(reversed(body)):
            d = int(ch)
            if i % 2 == 0:
                d *= 2
                if d > 9:
                    d -= 9
            total += d
        return body + str((10 - total % 10) % 10)

    def wx(self) -> str:
        r = self.rng
        kind = r.random()
        if kind < 0.3:
            return "wxid_" + "".join(r.choice(_ALNUM) for _ in range(10))
        name = r.choice(("lily", "tom", "amy", "xiaomei", "zhang", "wang", "sunny", "coco", "leo", "vivi"))
        return f"{name}{r.choice(('_', '', '-'))}{r.randint(10, 99999)}"

    def fill(self, ctx: dict[str, Any], extra: frozenset[str]) -> None:
        for slot in sorted(extra):  # a set's order follows the hash seed; the corpus must not
            if slot == "mobile":
                ctx[slot] = self.mobile()
            elif slot == "mobile_spaced":
                m = self.mobile()
                ctx[slot] = f"{m[:3]} {m[3:7]} {m[7:]}"
            elif slot == "idno":
                ctx[slot] = self.idno()
            elif slot == "idno_spaced":
                v = self.idno()
                ctx[slot] = f"{v[:6]} {v[6:14]} {v[14:]}"
            elif slot == "card":
                ctx[slot] = self.card()
            elif slot == "wx":
                ctx[slot] = self.wx()
            elif slot == "other":
                ctx[slot] = self.rng.choice(SURNAMES) + self.rng.choice(HONORIFICS)
            elif slot == "orderno":
                ctx[slot] = "2024" + self.digits(12)
            elif slot == "tracking":
                ctx[slot] = self.digits(13)
            elif slot == "tracking_digits":
                ctx[slot] = "7" + self.digits(13)


class _Conv:
    __slots__ = ("chat", "ctx", "customer", "members", "roomid", "script", "staff", "step")
    chat: str
    ctx: dict[str, Any]
    customer: str
    members: Any
    roomid: str
    script: list[tuple[str, Any]]
    staff: str

    def __init__(self) -> None:
        self.step = 0


def _script_single(rng: random.Random) -> list[tuple[str, Any]]:
    s: list[tuple[str, Any]] = []
    if rng.random() < 0.5:
        s.append(("s", P_GREET_S))
        if rng.random() < 0.6:
            s.append(("c", P_GREET_C))
    else:
        s.append(("c", P_GREET_C))
        s.append(("s", P_GREET_S))
    for _ in range(rng.randint(1, 3)):
        s.append(("c", P_INQ_C))
        s.append(("s", P_INTRO_S))
    if rng.random() < 0.8:
        s.append(("c", P_PRICE_C) if rng.random() < 0.5 else ("s", P_PRICE_S))
        s.append(("s", P_PRICE_S))
        if rng.random() < 0.5:
            s.append(("c", P_PRICE_C))
            s.append(("s", P_NEG_S))
    if rng.random() < 0.6:
        s.append(("c", P_ORDER_C))
        s.append(("s", P_ORDER_S))
        if rng.random() < 0.7:
            s.append(("c", P_DEL_C) if rng.random() < 0.5 else ("s", P_DEL_S))
            s.append(("s", P_DEL_S))
        if rng.random() < 0.3:
            s.append(("c", P_AFTER_C))
            s.append(("s", P_AFTER_S))
            s.append(("c", P_FOLLOW_C))
    if rng.random() < 0.4:
        s.append(("s", P_FOLLOW_S))
        s.append(("c", P_FOLLOW_C))
    if rng.random() < 0.5:
        s.append((rng.choice("sc"), P_CLOSE))
    return s


def _script_group(rng: random.Random) -> list[tuple[str, Any]]:
    s: list[tuple[str, Any]] = [("s", P_GROUP_S)]
    for _ in range(rng.randint(2, 9)):
        s.append(("c", P_GROUP_C) if rng.random() < 0.65 else ("s", P_GROUP_S))
    return s


def generate_messages(
    *,
    seed: int,
    staff: Sequence[StaffInfo],
    customers: Sequence[CustomerInfo],
    rooms: Sequence[RoomInfo],
    count: int,
    start_ms: int,
    violation_share: float = 0.06,
    hard_negative_share: float = 0.04,
) -> Iterator[tuple[dict, tuple[str, ...]]]:
    """Yield `count` (record, labels) pairs; see the module docstring."""
    rng = random.Random(seed)
    slots = _Slots(rng)
    names = {s.userid: s.name for s in staff}
    staff_ids = frozenset(names)
    pairs = [c for c in customers if c.follow_userid]
    groups = []
    for room in rooms:
        members = tuple(dict.fromkeys((room.owner, *room.member_ids)))
        custs = tuple(m for m in members if m not in staff_ids and m != room.owner)
        staffs = tuple(m for m in members if m in staff_ids or m == room.owner)
        if custs:
            groups.append((room, members, staffs, custs))
    if count <= 0 or (not pairs and not groups):
        return
    group_share = 0.3 if groups and pairs else (1.0 if groups else 0.0)
    cat_names = [c for c, _ in CATEGORY_WEIGHTS]
    cat_weights = [w for _, w in CATEGORY_WEIGHTS]
    single_weights = [w if c in SINGLE_CATEGORIES else 0 for c, w in CATEGORY_WEIGHTS]
    choice = rng.choice
    rand = rng.random
    randint = rng.randint

    def new_conv() -> _Conv:
        conv = _Conv()
        prod = choice(PRODUCTS)
        price = randint(prod[1], prod[2])
        city, street = choice(CITIES)
        low = max(1, price * randint(25, 55) // 100)
        conv.ctx = {
            "p": prod[0],
            "price": price,
            "price2": price + randint(1, 9) * 10,
            "price3": price * 3 - randint(1, 5) * 10,
            "low": low,
            "feature": prod[3],
            "spec": prod[4],
            "cname": choice(SURNAMES) + choice(HONORIFICS),
            "brand": choice(BRANDS),
            "city": city,
            "street": street,
            "no": randint(1, 999),
            "who": choice(WHO),
            "day": choice(DAYS),
            "days": randint(2, 7),
            "hour": randint(1, 9),
            "courier": choice(COURIERS),
            "full": choice((199, 299, 399, 499)),
            "minus": choice((20, 30, 50, 100)),
            "dz": choice((7, 8, 9)),
            "n": choice((20, 30, 50, 100, 200)),
            "rate": choice((6, 8, 10, 12, 15)),
            "disease": choice(DISEASES),
            "points": randint(100, 5000),
            "deposit": choice((50, 100, 200)),
            "tip": choice(TIPS),
            "hot1": randint(100, 999),
            "hot2": randint(1000, 9999),
        }
        if groups and (not pairs or rand() < group_share):
            room, members, staffs, custs = choice(groups)
            conv.chat = "group"
            conv.roomid = room.roomid
            conv.members = (members, staffs, custs)
            conv.staff = room.owner
            conv.customer = ""
            conv.script = _script_group(rng)
        else:
            cust = choice(pairs)
            conv.chat = "single"
            conv.roomid = ""
            conv.members = None
            conv.staff = cust.follow_userid
            conv.customer = cust.external_userid
            conv.script = _script_single(rng)
        sname = names.get(conv.staff, "")
        conv.ctx["sname"] = ("小" + sname[0]) if sname else "小" + choice(SURNAMES)
        return conv

    active = [new_conv() for _ in range(8)]
    t = start_ms
    recent: list[tuple[str, str, str, tuple[str, ...], str]] = []  # (msgid, from, roomid, tolist) for recalls
    for i in range(count):
        k = randint(0, 7)
        conv = active[k]
        role, pool = conv.script[conv.step]
        conv.step += 1
        if conv.step >= len(conv.script):
            active[k] = new_conv()
        # time: a few seconds to a few minutes; nights are mostly skipped
        t += randint(1_500, 150_000)
        hour = (t // 1000 + 28_800) // 3600 % 24
        if (hour >= 22 or hour < 8) and rand() < 0.98:
            day_ms = 86_400_000
            local = t + 28_800_000
            t = local - local % day_ms + (8 * 3600 + 30 * 60) * 1000 - 28_800_000 + randint(0, 3_600_000)
            if hour >= 22:
                t += day_ms
        labels: tuple[str, ...] = ()
        ctx = conv.ctx
        r = rand()
        special = ""
        if r < violation_share:
            if conv.chat == "group":
                cat = rng.choices(cat_names, cat_weights)[0]
            else:
                cat = rng.choices(cat_names, single_weights)[0]
            group = conv.chat == "group"
            options = [
                v for v in P_VIOLATIONS[cat] if (v[2] is None and not group) or v[2] is False or (v[2] and group)
            ]
            labels, role, _grp, tpl, extra = choice(options)
            if extra:
                slots.fill(ctx, extra)
            if tpl in ("REDPACKET", "LINK"):
                special = tpl
                text = ""
            else:
                text = tpl.format_map(ctx)
        elif r < violation_share + hard_negative_share:
            options_h = [h for h in P_HARD if h[1] == "any" or conv.chat == "single"]
            role, _chat, tpl, extra = choice(options_h)
            if extra:
                slots.fill(ctx, extra)
            text = tpl.format_map(ctx)
        else:
            tpl, extra = choice(pool)
            if extra:
                slots.fill(ctx, extra)
            text = tpl.format_map(ctx)
        # who speaks
        if conv.chat == "single":
            sender, to = (conv.staff, conv.customer) if role == "s" else (conv.customer, conv.staff)
            tolist = [to]
            roomid = ""
        else:
            members, staffs, custs = conv.members
            sender = choice(staffs) if role == "s" else choice(custs)
            tolist = [m for m in members if m != sender]
            roomid = conv.roomid
        msgid = f"{seed}{i:010d}_{t // 1000}"
        record: dict[str, Any] = {
            "msgid": msgid,
            "action": "send",
            "from": sender,
            "tolist": tolist,
            "roomid": roomid,
            "msgtime": t,
        }
        if special == "REDPACKET":
            record["msgtype"] = "redpacket"
            record["redpacket"] = {
                "type": 1,
                "wish": choice(("一点心意，别告诉别人", "恭喜发财，大吉大利", "给你的补偿")),
                "totalcnt": 1,
                "totalamount": choice((2000, 5000, 10000)),
            }
        elif special == "LINK":
            dom = choice(SPAM_DOMAINS)
            record["msgtype"] = "link"
            record["link"] = {
                "title": choice(("限时免费领取", "点击就送好礼", "今日特价清仓")),
                "description": "数量有限，先到先得",
                "link_url": f"https://{dom}/s/{randint(1000, 99999)}",
                "image_url": f"https://{dom}/img/{randint(1, 99)}.jpg",
            }
        elif not labels and r >= violation_share + hard_negative_share and rand() < 0.1:
            _media(record, rng, text, role, conv.chat, ctx)
        else:
            record["msgtype"] = "text"
            record["text"] = {"content": text}
        if not labels and recent and rand() < 0.002:
            pre = choice(recent)
            record["action"] = "recall"
            record["from"] = pre[1]
            record["roomid"] = pre[2]
            record["tolist"] = list(pre[3])
            record["msgtype"] = "revoke"
            record["revoke"] = {"pre_msgid": pre[0]}
            for key in ("text", "link", "image", "emotion", "voice", "file", "weapp", "location", "mixed", "card"):
                record.pop(key, None)
            for key in ("info", "chatrecord"):
                record.pop(key, None)
        elif i % 16 == 0:
            recent.append((msgid, sender, roomid, tuple(tolist), ""))
            if len(recent) > 32:
                recent.pop(0)
        yield record, labels


def _media(record: dict[str, Any], rng: random.Random, text: str, role: str, chat: str, ctx: dict[str, Any]) -> None:
    """Turn a clean message into one of the other message types."""
    r = rng.random()
    md5 = f"{rng.getrandbits(128):032x}"
    sdk = f"sdk{rng.getrandbits(64):016x}"
    if r < 0.35:
        record["msgtype"] = "image"
        record["image"] = {"md5sum": md5, "filesize": rng.randint(20_000, 900_000), "sdkfileid": sdk}
    elif r < 0.5:
        record["msgtype"] = "emotion"
        record["emotion"] = {"type": 1, "width": 120, "height": 120, "imagesize": 9000, "md5sum": md5, "sdkfileid": sdk}
    elif r < 0.6:
        record["msgtype"] = "voice"
        record["voice"] = {"md5sum": md5, "voice_size": 4000, "play_length": rng.randint(2, 40), "sdkfileid": sdk}
    elif r < 0.68 and role == "s":
        record["msgtype"] = "file"
        record["file"] = {
            "md5sum": md5,
            "filename": f"{ctx['p']}产品说明.pdf",
            "fileext": "pdf",
            "filesize": 300_000,
            "sdkfileid": sdk,
        }
    elif r < 0.76 and role == "s":
        record["msgtype"] = "link"
        record["link"] = {
            "title": f"{ctx['p']}｜{ctx['brand']}官方小店",
            "description": ctx["feature"],
            "link_url": f"https://shop.zhidu-demo.cn/item/{rng.randint(1000, 99999)}",
            "image_url": "https://shop.zhidu-demo.cn/static/cover.jpg",
        }
    elif r < 0.82 and role == "s":
        record["msgtype"] = "weapp"
        record["weapp"] = {
            "title": f"{ctx['p']}",
            "description": ctx["feature"],
            "username": "gh_sim0001@app",
            "displayname": f"{ctx['brand']}商城",
        }
    elif r < 0.86 and role == "s" and chat == "group":
        record["msgtype"] = "markdown"
        record["info"] = {"content": f'**本周活动**\n> {ctx["p"]} 活动价 <font color="warning">{ctx["price"]}元</font>'}
    elif r < 0.88 and role == "s" and chat == "group":
        record["msgtype"] = "news"
        record["info"] = {
            "item": [
                {
                    "title": f"{ctx['brand']}新品上市",
                    "description": f"{ctx['p']}，{ctx['feature']}",
                    "url": "https://shop.zhidu-demo.cn/news/1",
                    "picurl": "https://shop.zhidu-demo.cn/static/news.jpg",
                }
            ]
        }
    elif r < 0.92:
        record["msgtype"] = "mixed"
        record["mixed"] = {
            "item": [
                {"type": "text", "content": json.dumps({"content": text}, ensure_ascii=False)},
                {"type": "image", "content": '{"md5sum":"' + md5 + '","filesize":1000,"sdkfileid":"' + sdk + '"}'},
            ]
        }
    elif r < 0.95 and role == "s":
        record["msgtype"] = "chatrecord"
        record["chatrecord"] = {
            "title": "群聊的聊天记录",
            "item": [
                {
                    "type": "ChatRecordText",
                    "msgtime": record["msgtime"] // 1000 - 600,
                    "content": json.dumps({"content": text}, ensure_ascii=False),
                    "from_chatroom": chat == "group",
                }
            ],
        }
    elif r < 0.97 and role == "c" and chat == "single":
        record["msgtype"] = "location"
        record["location"] = {
            "longitude": 120.1 + rng.random() / 10,
            "latitude": 30.2 + rng.random() / 10,
            "address": f"{ctx['city']}{ctx['street']}{ctx['no']}号",
            "title": "我的位置",
            "zoom": 15,
        }
    elif role == "s":
        record["msgtype"] = "card"
        record["card"] = {"corpname": ctx["brand"], "userid": f"sim_card_{rng.randint(1, 99)}"}
    else:
        record["msgtype"] = "text"
        record["text"] = {"content": text}
