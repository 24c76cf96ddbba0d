"""`SimulatorServer`: the seeded company behind a threaded HTTP server that answers like WeCom.

/cgi-bin/...   the WeCom server API (envelopes, errcodes, cursors, limits, visibility, tokens)
/sim/...       test-only inspection and control (documented in docs/wecom.md and at GET /sim/)
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import secrets
import threading
import time
from dataclasses import asdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import orjson

from wecomsim import api, customers, mutations, outbound, transfers  # noqa: F401  (they add routes)
from wecomsim.activity import Activity
from wecomsim.archive import ArchiveStore
from wecomsim.company import Company, build_company
from wecomsim.events import CallbackPusher
from wecomsim.state import KIND_APIS, SHORT_ERRMSG, SimConfig, SimError, SimState

log = logging.getLogger(__name__)

KINDS = ("contact", "customer", "app", "archive")
SIM_ENDPOINTS = {
    "GET /sim/": "this index",
    "GET /sim/info": "corp id, secrets, agent id, robot keys, callback token/AES key, URL",
    "GET /sim/company[?full=1]": "summary (or full dump) of the generated company",
    "GET /sim/stats": "calls per API, errors per code, active faults, config",
    "GET /sim/sent[?channel=app|robot]": "messages accepted by message/send and the robot webhook",
    "GET /sim/events": "callback events emitted, with delivery status",
    "POST /sim/control": "config keys, expire_tokens, inject, slow, reset_faults, clear_sent, reset_robot_limits, "
    "robot_keys, callback_url, archive_public_key, tick",
    "POST /sim/mutate/<op>[?wait=0]": "change state and push the callback; ops: " + ", ".join(sorted(mutations.OPS)),
    "POST /sim/callbacks/verify": "run the URL verification handshake against the callback URL",
    "GET /sim/archive/labels?seq=&limit=": "msgid → violation categories (evaluation)",
    "GET /sim/archive/plain?seq=&limit=": "decrypted archive records",
    "GET /sim/archive/private_key": "TEST-ONLY: the archive private key (PEM); 404 if only our public key was given",
    "POST /sim/archive/append": '{"count": N}: new chat messages (+ msgaudit_notify)',
}


def _derived(seed: int, corp_id: str, label: str, length: int = 43) -> str:
    raw = hashlib.sha256(f"zhidu-wecom-sim:{corp_id}:{seed}:{label}".encode()).digest()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=").replace("-", "A").replace("_", "B")[:length]


def _dumps(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)


class SimulatorServer:
    def __init__(
        self,
        seed: int = 42,
        size: str = "small",
        port: int = 0,
        *,
        host: str = "127.0.0.1",
        corp_id: str = "wwsimcorp",
        secret: str | None = None,
        secrets: dict[str, str] | None = None,
        callback_url: str | None = None,
        token: str | None = None,
        encoding_aes_key: str | None = None,
        agent_id: int = 1000002,
        robot_keys: list[str] | None = None,
        activity: float = 0.0,
        archive_messages: int = 200,
        archive_public_key_pem: bytes | None = None,
        archive_private_key_pem: bytes | None = None,
        publickey_ver: int = 1,
        config: dict[str, Any] | None = None,
        company: Company | None = None,
        epoch: int | None = None,
        **company_options: Any,
    ) -> None:
        self.company = company or build_company(seed, size, corp_id=corp_id, epoch=epoch, **company_options)
        self.seed, self.host, self.port = self.company.seed, host, port
        corp_id = self.company.corp_id
        self.secrets = {kind: _derived(seed, corp_id, f"secret:{kind}") for kind in KINDS}
        self.secrets.update(secrets or {})
        if secret:
            self.secrets["all"] = secret
        self.token = token or _derived(seed, corp_id, "token", 16)
        self.encoding_aes_key = encoding_aes_key or _derived(seed, corp_id, "aes", 43)
        self.robot_keys = list(robot_keys or [_derived(seed, corp_id, f"robot:{i}", 36) for i in range(3)])
        self.state = SimState(
            self.company, secrets_by_kind=self.secrets, agent_id=agent_id, robot_keys=self.robot_keys,
            config=SimConfig(),
        )  # fmt: skip
        if config:
            self.state.config.update(config)
        self.pusher = CallbackPusher(
            corp_id=corp_id,
            url=callback_url,
            token=self.token,
            encoding_aes_key=self.encoding_aes_key,
            agent_id=agent_id,
            config=self.state.config,
        )
        self.state.emit_target = self.pusher.emit
        self.archive = ArchiveStore(
            self.state,
            public_key_pem=archive_public_key_pem,
            private_key_pem=archive_private_key_pem,
            publickey_ver=publickey_ver,
        )
        self.state.archive = self.archive
        if archive_messages:
            self.archive.append(archive_messages, start_ms=(self.company.epoch - 3 * 86400) * 1000, notify=False)
        self.activity = Activity(self.state, activity)
        self._httpd: ThreadingHTTPServer | None = None
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()

    # --- lifecycle ----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def callback_url(self) -> str | None:
        return self.pusher.url

    @property
    def archive_private_key_pem(self) -> bytes | None:
        """TEST-ONLY: the archive private key (generated, or given as archive_private_key_pem); None when
        the simulator was only given our public key."""
        return self.archive.generated_private_pem

    def start(self) -> SimulatorServer:
        httpd = ThreadingHTTPServer((self.host, self.port), _Handler)
        httpd.daemon_threads = True
        httpd.sim = self  # type: ignore[attr-defined]
        self._httpd = httpd
        self.port = httpd.server_address[1]
        self._stop.clear()
        serve = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
        ticker = threading.Thread(target=self._tick, name="wecom-sim-ticker", daemon=True)
        self._threads = [serve, ticker]
        for t in self._threads:
            t.start()
        self.pusher.start()
        self.activity.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.activity.stop()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        for t in self._threads:
            t.join(timeout=5)
        self.archive.stop()
        self.pusher.stop()

    def __enter__(self) -> SimulatorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _tick(self) -> None:
        while not self._stop.wait(0.5):
            try:
                transfers.advance(self.state)
            except Exception:
                log.exception("wecom-sim ticker failed")

    # --- Python control API (same as POST /sim/control and /sim/mutate) ------------------------

    def info(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "corp_id": self.company.corp_id,
            "secrets": self.secrets,
            "agent_id": self.state.agent_id,
            "robot_keys": sorted(self.state.robot_keys),
            "callback_url": self.pusher.url,
            "token": self.token,
            "encoding_aes_key": self.encoding_aes_key,
            "publickey_ver": self.archive.publickey_ver,
            "archive_messages": len(self.archive),
            "archive_private_key_available": self.archive_private_key_pem is not None,
        }

    def mutate(self, op: str, *, wait: bool = True, timeout: float = 10.0, **kwargs: Any) -> dict[str, Any]:
        """Run a test-only mutation (see mutations.OPS); by default wait until its callbacks are delivered."""
        fn = mutations.OPS.get(op)
        if fn is None:
            raise KeyError(f"unknown simulator op {op!r}")
        before = len(self.pusher.log)
        try:
            result = fn(self.state, **kwargs)
        finally:
            with self.state.lock:
                self.state.revision += 1  # cached listings are rebuilt after any op
        emitted = self.pusher.log[before:]
        if wait:
            deadline = time.monotonic() + timeout
            for delivery in emitted:
                delivery.done.wait(max(0.0, deadline - time.monotonic()))
        return {**result, "events": [d.as_dict() for d in emitted]}

    def inject(self, errcode: int, count: int = 1, api: str = "*", after: int = 0) -> None:
        """The next `count` calls matching `api` (fnmatch, e.g. "externalcontact/*") answer `errcode`,
        after letting `after` matching calls through."""
        self.state.inject(errcode, count, api, after)

    def slow(self, seconds: float, count: int = 1, api: str = "*") -> None:
        self.state.add_slow(seconds, count, api)

    def expire_tokens(self, errcode: int = 42001) -> int:
        return self.state.expire_tokens(errcode)

    def reset_faults(self) -> None:
        self.state.reset_faults()

    def configure(self, **values: Any) -> None:
        self.state.config.update(values)

    def wait_callbacks(self, timeout: float = 10.0) -> bool:
        return self.pusher.wait_idle(timeout)

    def verify_callback_url(self) -> bool:
        return self.pusher.verify_url()

    @property
    def events(self) -> list[dict[str, Any]]:
        return [d.as_dict() for d in self.pusher.log]

    @property
    def sent(self) -> list[dict[str, Any]]:
        with self.state.lock:
            return list(self.state.sent)

    def stats(self) -> dict[str, Any]:
        return self.state.snapshot()

    def control(self, body: dict[str, Any]) -> dict[str, Any]:
        st = self.state
        with st.lock:
            st.revision += 1
        config_keys = {k: v for k, v in body.items() if k in SimConfig.__dataclass_fields__}
        st.config.update({**config_keys, **(body.get("config") or {})})
        if body.get("reset_faults"):
            st.reset_faults()
        if body.get("expire_tokens"):
            value = body["expire_tokens"]
            st.expire_tokens(42001 if value is True else int(value))
        for key, fn in (("inject", st.inject), ("slow", st.add_slow)):
            items = body.get(key) or []
            for item in items if isinstance(items, list) else [items]:
                fn(**item)
        if body.get("clear_sent"):
            with st.lock:
                st.sent.clear()
        if body.get("reset_robot_limits"):
            with st.lock:
                st.robot_hits.clear()
        for key in body.get("robot_keys") or []:
            st.robot_keys.add(str(key))
        if "callback_url" in body:
            self.pusher.url = body["callback_url"] or None
        if body.get("archive_public_key"):
            spec = body["archive_public_key"]
            self.archive.set_public_key(spec["pem"].encode(), int(spec.get("version", 1)))
        if body.get("tick"):
            transfers.advance(st)
        return st.snapshot()

    # --- HTTP ---------------------------------------------------------------------------------

    def handle_cgi(self, method: str, api_name: str, query: dict[str, str], raw: bytes, request_id: str):
        st = self.state
        with st.lock:
            st.stats[api_name] += 1
        code, delay = st.take_fault(api_name)
        if delay:
            time.sleep(delay)
        try:
            if code:
                raise SimError(code)
            if api_name == "gettoken":
                return st.issue_token(query.get("corpid", ""), query.get("corpsecret", ""))
            entry = api.ROUTES.get(api_name)
            if entry is None:
                raise SimError(48001)
            required, handler = entry
            if required == "POST" and method != "POST":
                raise SimError(40058)
            kind = ""
            if api_name != "webhook/send":
                token = st.check_token(query.get("access_token"))
                kind = token.kind
                if kind != "all" and not any(_match(api_name, p) for p in KIND_APIS.get(kind, ())):
                    raise SimError(48002)
            body: dict[str, Any] = {}
            if method == "POST" and raw.strip():
                try:
                    body = json.loads(raw)
                except ValueError:
                    raise SimError(47001) from None
                if not isinstance(body, dict):
                    raise SimError(47001)
            return handler(st, api.Request(api_name, method, query, body, kind, request_id))
        except SimError as exc:
            with st.lock:
                st.errors[exc.errcode] += 1
            short = SHORT_ERRMSG.get(exc.errcode, "error")
            hint = f"{int(time.time())}_{request_id[:12]}"
            errmsg = (
                f"{short}, hint: [{hint}], from ip: 127.0.0.1, more info at "
                f"https://open.work.weixin.qq.com/devtool/query?e={exc.errcode}"
            )
            return {"errcode": exc.errcode, "errmsg": errmsg, **exc.extra}

    def handle_sim(self, method: str, path: str, query: dict[str, str], raw: bytes) -> tuple[int, Any]:
        body = json.loads(raw) if raw.strip() else {}
        seq, limit = int(query.get("seq", 0)), int(query.get("limit", 1000))
        if path in ("/sim", "/sim/"):
            return 200, {"endpoints": SIM_ENDPOINTS}
        if path == "/sim/info":
            return 200, self.info()
        if path == "/sim/company":
            if query.get("full"):
                with self.state.lock:
                    data = asdict(self.company)
                data.pop("by_follower", None)
                return 200, data
            return 200, self.company.summary()
        if path == "/sim/stats":
            return 200, self.stats()
        if path == "/sim/sent":
            channel = query.get("channel")
            return 200, {"sent": [s for s in self.sent if not channel or s["channel"] == channel]}
        if path == "/sim/events":
            return 200, {"events": self.events}
        if path == "/sim/control" and method == "POST":
            return 200, self.control(body)
        if path.startswith("/sim/mutate/") and method == "POST":
            op = path.rsplit("/", 1)[1]
            if op not in mutations.OPS:
                return 404, {"error": f"unknown op {op}", "ops": sorted(mutations.OPS)}
            try:
                return 200, self.mutate(op, wait=query.get("wait", "1") != "0", **body)
            except SimError as exc:
                return 400, {"errcode": exc.errcode, "error": SHORT_ERRMSG.get(exc.errcode, "error")}
            except TypeError as exc:
                return 400, {"error": str(exc)}
        if path == "/sim/callbacks/verify" and method == "POST":
            return 200, {"ok": self.verify_callback_url()}
        if path == "/sim/archive/labels":
            return 200, {"items": self.archive.labels(seq, limit)}
        if path == "/sim/archive/plain":
            return 200, {"items": self.archive.plain(seq, limit)}
        if path == "/sim/archive/private_key":
            pem = self.archive_private_key_pem
            return (200, pem.decode()) if pem else (404, {"error": "the simulator only has the public key"})
        if path == "/sim/archive/append" and method == "POST":
            return 200, self.mutate("archive_append", count=int(body.get("count", 10)))
        return 404, {"error": "unknown simulator endpoint", "endpoints": SIM_ENDPOINTS}


def _match(api_name: str, pattern: str) -> bool:
    return api_name == pattern or (pattern.endswith("/*") and api_name.startswith(pattern[:-1]))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "wecom-sim/1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: avoid the 40 ms delayed-ACK stall

    def log_message(self, format: str, *args: Any) -> None:  # quiet by default
        log.debug("wecom-sim %s", format % args)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        sim: SimulatorServer = self.server.sim  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        request_id = self.headers.get("X-Request-Id") or secrets.token_hex(8)
        status, payload = 200, None
        try:
            if parts.path.startswith("/cgi-bin/"):
                result = sim.handle_cgi(method, parts.path[len("/cgi-bin/") :].strip("/"), query, raw, request_id)
                payload = result if "errcode" in result else {"errcode": 0, "errmsg": "ok", **result}
            elif parts.path.startswith("/sim"):
                status, payload = sim.handle_sim(method, parts.path, query, raw)
            else:
                status, payload = 404, {"errcode": 48001, "errmsg": "api unauthorized"}
        except Exception as exc:  # a simulator bug must not hang the client
            log.exception("wecom-sim: %s %s failed", method, self.path)
            status, payload = 500, {"error": f"{type(exc).__name__}: {exc}"}
        if isinstance(payload, str):
            data, ctype = payload.encode(), "text/plain; charset=utf-8"
        else:
            data, ctype = _dumps(payload), "application/json; charset=utf-8"
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("X-Request-Id", request_id)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (e.g. its timeout)
            self.close_connection = True
