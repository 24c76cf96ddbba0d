from __future__ import annotations

import logging

from celery import shared_task
from django.core.management import call_command

CALLS: list[str] = []


@shared_task(name="zhidu.tests.tick")
def tick_task() -> str:
    CALLS.append("tick")
    return "ok"


@shared_task(name="zhidu.tests.boom")
def boom_task() -> str:
    CALLS.append("boom")
    raise RuntimeError("a failing periodic task must not stop the others")


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_scheduler_runs_every_entry_once_and_survives_failures(settings):
    CALLS.clear()
    collect = _Collect()
    logging.getLogger("zhidu.scheduler").addHandler(collect)
    settings.CELERY_BEAT_SCHEDULE = {
        "boom": {"task": "zhidu.tests.boom", "schedule": 60},
        "tick": {"task": "zhidu.tests.tick", "schedule": 60},
        "missing": {"task": "zhidu.tests.nope", "schedule": 60},
    }
    try:
        call_command("scheduler", "--once")
    finally:
        logging.getLogger("zhidu.scheduler").removeHandler(collect)
    assert CALLS == ["boom", "tick"]
    assert "scheduler: unknown task zhidu.tests.nope" in collect.lines


def test_default_schedule_names_real_tasks():
    from django.conf import settings

    from zhidu.celery import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry["task"]
