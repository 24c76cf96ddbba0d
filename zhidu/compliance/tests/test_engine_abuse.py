"""The shipped offensive-language model: loads from package data, vectorised = reference scoring."""

from __future__ import annotations

import gzip
import json
import math

import pytest

from zhidu.compliance.engine import Engine, Message, Rule
from zhidu.compliance.engine.abuse import ENGINE_THRESHOLD, MODEL_PATH, SALES_MARGIN, AbuseModel, load_model, ngrams
from zhidu.compliance.engine.normalize import normalize_many, normalize_text


@pytest.fixture(scope="module")
def model() -> AbuseModel:
    return load_model()


def test_model_file_is_small_and_licensed() -> None:
    assert MODEL_PATH.stat().st_size < 5_000_000
    data_dir = MODEL_PATH.parent
    assert "Apache License" in (data_dir / "LICENSE.COLD").read_text(encoding="utf-8")
    assert "COLD" in (data_dir / "NOTICE").read_text(encoding="utf-8")
    meta = json.loads(gzip.decompress(MODEL_PATH.read_bytes()))
    assert meta["trained_on"].startswith("COLD train")


def test_ngrams() -> None:
    assert ngrams("abcd") == ["a", "b", "c", "d", "ab", "bc", "cd"]


TEXTS = ["你是不是有病啊", "您好，这款面霜适合干皮", "", "滚", "😀河南人都是骗子😀", "黑人都很懒，恶心", "a", "微 信"]


def test_vectorised_scores_equal_reference_scores(model: AbuseModel) -> None:
    chunk = normalize_many(TEXTS)
    fast = model.chunk_logits(chunk)
    slow = [model.logit(normalize_text(t)) for t in TEXTS]
    assert fast.tolist() == pytest.approx(slow, abs=1e-3)
    probs = model.predict(TEXTS)
    assert probs.tolist() == pytest.approx([1 / (1 + math.exp(-z)) for z in slow], abs=1e-3)


def test_model_separates_obvious_cases(model: AbuseModel) -> None:
    offensive, clean = model.predict(["黑人都很懒，恶心，滚出去", "老板您好，请问这款有优惠吗"])
    assert offensive > 0.5 > clean


def test_abuse_model_detector_in_the_engine(model: AbuseModel) -> None:
    rule = Rule(code="m", name="m", category="abuse", severity="medium", detectors=("abuse_model",))
    engine = Engine([rule])
    text = "黑人都很懒，恶心，滚出去"
    (f,) = engine.scan_text(text)
    assert f.detector == "abuse_model" and f.confidence >= ENGINE_THRESHOLD
    assert f.matched == text[f.start : f.end] and f.matched
    assert engine.scan_text("老板您好，请问这款有优惠吗") == []


def test_engine_threshold_keeps_a_margin_over_sales_look_alikes(model: AbuseModel) -> None:
    # the generated staff messages that score highest without being abusive (price leaks and
    # "quietly cheaper" offers): the engine's threshold must stay clear of them
    look_alikes = [
        "偷偷告诉你，这款成本价才66元",
        "偷偷给你便宜20块，别告诉别人",
        "非常抱歉给您带来不便，我马上帮您处理",
    ]
    assert max(model.predict(look_alikes).tolist()) <= ENGINE_THRESHOLD - SALES_MARGIN
    rule = Rule(code="m", name="m", category="abuse", severity="medium", detectors=("abuse_model",))
    assert Engine([rule]).scan([Message(str(i), t) for i, t in enumerate(look_alikes)]) == []
