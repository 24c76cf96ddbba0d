"""The reply demo step against the simulator over HTTP (as `make run` starts it, 2,000 archived messages): the
archive's single chats open and answer waits, some replies are late, and WeCom's own figures are stored."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from wecomsim import SimulatorServer
from zhidu.compliance.models import ReplyWait, Violation, WaitKind
from zhidu.compliance.reply_demo import demo_reply
from zhidu.compliance.reply_selectors import reply_dashboard, reply_range
from zhidu.compliance.tests.test_archive_pull import _pem
from zhidu.org.models import Member, Role
from zhidu.wecom.models import BehaviorDay
from zhidu.wecom.tests.conftest import make_sim


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorServer]:
    server = make_sim(_pem(), archive_messages=2000).start()
    yield server
    server.stop()


def test_demo_reply_step(db, sim, settings):
    from zhidu.wecom.sync import sync_all

    settings.WECOM_API_BASE = sim.url
    settings.WECOM_CORP_ID = sim.company.corp_id
    for kind, name in [("contact", "CONTACT"), ("customer", "CUSTOMER"), ("app", "APP"), ("archive", "ARCHIVE")]:
        setattr(settings, f"WECOM_{name}_SECRET", sim.secrets[kind])
    settings.WECOM_ARCHIVE_PRIVATE_KEYS = json.dumps({"1": sim.archive_private_key_pem.decode()})
    settings.WECOM_MAX_TRIES = 2
    settings.WECOM_BACKOFF_BASE = 0.005
    sync_all(what=("contacts", "groups"))
    demo_reply()
    single = ReplyWait.objects.filter(kind=WaitKind.SINGLE)
    answered = single.exclude(answered_at=None)
    assert single.count() > 50 and answered.count() > 0.5 * single.count()
    late = Violation.objects.filter(category="late_reply")
    print(f"waits={ReplyWait.objects.count()} single={single.count()} answered={answered.count()} late={late.count()}")
    assert late.exists()
    assert BehaviorDay.objects.exists()
    director = Member.objects.filter(role=Role.DIRECTOR).first()
    first, last = single.earliest("asked_at").asked_at, single.latest("asked_at").asked_at
    start, end = reply_range(first.date().isoformat(), last.date().isoformat())
    board = reply_dashboard(viewer=director, start=start, end=end)
    assert board.total.waits > 0 and board.total.p50 is not None
    assert board.total.wecom_reply_percentage is None or board.total.wecom_reply_percentage >= 0
    demo_reply()  # idempotent: the archive is read from its cursor, nothing doubles
    assert ReplyWait.objects.filter(kind=WaitKind.SINGLE).count() == single.count()
