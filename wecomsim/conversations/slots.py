"""Prepared template pools (template, rare slots it needs) and the on-demand values of those slots."""

from __future__ import annotations

import random
import string
from collections.abc import Sequence
from typing import Any

from .pools import (
    AFTER_C,
    AFTER_S,
    CLOSE,
    DELIVERY_C,
    DELIVERY_S,
    FOLLOW_C,
    FOLLOW_S,
    GREET_C,
    GREET_S,
    GROUP_C,
    GROUP_S,
    INQUIRY_C,
    INTRO_S,
    NEGOTIATE_S,
    ORDER_C,
    ORDER_S,
    PRICE_C,
    PRICE_S,
)
from .violations import HARD_NEGATIVES, VIOLATIONS
from .vocabulary import HONORIFICS, ID_AREAS, MOBILE_PREFIXES, SURNAMES


def template_fields(tpl: str) -> frozenset[str]:
    return frozenset(f for _, f, _, _ in string.Formatter().parse(tpl) if f)


EXTRA_SLOTS = frozenset(
    {"mobile", "mobile_spaced", "idno", "idno_spaced", "card", "wx", "other", "orderno", "tracking", "tracking_digits"}
)


def _prep(pool: Sequence[str]) -> tuple[tuple[str, frozenset[str]], ...]:
    return tuple((t, template_fields(t) & EXTRA_SLOTS) for t in pool)


P_GREET_S, P_GREET_C, P_INQ_C, P_INTRO_S = _prep(GREET_S), _prep(GREET_C), _prep(INQUIRY_C), _prep(INTRO_S)
P_PRICE_S, P_PRICE_C, P_NEG_S = _prep(PRICE_S), _prep(PRICE_C), _prep(NEGOTIATE_S)
P_ORDER_C, P_ORDER_S, P_DEL_S, P_DEL_C = _prep(ORDER_C), _prep(ORDER_S), _prep(DELIVERY_S), _prep(DELIVERY_C)
P_AFTER_C, P_AFTER_S, P_FOLLOW_S, P_FOLLOW_C = _prep(AFTER_C), _prep(AFTER_S), _prep(FOLLOW_S), _prep(FOLLOW_C)
P_CLOSE, P_GROUP_S, P_GROUP_C = _prep(CLOSE), _prep(GROUP_S), _prep(GROUP_C)
P_VIOLATIONS = {
    k: tuple((lab, role, grp, t, template_fields(t) & EXTRA_SLOTS) for lab, role, grp, t in v)
    for k, v in VIOLATIONS.items()
}
P_HARD = tuple((role, chat, t, template_fields(t) & EXTRA_SLOTS) for role, chat, t in HARD_NEGATIVES)

_ALNUM = string.ascii_lowercase + string.digits
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


class Slots:
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
