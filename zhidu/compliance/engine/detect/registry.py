"""Every detector by name; the abuse model and the category classifier are built on first use."""

from __future__ import annotations

from .base import Detector, _phrase_check
from .diversion import (
    DIVERSION_EXCLUDE,
    DIVERSION_TRIGGERS,
    PAYMENT_EXCLUDE,
    PAYMENT_TRIGGERS,
    REDPACKET_TRIGGERS,
    WECHAT_EXCLUDE,
    WECHAT_TRIGGERS,
    _redpacket_check,
    _wechat_check,
)
from .links import LINK_TRIGGERS, _link_check
from .malware import BAD_LINK_TRIGGERS, FILE_TRIGGERS, _bad_link_check, _dangerous_file_check
from .money import MONEY_TRIGGERS, _money_check

# The price-authority check's money cues (mirrors price_policy.TRIGGERS; no per-message check here: the
# engine runs its PriceChecker, which needs the snapshot and the sender's role).
PRICE_POLICY_TRIGGERS = (
    "元", "块", "¥", "rmb", "人民币", "折", "便宜", "减", "优惠", "让", "价", "返", "%", "个点", "降",
    "少收", "少算", "算你", "算您", "收你", "收您", "给你", "给您", "只要", "只收", "拿走", "到手", "卖你", "卖您",
    "成交", "千", "万", "百",
)  # fmt: skip

DETECTORS: dict[str, Detector] = {
    "mobile": Detector("mobile", digit_runs=True, description="mainland mobile numbers"),
    "id_number": Detector("id_number", digit_runs=True, description="resident ID numbers (GB 11643)"),
    "bank_card": Detector("bank_card", digit_runs=True, description="bank card numbers (Luhn as confidence)"),
    "wechat_id": Detector("wechat_id", WECHAT_TRIGGERS, WECHAT_EXCLUDE, _wechat_check, description="personal ids"),
    "diversion": Detector(
        "diversion",
        DIVERSION_TRIGGERS,
        DIVERSION_EXCLUDE,
        _phrase_check("diversion", DIVERSION_TRIGGERS, 0.8),
        description="moving the customer to a personal account or another platform",
    ),
    "payment": Detector(
        "payment",
        PAYMENT_TRIGGERS,
        PAYMENT_EXCLUDE,
        _phrase_check("payment", PAYMENT_TRIGGERS, 0.8),
        description="payment to a personal account or code",
    ),
    "redpacket": Detector("redpacket", REDPACKET_TRIGGERS, (), _redpacket_check, description="red packets"),
    "link": Detector("link", LINK_TRIGGERS, (), _link_check, description="URLs and domains"),
    "money": Detector("money", MONEY_TRIGGERS, (), _money_check, description="amounts and discounts"),
    "price_policy": Detector(
        "price_policy",
        PRICE_POLICY_TRIGGERS,
        (),
        None,
        description="prices and discounts beyond the sender's authority under the price policy",
    ),
    "dangerous_file": Detector(
        "dangerous_file",
        FILE_TRIGGERS,
        (),
        _dangerous_file_check,
        description="file names of programs and scripts, and archives named after them",
    ),
    "bad_link": Detector(
        "bad_link", BAD_LINK_TRIGGERS, (), _bad_link_check, description="links shaped like malware downloads"
    ),
}
DIGIT_DETECTORS = frozenset(name for name, d in DETECTORS.items() if d.digit_runs)


def get_detector(name: str) -> Detector:
    if name == "abuse_model":
        from ..abuse import abuse_detector

        return abuse_detector()
    if name.startswith("model:") and name.removeprefix("model:") in _categories():
        from ..category_model import category_detector

        return category_detector(name.removeprefix("model:"))
    try:
        return DETECTORS[name]
    except KeyError:
        raise ValueError(f"unknown detector {name!r}") from None


def _categories() -> tuple[str, ...]:
    from ..rules import CATEGORIES

    return CATEGORIES


def detector_names() -> tuple[str, ...]:
    """Every detector name, including the category classifier's "model:<category>" (category_model.py)."""
    return (*DETECTORS, "abuse_model", *(f"model:{c}" for c in _categories()))
