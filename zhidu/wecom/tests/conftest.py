"""WeCom test fixtures: a running simulator over real HTTP and clients pointed at it.

* `wecom_sim` — a small seeded company (seed 42, fixed epoch), module-scoped, on a free port. Tests that
  mutate it heavily or inject faults should use `fresh_sim` (function-scoped) or reset what they change.
* `wecom_client` — a WeComClient with the simulator's all-API secret, fast back-off, Django token cache.
* `wecom_settings` — Django settings pointed at `wecom_sim` (API base, corp id, every secret, agent id,
  callback token/AES key, archive private key, fast back-off).
* `callback_receiver` — a tiny local HTTP server that records pushed callbacks (raw query + body).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from wecomsim import SimulatorServer
from zhidu.wecom.client import WeComClient
from zhidu.wecom.crypto import CryptoError, WXBizMsgCrypt

SIM_SEED = 42
SIM_EPOCH = 1_764_000_000  # fixed so data (times included) is identical on every run
SIM_ALL_SECRET = "sim-test-all-apis-secret"
FAST_CONFIG: dict[str, Any] = {
    "transfer_delay": 1.0,
    "notify_interval": 0.0,
    "callback_retries": 2,
    "callback_retry_delay": 0.05,
    "callback_timeout": 5.0,
}


@pytest.fixture(scope="session")
def archive_private_key_pem() -> bytes:
    """One RSA-2048 key pair per test session (key generation is the slow part of starting a simulator)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def make_sim(archive_private_key_pem: bytes, **kwargs: Any) -> SimulatorServer:
    options: dict[str, Any] = {
        "seed": SIM_SEED,
        "size": "small",
        "port": 0,
        "epoch": SIM_EPOCH,
        "secret": SIM_ALL_SECRET,
        "archive_private_key_pem": archive_private_key_pem,
        "archive_messages": 200,
        "config": dict(FAST_CONFIG),
    }
    options.update(kwargs)
    return SimulatorServer(**options)


@pytest.fixture(scope="module")
def wecom_sim(archive_private_key_pem: bytes) -> Iterator[SimulatorServer]:
    sim = make_sim(archive_private_key_pem).start()
    yield sim
    sim.stop()


@pytest.fixture
def fresh_sim(archive_private_key_pem: bytes) -> Iterator[SimulatorServer]:
    sim = make_sim(archive_private_key_pem).start()
    yield sim
    sim.stop()


def client_for(sim: SimulatorServer, secret: str | None = None, **kwargs: Any) -> WeComClient:
    options: dict[str, Any] = {
        "base_url": sim.url,
        "agent_id": sim.state.agent_id,
        "max_tries": 4,
        "backoff_base": 0.005,
        "backoff_max": 0.02,
    }
    options.update(kwargs)
    client = WeComClient(sim.company.corp_id, secret or SIM_ALL_SECRET, **options)
    client.invalidate_token()
    return client


@pytest.fixture
def wecom_client(wecom_sim: SimulatorServer) -> Iterator[WeComClient]:
    client = client_for(wecom_sim)
    yield client
    client.close()


def point_settings_at(settings: Any, sim: SimulatorServer) -> None:
    """Our WeCom settings for a simulated company (fast retries; no archive key)."""
    settings.WECOM_API_BASE = sim.url
    settings.WECOM_CORP_ID = sim.company.corp_id
    settings.WECOM_CONTACT_SECRET = sim.secrets["contact"]
    settings.WECOM_CUSTOMER_SECRET = sim.secrets["customer"]
    settings.WECOM_APP_SECRET = sim.secrets["app"]
    settings.WECOM_AGENT_ID = sim.state.agent_id
    settings.WECOM_TOKEN = sim.token
    settings.WECOM_ENCODING_AES_KEY = sim.encoding_aes_key
    settings.WECOM_BACKOFF_BASE = 0.005
    settings.WECOM_BACKOFF_MAX = 0.02


@pytest.fixture
def pushing_sim(fresh_sim: SimulatorServer, live_server: Any, settings: Any) -> SimulatorServer:
    """A fresh simulated company, synced, pushing its callbacks to our live server."""
    from zhidu.wecom.sync import sync_all

    point_settings_at(settings, fresh_sim)
    sync_all()
    fresh_sim.control({"callback_url": f"{live_server.url}/wecom/callback/"})
    assert fresh_sim.verify_callback_url()
    return fresh_sim


def delivered(result: dict[str, Any]) -> None:
    """A simulator mutation's events all reached our callback endpoint."""
    assert result["events"], "the mutation pushed no event"
    for event in result["events"]:
        assert event["status"] == "delivered", event


@pytest.fixture
def wecom_settings(settings: Any, wecom_sim: SimulatorServer) -> Any:
    sim = wecom_sim
    settings.WECOM_API_BASE = sim.url
    settings.WECOM_CORP_ID = sim.company.corp_id
    settings.WECOM_CONTACT_SECRET = sim.secrets["contact"]
    settings.WECOM_CUSTOMER_SECRET = sim.secrets["customer"]
    settings.WECOM_APP_SECRET = sim.secrets["app"]
    settings.WECOM_ARCHIVE_SECRET = sim.secrets["archive"]
    settings.WECOM_AGENT_ID = sim.state.agent_id
    settings.WECOM_TOKEN = sim.token
    settings.WECOM_ENCODING_AES_KEY = sim.encoding_aes_key
    settings.WECOM_MAX_TRIES = 4
    settings.WECOM_BACKOFF_BASE = 0.005
    settings.WECOM_BACKOFF_MAX = 0.02
    pem = sim.archive_private_key_pem
    settings.WECOM_ARCHIVE_PRIVATE_KEYS = json.dumps({"1": pem.decode()}) if pem else ""
    return settings


@dataclass
class Received:
    method: str
    query: dict[str, str]
    body: bytes


@dataclass
class CallbackReceiver:
    url: str
    received: list[Received] = field(default_factory=list)
    status: int = 200  # what to answer (set 500 to test retries)
    crypto: WXBizMsgCrypt | None = None  # set it to answer the GET URL verification handshake
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Received]:
        """The first `count` requests, waiting up to `timeout` seconds for them to arrive."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received[:count])
            time.sleep(0.01)
        with self.lock:
            return list(self.received)


@pytest.fixture
def callback_receiver() -> Iterator[CallbackReceiver]:
    holder: dict[str, CallbackReceiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _record(self, method: str) -> None:
            receiver = holder["r"]
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            with receiver.lock:
                receiver.received.append(Received(method, dict(parse_qsl(urlsplit(self.path).query)), body))
            self.send_response(receiver.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_POST(self) -> None:
            self._record("POST")

        def do_GET(self) -> None:
            receiver = holder["r"]
            q = dict(parse_qsl(urlsplit(self.path).query))
            if receiver.crypto is None or "echostr" not in q:
                self._record("GET")
                return
            try:
                plain = receiver.crypto.verify_url(q["msg_signature"], q["timestamp"], q["nonce"], q["echostr"])
                data, status = plain.encode(), 200
            except CryptoError:
                data, status = b"", 403
            self.send_response(status)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    holder["r"] = CallbackReceiver(url=f"http://127.0.0.1:{httpd.server_address[1]}/wecom/callback/")
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    yield holder["r"]
    httpd.shutdown()
    httpd.server_close()
