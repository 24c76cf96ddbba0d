"""With a broker, an upload is read in a Celery worker and the request waits for its answer (zhidu #7, defect 6).

A real worker thread on Celery's in-memory broker and result backend; the solo pool does not enforce time
limits, so this checks the round trip (arguments, answer, refusal rebuilt as the same Chinese message).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from celery.contrib.testing.worker import start_worker

from zhidu.celery import app
from zhidu.core.errors import DomainError
from zhidu.policies import services, uploads
from zhidu.policies.tests.test_import_limits import GOOD, docx, many_articles


def _forget_connections() -> None:
    """The app caches its result backend and broker pool from the configuration it first saw: drop them."""
    app._backend_cache = None
    app._local = threading.local()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def worker(settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    keys = ("broker_url", "result_backend", "task_always_eager")
    saved = {k: app.conf[k] for k in keys}
    app.conf.update(broker_url="memory://", result_backend="cache+memory://", task_always_eager=False)
    _forget_connections()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_RESULT_BACKEND = "cache+memory://"
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        app.conf.update(saved)
        _forget_connections()


def test_an_upload_is_read_in_the_worker(worker, settings):  # type: ignore[no-untyped-def]
    assert uploads.uses_worker()
    parsed, text, fmt = services.parse_upload(docx(GOOD), "r.docx")
    assert fmt == "md" and "第二条" in text and len(parsed.articles) == 2
    settings.POLICY_IMPORT_MAX_PARAGRAPHS = 10
    with pytest.raises(DomainError) as refused:
        services.parse_upload(docx(many_articles(11)), "r.docx")
    from django.utils import translation

    with translation.override("zh-hans"):
        assert refused.value.message == "无法导入该文件：第 1 行：文档超过 10 段，请拆分为多个制度"


def test_without_a_broker_uploads_are_read_inline(settings):  # type: ignore[no-untyped-def]
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert not uploads.uses_worker()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_RESULT_BACKEND = ""  # a broker but nowhere to wait for results: inline as well
    assert not uploads.uses_worker()
