"""Scripted "activity" mode: every `interval` seconds one thing happens in the company — a customer is
added, edited or deleted, someone joins or leaves a group, or a burst of chat messages arrives (followed
by msgaudit_notify). Each change goes through `mutations`, so it pushes the matching callback."""

from __future__ import annotations

import logging
import random
import threading
from typing import Any

from wecomsim import mutations
from wecomsim.company import COMPANIES, SURNAMES, WECHAT_NICKS
from wecomsim.state import SimError, SimState

log = logging.getLogger(__name__)

ACTIONS = [
    ("customer_add", 22),
    ("customer_edit", 18),
    ("customer_delete", 3),
    ("customer_del_follow_user", 3),
    ("group_join", 14),
    ("group_leave", 8),
    ("chat", 32),
]
BURST_SHARE = 0.1  # of "chat" actions: a burst in a group instead of ordinary chats
BURST_TEXTS = ["今晚八点直播间抽奖，大家快来！", "还有名额吗？还有名额吗？", "收到请回复"]


class Activity:
    def __init__(self, state: SimState, interval: float) -> None:
        self.state = state
        self.interval = float(interval)
        self.rng = random.Random(f"activity:{state.company.seed}")
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.done: list[str] = []

    def start(self) -> None:
        if self.interval > 0 and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="wecom-sim-activity", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.step()
            except Exception:  # never let the demo thread die
                log.exception("wecom-sim activity step failed")

    def step(self) -> str:
        """Perform one random action now; returns its name (or "" if nothing applied)."""
        rng = self.rng
        name = rng.choices([a for a, _ in ACTIONS], weights=[w for _, w in ACTIONS])[0]
        try:
            getattr(self, f"_{name}")()
        except (SimError, IndexError, ValueError):
            return ""
        self.done.append(name)
        return name

    def _pick_relation(self) -> tuple[str, str]:
        company = self.state.company
        with self.state.lock:
            users = [u for u in company.follow_user_ids() if company.customers_of(u)]
            userid = self.rng.choice(users)
            return userid, self.rng.choice(company.customers_of(userid))

    def _customer_add(self) -> None:
        company = self.state.company
        with self.state.lock:
            userid = self.rng.choice(company.follow_user_ids())
        surname = self.rng.choice(SURNAMES)[0]
        name = self.rng.choice([surname + "先生", surname + "女士", self.rng.choice(WECHAT_NICKS)])
        corp = self.rng.choice(COMPANIES) if self.rng.random() < 0.3 else ""
        mutations.customer_add(self.state, userid=userid, name=name, corp_name=corp, add_way=self.rng.choice([1, 2, 3]))

    def _customer_edit(self) -> None:
        userid, ext = self._pick_relation()
        tags = list(self.state.company.tags)
        mutations.customer_edit(
            self.state,
            userid=userid,
            external_userid=ext,
            description=self.rng.choice(["已报价", "下周回访", "关注售后", "意向强烈"]),
            add_tags=[self.rng.choice(tags)] if tags else [],
        )

    def _customer_delete(self) -> None:
        userid, ext = self._pick_relation()
        mutations.customer_delete(self.state, userid=userid, external_userid=ext)

    def _customer_del_follow_user(self) -> None:
        userid, ext = self._pick_relation()
        mutations.customer_del_follow_user(self.state, userid=userid, external_userid=ext)

    def _group_join(self) -> None:
        company = self.state.company
        with self.state.lock:
            g = self.rng.choice(company.live_groups())
            present = {m.userid for m in g.members}
            candidates = [e for e in company.customers_of(g.owner) if e not in present]
        member: Any = (
            self.rng.choice(candidates) if candidates else "wm" + "".join(self.rng.choices("abcdefXYZ012", k=30))
        )
        mutations.group_update(self.state, chat_id=g.chat_id, add_members=[member], join_scene=self.rng.choice([0, 3]))

    def _group_leave(self) -> None:
        company = self.state.company
        with self.state.lock:
            g = self.rng.choice(company.live_groups())
            externals = [m.userid for m in g.members if m.type == 2]
        mutations.group_update(
            self.state,
            chat_id=g.chat_id,
            remove_members=[self.rng.choice(externals)],
            quit_scene=self.rng.choice([0, 1]),
        )

    def _chat(self) -> None:
        if self.state.archive is None:
            return
        if self.rng.random() < BURST_SHARE:
            self._group_burst()
        else:
            self.state.archive.append(self.rng.randint(1, 20))

    def _group_burst(self) -> None:
        """Someone floods a group, or posts the same text again and again (the group-order checks' input)."""
        company = self.state.company
        with self.state.lock:
            g = self.rng.choice([g for g in company.live_groups() if len(g.members) > 1])
            externals = [m.userid for m in g.members if m.type == 2]
        sender = self.rng.choice(externals) if externals and self.rng.random() < 0.5 else g.owner
        if self.rng.random() < 0.5:
            mutations.archive_burst(self.state, userid=sender, roomid=g.chat_id, count=12, seconds=1.5)
        else:
            text = self.rng.choice(BURST_TEXTS)
            mutations.archive_burst(self.state, userid=sender, roomid=g.chat_id, count=3, seconds=20, text=text)
