"""The embedded scheduler: runs CELERY_BEAT_SCHEDULE in-process when there is no Celery beat.

`make run` starts it beside the web server. In production, `celery -A zhidu beat` reads the same schedule.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

log = logging.getLogger("zhidu.scheduler")


class Command(BaseCommand):
    help = "Run the periodic tasks of CELERY_BEAT_SCHEDULE in this process (embedded mode)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="run every task once and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        from zhidu.celery import app

        app.loader.import_default_modules()
        schedule = {
            name: (str(entry["task"]), float(str(entry["schedule"])))
            for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
        }
        due = dict.fromkeys(schedule, 0.0)
        while True:
            now = time.monotonic()
            for name, (task_name, every) in schedule.items():
                if now < due[name]:
                    continue
                due[name] = now + every
                task = app.tasks.get(task_name)
                if task is None:
                    log.warning("scheduler: unknown task %s", task_name)
                    continue
                try:
                    task.apply()
                except Exception:  # keep the loop alive; the task logs its own failure
                    log.exception("scheduler: %s failed", name)
            if options["once"]:
                return
            time.sleep(1.0)
