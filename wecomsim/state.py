"""The simulator's mutable state: configuration, tokens, error injection, cursors, statistics.

Everything here is guarded by `SimState.lock` (an RLock). Handlers in `api.py`, `transfers.py`
and `mutations.py` receive the state and mutate `state.company` under that lock.
"""

from __future__ import annotations

import bisect
import fnmatch
import hashlib
import random
import secrets
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from wecomsim.company import Company

# Which secret (application kind) may call which API. Anything else answers 48002.
KIND_APIS: dict[str, tuple[str, ...]] = {
    "contact": ("department/*", "user/*"),
    "customer": ("externalcontact/*", "department/*", "user/get", "user/list", "user/simplelist"),
    "app": ("message/*", "externalcontact/*", "department/*", "user/get", "user/list", "user/simplelist"),
    "archive": ("msgaudit/*", "finance/*"),
    "all": ("*",),  # --secret S: one secret for every API (simple setups)
}
SHORT_ERRMSG = {
    -1: "system busy",
    40001: "invalid credential",
    40003: "invalid userid",
    40008: "invalid message type",
    40013: "invalid corpid",
    40014: "invalid access_token",
    40050: "chatid not found",
    40056: "invalid agentid",
    40058: "invalid parameter",
    40068: "invalid tagid",
    40096: "invalid external userid",
    40097: "user not resigned",
    40128: "customer transferred too often",
    40129: "customer is being transferred",
    40130: "handover and takeover are the same user",
    40131: "handover user is not the customer's follower",
    41001: "access_token missing",
    42001: "access_token expired",
    44004: "empty content",
    45002: "content size out of limit",
    45009: "api freq out of limit",
    45033: "api concurrent out of limit",
    47001: "data format error",
    48002: "api forbidden",
    60011: "no privilege to access/modify contact/party/agent",
    60111: "userid not found",
    81013: "user & party & tag all invalid",
    81017: "owner_filter required",
    82001: "all touser & toparty & totag invalid",
    84061: "not external contact",
    93000: "invalid webhook url",
    301058: "limit too large",
    301060: "check agree request too large",
    301061: "userid or exteranalopenid not exist",
    701105: "invalid cursor",
}


class SimError(Exception):
    """A WeCom error answer: {"errcode": code, "errmsg": ...} plus optional extra fields."""

    def __init__(self, errcode: int, **extra: Any) -> None:
        super().__init__(errcode)
        self.errcode = errcode
        self.extra = extra


@dataclass
class SimConfig:
    token_ttl: int = 7200  # the expires_in we announce
    token_lifetime: float | None = None  # how long tokens really live (None = token_ttl): early expiry
    expired_code: int = 42001  # what an over-age token answers (42001, or 40014 as observed in 2024)
    transfer_delay: float = 5.0  # seconds standing in for WeCom's 24 h before a takeover completes
    transfer_result_calls: int = 0  # if > 0, a transfer also completes after this many result calls
    transfer_refuse_share: float = 0.0  # share of transfers the customer refuses (status 3)
    transfer_outcomes: dict[str, int] = field(default_factory=dict)  # external_userid → forced status 3/4
    follow_page_size: int = 500  # externalcontact/get pages followers above this
    robot_limit_per_minute: int = 20
    owner_filter_threshold: int = 1000  # groupchat/list without owner_filter above this many members → 81017
    callback_retries: int = 3
    callback_retry_delay: float = 1.0
    callback_timeout: float = 5.0
    notify_interval: float = 15.0  # msgaudit_notify at most this often
    app_visible_departments: list[int] | None = None  # None = the whole company
    bad_secret_block: int = 100  # wrong secrets per hour before gettoken answers 45009
    fault_rate: float = 0.0  # random injected failures on /cgi-bin calls
    fault_codes: list[int] = field(default_factory=lambda: [-1, 45009])
    archive_leak_disagreed: bool = True  # archive also carries chats with customers who refused archiving

    def update(self, values: dict[str, Any]) -> None:
        names = {f.name for f in fields(self)}
        for key, value in values.items():
            if key not in names:
                raise ValueError(f"unknown config key {key!r}")
            setattr(self, key, value)


@dataclass
class Token:
    value: str
    kind: str
    secret: str
    issued: float
    expires: float
    dead_code: int = 0  # set by expire_tokens(): answer this code from now on


