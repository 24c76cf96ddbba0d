"""Suggesting which clauses of a regulation back a rule: keywords per category and detector, plus the rule's own
terms, scored against each clause's text. Pure Python (no database): `services.citations` feeds it clauses.

The score of a clause for a rule:
* each keyword of the rule's category or of one of its detectors found in the clause's own text: 2 + its
  length / 2 (longer keywords say more), × `DETECTOR_WEIGHT` for a detector's; found only in the lead-in of
  the article an item belongs to: a third of that;
* each of the rule's terms found verbatim in the clause: 3;
* the character pairs (bigrams) the clause shares with the rule's terms, each weighted by how rare it is among
  the regulation's clauses (log N/df), scaled by `TERM_WEIGHT`.
Clauses scoring under `MIN_SCORE` are never suggested; the best `TOP` are (the defaults of the company settings
CITATION_SUGGEST_MIN_SCORE and CITATION_SUGGEST_TOP, which the citation service passes).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

TOP = 3
MIN_SCORE = 2.0
TERM_WEIGHT = 0.5
DETECTOR_WEIGHT = 1.5

# What a regulation says about each category, in the words regulations use (not the words of a chat).
CATEGORY_KEYWORDS: dict[str, tuple[str, ...]] = {
    "false_claim": ("夸大", "虚构", "虚假宣传", "不实宣传", "绝对化", "最高级", "真实、准确", "承诺", "保证", "误导"),
    "privacy": (
        "隐私",
        "个人信息",
        "泄露客户",
        "客户资料",
        "客户信息",
        "身份证",
        "银行卡",
        "手机号码",
        "住址",
        "第三方",
    ),
    "secret": ("秘密", "保密", "机密", "泄密", "成本价", "内部文件", "内部资料", "非公开", "未发布"),
    "private_deal": (
        "私下交易",
        "私单",
        "飞单",
        "绕过公司",
        "私收",
        "个人账户",
        "账外",
        "收款码",
        "个人微信",
        "非公司平台",
        "收款渠道",
    ),
    "price": ("价格政策", "改价", "私自改价", "折扣", "返现", "补贴", "降价", "赠品", "价格例外", "优惠"),
    "abuse": ("侮辱", "谩骂", "辱骂", "人身攻击", "文明礼貌", "脏话", "歧视性语言"),
    "ads": ("广告", "推广", "引流", "推销", "代购", "兼职", "拉票", "刷单", "相互推广"),
    "prohibited": ("色情", "赌博", "毒品", "淫秽", "违法", "不良信息", "枪支", "违禁"),
    "rumor": ("谣言", "不实消息", "编造", "传播", "公司形象", "声誉", "散布"),
    "resource_misuse": ("个人生意", "公司资源", "公司账号", "工作时间", "亲友", "私活", "客户资源"),
    "malware": ("病毒", "木马", "可执行", "程序", "脚本", "压缩包", "下载链接", "恶意"),
    "unfair_competition": ("竞争对手", "同行", "诋毁", "贬低", "盗版", "商标", "知识产权", "侵权", "不正当竞争"),
    "counterfeit": ("假冒", "伪劣", "假货", "走私", "禁止销售", "仿冒", "山寨"),
    "politics": ("政治", "国家安全", "敏感话题", "反动", "颠覆"),
    "violence": ("暴力", "威胁", "恐怖", "恐吓", "伤害"),
    "ethnic": ("民族", "少数民族", "风俗", "宗教", "信仰", "种族"),
}

# What a detector finds, in a regulation's words.
DETECTOR_KEYWORDS: dict[str, tuple[str, ...]] = {
    "id_number": ("身份证",),
    "bank_card": ("银行卡",),
    "mobile": ("手机号码", "电话号码", "手机号"),
    "wechat_id": ("个人微信", "微信号"),
    "diversion": ("个人微信", "非公司平台", "引导", "私下联系"),
    "payment": ("收款", "转账", "个人账户", "收款码"),
    "redpacket": ("红包", "返现"),
    "link": ("链接", "网址"),
    "dangerous_file": ("可执行程序", "脚本", "压缩包", "病毒"),
    "bad_link": ("下载链接", "病毒"),
    "abuse_model": ("侮辱", "谩骂"),
}

_NOISE = re.compile(r"[\s\W_]+")


@dataclass(frozen=True, slots=True)
class ClauseText:
    """One citable clause: `key` identifies it for the caller; `lead` is the lead-in of its article (items only)."""

    key: object
    text: str
    lead: str = ""


@dataclass(frozen=True, slots=True)
class RuleText:
    category: str
    terms: Sequence[str] = ()
    detectors: Sequence[str] = ()


def _bigrams(text: str) -> set[str]:
    out: set[str] = set()
    for chunk in _NOISE.split(text.lower()):
        out.update(chunk[i : i + 2] for i in range(len(chunk) - 1))
    return out


def rule_keywords(rule: RuleText) -> dict[str, float]:
    """Keyword → weight: a category's keywords 1, a detector's `DETECTOR_WEIGHT` (they tell rules apart)."""
    words = dict.fromkeys(CATEGORY_KEYWORDS.get(rule.category, ()), 1.0)
    for detector in rule.detectors:
        words.update(dict.fromkeys(DETECTOR_KEYWORDS.get(detector, ()), DETECTOR_WEIGHT))
    return words


class Scorer:
    """Scores clauses of one regulation version; build once per version, call `suggest` per rule."""

    def __init__(self, clauses: Iterable[ClauseText]) -> None:
        self.clauses = list(clauses)
        self.grams = [_bigrams(c.text) for c in self.clauses]
        df: Counter[str] = Counter()
        for grams in self.grams:
            df.update(grams)
        n = max(len(self.clauses), 1)
        self.idf = {g: math.log(n / d) for g, d in df.items()}

    def scores(self, rule: RuleText) -> list[float]:
        keywords = rule_keywords(rule)
        terms = [t for t in dict.fromkeys(t.strip().lower() for t in rule.terms) if len(t) >= 2]
        rule_grams: set[str] = set()
        for t in terms:
            rule_grams |= _bigrams(t)
        out = []
        for clause, grams in zip(self.clauses, self.grams, strict=True):
            text = clause.text.lower()
            score = 0.0
            for word, factor in keywords.items():
                weight = (2 + len(word) / 2) * factor
                if word in text:
                    score += weight
                elif word in clause.lead:
                    score += weight / 3
            score += 3 * sum(1 for t in terms if t in text)
            score += TERM_WEIGHT * sum(self.idf.get(g, 0.0) for g in rule_grams & grams)
            out.append(round(score, 3))
        return out

    def suggest(
        self, rule: RuleText, *, top: int = TOP, min_score: float = MIN_SCORE, exclude: Iterable[object] = ()
    ) -> list[tuple[object, float]]:
        """The best `top` clauses (key, score) scoring at least `min_score`, best first; `exclude` keys skipped."""
        skip = set(exclude)
        ranked = sorted(
            ((c.key, s) for c, s in zip(self.clauses, self.scores(rule), strict=True) if c.key not in skip),
            key=lambda pair: -pair[1],
        )
        return [(key, score) for key, score in ranked if score >= min_score][:top]
