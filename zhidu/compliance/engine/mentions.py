"""Quoted mentions and rule notices: messages that talk ABOUT misconduct rather than commit it.

Reviewers do not want a finding on "培训：不要对客户说“包过”“零风险”" or on "客户骂我“你是猪吗”，已报给
主管": the phrase is quoted, not said. A finding made by a term, a pattern or a text classifier (not by a data
detector: a phone number in quotes is still a phone number) is dropped when its span lies inside one pair of
quotation marks AND the message carries a cue that it reports, forbids or debunks what is quoted
(说, 骂, 禁止, 不要, 谣言, 举报 …). A quoted slogan without such a cue (本店“全国销量第一”) stays.

Rule notices get the same treatment: a message that opens as a notice (提醒：, 【培训】, 群规：…) and
says that something is forbidden (不得, 禁止, 违规, 违法 …) states a rule, so its term and pattern
findings are dropped too ("提醒：私下承诺折扣属于违规"). Urgent "alerts" (紧急通知：…) are not notices:
rumours travel in that shape.

Only messages with findings get these checks, after the findings are made, so the cost is
proportional to the findings.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .rules import Finding, Message

QUOTES = {"“": "”", "「": "」", "『": "』", '"': '"', "‘": "’"}
_OPENERS = frozenset(QUOTES)
_ANY_QUOTE = frozenset(QUOTES) | frozenset(QUOTES.values())
# words that show the quoted text is reported, forbidden, refuted or asked about, not said
CUES = (
    "说",
    "讲",
    "写",
    "骂",
    "叫",
    "称",
    "问",
    "传",
    "禁止",
    "不要",
    "不得",
    "不许",
    "不准",
    "不能",
    "别",
    "严禁",
    "提醒",
    "培训",
    "制度",
    "案例",
    "谣言",
    "辟谣",
    "假的",
    "骗",
    "举报",
    "投诉",
    "违规",
    "违法",
    "违反",
    "广告法",
    "这种",
    "那种",
    "这些",
    "那些",
    "之类",
)


NOTICE_RE = re.compile(
    r"^\s*(?:【(?:培训|制度|通知|公告|群规|提醒|规定|须知)】|(?:温馨)?(?:提醒|提示|群规|公告|培训|制度|规定|须知|注意)"
    r"(?:一下)?(?:各位|大家|家人们|同事们|各位家长|各位客户)?\s*[:：])"
)
PROHIBITION = (
    "不得",
    "禁止",
    "严禁",
    "请勿",
    "不要",
    "不允许",
    "不准",
    "违法",
    "违规",
    "一律不",
    "都是骗",
    "举报",
    "不是我们",
)


# detectors that judge the wording of the whole message (the offensive-language and category
# classifiers): a notice or quoted mention misleads them as it misleads a term list. Detectors of
# data (phone numbers, ID and card numbers, links, files) are never dropped.
TEXT_DETECTORS = ("abuse_model", "model:")


def is_rule_notice(text: str) -> bool:
    return bool(NOTICE_RE.match(text)) and any(c in text for c in PROHIBITION)


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the text between each pair of quotation marks (innermost pairs, left to right;
    an ASCII " closes the last open ")."""
    spans: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    for i, ch in enumerate(text):
        if stack and ch == QUOTES[stack[-1][0]]:
            _opener, start = stack.pop()
            spans.append((start, i))
        elif ch in _OPENERS:
            stack.append((ch, i + 1))
    return spans


def has_cue(text: str) -> bool:
    return any(c in text for c in CUES)


def drop_quoted_mentions(messages: Sequence[Message], findings: list[Finding]) -> list[Finding]:
    """The findings without those that are quoted mentions (see the module docstring)."""
    if not findings:
        return findings
    by_id: dict[str, Message] | None = None
    cache: dict[str, list[tuple[int, int]] | None] = {}
    out: list[Finding] = []
    for f in findings:
        if f.detector and not f.detector.startswith(TEXT_DETECTORS):
            out.append(f)
            continue
        spans = cache.get(f.msgid, ())
        if spans == ():
            if by_id is None:
                by_id = {m.msgid: m for m in messages}
            msg = by_id.get(f.msgid)
            text = msg.text if msg is not None else ""
            if is_rule_notice(text):
                spans = [(0, len(text))]
            elif _ANY_QUOTE.intersection(text) and has_cue(text):
                spans = quoted_spans(text)
            else:
                spans = None
            cache[f.msgid] = spans
        if spans and any(a <= f.start and f.end <= b for a, b in spans):
            continue  # (a classifier's hit spans the whole message: only a notice drops it)
        out.append(f)
    return out