@dataclass
class Fault:
    errcode: int
    count: int  # remaining; -1 = unlimited
    api: str = "*"
    after: int = 0  # let this many matching calls pass first
    seconds: float = 0.0  # for slow faults: delay instead of an error


class SimState:
    def __init__(
        self,
        company: Company,
        *,
        secrets_by_kind: dict[str, str],
        agent_id: int,
        robot_keys: Sequence[str],
        config: SimConfig | None = None,
    ) -> None:
        self.company = company
        self.corp_id = company.corp_id
        self.secrets = dict(secrets_by_kind)
        self.kind_by_secret = {v: k for k, v in self.secrets.items()}
        self.agent_id = agent_id
        self.robot_keys = set(robot_keys)
        self.config = config or SimConfig()
        self.lock = threading.RLock()
        self.rng = random.Random(f"sim-runtime:{company.seed}")
        self.tokens: dict[str, Token] = {}
        self.current: dict[str, str] = {}  # secret → current token value
        self.faults: list[Fault] = []
        self.slow: list[Fault] = []
        self.cursors: dict[str, tuple[str, Any]] = {}
        self.stats: Counter[str] = Counter()
        self.errors: Counter[int] = Counter()
        self.bad_secrets: deque[float] = deque()
        self.sent: list[dict[str, Any]] = []
        self.robot_hits: dict[str, deque[float]] = {}
        self.transfers: dict[tuple[str, str], Any] = {}  # (kind, external_userid) → transfers.Transfer
        self.transfer_counts: dict[str, list[float]] = {}
        self.emit_target: Callable[[dict[str, Any]], Any] = lambda event: None  # the callback pusher
        self.revision = 0  # bumped by every state change (each one emits an event)
        self.row_cache: dict[str, tuple[int, list[tuple[Any, Any]]]] = {}
        self.archive: Any = None  # archive.ArchiveStore, set by the server
        self.clock: Callable[[], float] = time.time

    def now(self) -> int:
        return int(self.clock())

    def emit(self, event: dict[str, Any]) -> Any:
        """Record a state change and hand its callback event to the pusher."""
        with self.lock:
            self.revision += 1
        return self.emit_target(event)

    def cached_rows(self, scope: str, build: Callable[[], list[tuple[Any, Any]]]) -> list[tuple[Any, Any]]:
        """Sorted (key, value) rows for a paged listing, rebuilt only after a state change."""
        with self.lock:
            hit = self.row_cache.get(scope)
            if hit is not None and hit[0] == self.revision:
                return hit[1]
            rows = sorted(build(), key=lambda r: r[0])
            if len(self.row_cache) > 64:
                self.row_cache.clear()
            self.row_cache[scope] = (self.revision, rows)
            return rows

    # --- tokens -------------------------------------------------------------------------------

    def issue_token(self, corpid: str, secret: str) -> dict[str, Any]:
        with self.lock:
            now = self.clock()
            while self.bad_secrets and self.bad_secrets[0] < now - 3600:
                self.bad_secrets.popleft()
            if len(self.bad_secrets) >= self.config.bad_secret_block:
                raise SimError(45009)
            if corpid != self.corp_id:
                self.bad_secrets.append(now)
                raise SimError(40013)
            kind = self.kind_by_secret.get(secret)
            if kind is None:
                self.bad_secrets.append(now)
                raise SimError(40001)
            current = self.tokens.get(self.current.get(secret, ""))
            if current and not current.dead_code and current.expires > now:
                remaining = max(1, int(current.issued + self.config.token_ttl - now))
                return {"access_token": current.value, "expires_in": remaining}
            value = secrets.token_urlsafe(48)
            lifetime = self.config.token_lifetime if self.config.token_lifetime is not None else self.config.token_ttl
            self.tokens[value] = Token(value, kind, secret, now, now + float(lifetime))
            self.current[secret] = value
            self.stats["tokens_issued"] += 1
            return {"access_token": value, "expires_in": self.config.token_ttl}

    def check_token(self, value: str | None) -> Token:
        if not value:
            raise SimError(41001)
        with self.lock:
            token = self.tokens.get(value)
            if token is None:
                raise SimError(40014)
            if token.dead_code:
                raise SimError(token.dead_code)
            if token.expires <= self.clock():
                raise SimError(self.config.expired_code)
            return token

    def expire_tokens(self, errcode: int = 42001) -> int:
        """Invalidate every issued token now; calls with them answer `errcode` (42001 or 40014)."""
        with self.lock:
            n = 0
            for token in self.tokens.values():
                if not token.dead_code:
                    token.dead_code = errcode
                    n += 1
            return n

    # --- error injection ----------------------------------------------------------------------

    def inject(self, errcode: int, count: int = 1, api: str = "*", after: int = 0) -> None:
        with self.lock:
            self.faults.append(Fault(errcode=errcode, count=count, api=api, after=after))

    def add_slow(self, seconds: float, count: int = 1, api: str = "*") -> None:
        with self.lock:
            self.slow.append(Fault(errcode=0, count=count, api=api, seconds=seconds))

    def reset_faults(self) -> None:
        with self.lock:
            self.faults.clear()
            self.slow.clear()
            self.config.fault_rate = 0.0

    def take_fault(self, api: str) -> tuple[int, float]:
        """(injected errcode or 0, delay seconds) for this call."""
        with self.lock:
            delay = 0.0
            for f in self.slow:
                if f.count != 0 and fnmatch.fnmatch(api, f.api):
                    delay = max(delay, f.seconds)
                    f.count -= 1 if f.count > 0 else 0
            self.slow = [f for f in self.slow if f.count != 0]
            for f in self.faults:
                if f.count != 0 and fnmatch.fnmatch(api, f.api):
                    if f.after > 0:
                        f.after -= 1
                        continue
                    f.count -= 1 if f.count > 0 else 0
                    self.faults = [x for x in self.faults if x.count != 0]
                    return f.errcode, delay
            if self.config.fault_rate and self.rng.random() < self.config.fault_rate:
                return self.rng.choice(self.config.fault_codes), delay
            return 0, delay

    # --- visibility ---------------------------------------------------------------------------

    def visible_departments(self, kind: str) -> set[int] | None:
        if kind != "app" or self.config.app_visible_departments is None:
            return None
        out: set[int] = set()
        for dept_id in self.config.app_visible_departments:
            out.update(self.company.subtree(int(dept_id)))
        return out

    def user_visible(self, kind: str, userid: str) -> bool:
        visible = self.visible_departments(kind)
        user = self.company.users.get(userid)
        return user is not None and (visible is None or bool(visible.intersection(user.department)))

    def require_user(self, kind: str, userid: str, *, active: bool = True) -> Any:
        user = self.company.users.get(str(userid or ""))
        if user is None or (active and not user.active):
            raise SimError(60111)
        if not self.user_visible(kind, user.userid):
            raise SimError(60011)
        return user

    # --- cursors ------------------------------------------------------------------------------

    def page(self, scope: str, items: list[tuple[Any, Any]], cursor: str, limit: int) -> tuple[list[Any], str]:
        """Keyset paging: `items` are (sort key, value) sorted by key; the cursor remembers the last key.

        Cursors are opaque random strings, reusable (a retried page returns the same items), and bound
        to their query (`scope`); a foreign or unknown cursor answers 701105.
        """
        start = 0
        if cursor:
            with self.lock:
                saved = self.cursors.get(cursor)
            if saved is None or saved[0] != scope:
                raise SimError(701105)
            start = bisect.bisect_right(items, saved[1], key=lambda r: r[0])
        chunk = items[start : start + limit]
        next_cursor = ""
        if start + limit < len(items) and chunk:
            next_cursor = secrets.token_urlsafe(18)
            with self.lock:
                if len(self.cursors) > 200_000:
                    self.cursors.clear()
                self.cursors[next_cursor] = (scope, chunk[-1][0])
        return [v for _, v in chunk], next_cursor

    @staticmethod
    def scope_of(*parts: Any) -> str:
        return hashlib.sha1(repr(parts).encode()).hexdigest()

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "calls": dict(self.stats),
                "errors": {str(k): v for k, v in self.errors.items()},
                "faults": [asdict(f) for f in self.faults],
                "slow": [asdict(f) for f in self.slow],
                "config": asdict(self.config),
                "sent": len(self.sent),
                "transfers": len(self.transfers),
            }
