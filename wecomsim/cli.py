"""`zhidu wecom-sim` (also `python -m wecomsim`): run the WeCom simulator, a seeded company over HTTP.

See docs/wecom.md. It needs no database and no Django; it prints the corp id, secrets, agent id, robot keys
and callback credentials it accepts (also as `export WECOM_...=` lines for the zhidu side).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path
from typing import Any, TextIO

from wecomsim.server import SimulatorServer


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="zhidu wecom-sim",
        description="Run the WeCom simulator: a seeded company served like WeCom's /cgi-bin/ API.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9100)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--size", choices=["small", "medium", "large"], default="small")
    parser.add_argument("--corp-id", default="wwsimcorp")
    parser.add_argument("--secret", default=None, help="one secret accepted for every API (optional)")
    for kind in ("contact", "customer", "app", "archive"):
        parser.add_argument(f"--{kind}-secret", default=None, help=f"the {kind} secret (default: derived)")
    parser.add_argument("--agent-id", type=int, default=1000002)
    parser.add_argument("--robot-key", action="append", default=None, help="accepted robot webhook key")
    parser.add_argument("--callback-url", default=None, help="push callbacks here, e.g. .../wecom/callback/")
    parser.add_argument("--token", default=None, help="callback Token")
    parser.add_argument("--aes-key", default=None, help="callback EncodingAESKey (43 characters)")
    parser.add_argument("--verify-callback", action="store_true", help="run the GET handshake at start")
    parser.add_argument("--activity", type=float, default=0.0, help="seconds between scripted changes")
    parser.add_argument("--archive-messages", type=int, default=200, help="chat messages at start")
    parser.add_argument("--archive-public-key", default=None, help="PEM file: our archive public key")
    parser.add_argument(
        "--archive-private-key", default=None, help="PEM file: a fixed key pair (TEST/DEMO ONLY; served at /sim/)"
    )
    parser.add_argument("--publickey-ver", type=int, default=1)
    parser.add_argument("--epoch", type=int, default=None, help="unix time the generated history ends at")
    parser.add_argument("--customers-per-member", type=int, default=None)
    parser.add_argument("--nickname-break-share", type=float, default=0.15)
    parser.add_argument("--group-name-break-share", type=float, default=0.15)
    parser.add_argument("--config", default=None, help='JSON of SimConfig keys, e.g. {"transfer_delay": 10}')
    parser.add_argument("--inject", action="append", default=[], help='JSON fault, e.g. {"errcode":45009,"count":3}')
    parser.add_argument("--fault-rate", type=float, default=0.0, help="share of calls answering -1/45009")
    parser.add_argument("--token-lifetime", type=float, default=None, help="tokens really die after N s")
    parser.add_argument("--slow", type=float, default=0.0, help="delay every response by N seconds")
    return parser


def _read(path: str | None) -> bytes | None:
    if not path:
        return None
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise SystemExit(f"wecom-sim: cannot read {path}: {exc}") from None


def server_from_options(opts: dict[str, Any]) -> SimulatorServer:
    secrets = {k: opts[f"{k}_secret"] for k in ("contact", "customer", "app", "archive") if opts[f"{k}_secret"]}
    config = json.loads(opts["config"]) if opts["config"] else {}
    if opts["fault_rate"]:
        config["fault_rate"] = opts["fault_rate"]
    if opts["token_lifetime"] is not None:
        config["token_lifetime"] = opts["token_lifetime"]
    sim = SimulatorServer(
        seed=opts["seed"],
        size=opts["size"],
        port=opts["port"],
        host=opts["host"],
        corp_id=opts["corp_id"],
        secret=opts["secret"],
        secrets=secrets,
        callback_url=opts["callback_url"],
        token=opts["token"],
        encoding_aes_key=opts["aes_key"],
        agent_id=opts["agent_id"],
        robot_keys=opts["robot_key"],
        activity=opts["activity"],
        archive_messages=opts["archive_messages"],
        archive_public_key_pem=_read(opts["archive_public_key"]),
        archive_private_key_pem=_read(opts["archive_private_key"]),
        publickey_ver=opts["publickey_ver"],
        epoch=opts["epoch"],
        config=config,
        customers_per_member=opts["customers_per_member"],
        nickname_break_share=opts["nickname_break_share"],
        group_name_break_share=opts["group_name_break_share"],
    )
    for spec in opts["inject"]:
        sim.inject(**json.loads(spec))
    if opts["slow"]:
        sim.slow(opts["slow"], count=-1)
    return sim


def print_banner(sim: SimulatorServer, out: TextIO) -> None:
    info = sim.info()
    summary = sim.company.summary()

    def w(line: str) -> None:
        out.write(line + "\n")

    w(f"WeCom simulator on {info['url']}  (seed {summary['seed']}, size {summary['size']})")
    w(
        f"company: {summary['users']} members, {summary['departments']} departments, "
        f"{summary['customers']} customers, {summary['groups']} groups, "
        f"{info['archive_messages']} archived messages"
    )
    w(f"corp id: {info['corp_id']}   agent id: {info['agent_id']}")
    for kind, secret in info["secrets"].items():
        w(f"secret[{kind}]: {secret}")
    w(f"robot keys: {', '.join(info['robot_keys'])}")
    w(f"callback: url={info['callback_url'] or '-'} token={info['token']} aes_key={info['encoding_aes_key']}")
    w("# for zhidu:")
    w(f"export WECOM_API_BASE={info['url']}")
    w(f"export WECOM_CORP_ID={info['corp_id']}")
    for kind in ("contact", "customer", "app", "archive"):
        secret = info["secrets"].get(kind) or info["secrets"].get("all", "")
        w(f"export WECOM_{kind.upper()}_SECRET={secret}")
    w(f"export WECOM_AGENT_ID={info['agent_id']}")
    w(f"export WECOM_TOKEN={info['token']}")
    w(f"export WECOM_ENCODING_AES_KEY={info['encoding_aes_key']}")
    out.flush()


def main(argv: list[str] | None = None) -> None:
    opts = vars(build_parser().parse_args(argv))
    try:
        sim = server_from_options(opts)
    except (ValueError, OSError) as exc:
        raise SystemExit(f"wecom-sim: {exc}") from None
    sim.start()
    print_banner(sim, sys.stdout)
    if opts["verify_callback"]:
        ok = sim.verify_callback_url()
        print(f"callback URL verification: {'ok' if ok else 'FAILED'}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(1.0):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
