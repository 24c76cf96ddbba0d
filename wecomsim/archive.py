"""The simulator's chat archive (会话内容存档, API.md §7), served GetChatData-style over HTTP.

``POST /cgi-bin/msgaudit/getchatdata?access_token=T`` (archive secret) with ``{"seq": S, "limit": L}``
returns the messages after S, L ≤ 1000 (more → errcode 301058)::

    {"errcode":0,"errmsg":"ok","chatdata":[{"seq":1,"msgid":"…","publickey_ver":1,
      "encrypt_random_key":"<base64 RSA PKCS#1 v1.5 of the random key>","encrypt_chat_msg":"<base64>"}]}

* ``encrypt_random_key``: a 32-character ASCII random key, RSA-encrypted with PKCS#1 v1.5 to OUR
  public key — faithful to WeCom.
* ``encrypt_chat_msg``: **TEST-ONLY scheme of this simulator** (the real DecryptData algorithm is not
  public): AES-256-CBC, key = the 32 random-key bytes, IV = key[:16], PKCS#7 (16-byte blocks), base64,
  over the UTF-8 JSON of the decrypted record (API.md §7.4). `sim_decrypt_data` below is the reference.

Content comes from `conversations.generate_messages` (seeded by the company); labels (msgid → violation
categories) stay here for evaluation (GET /sim/archive/labels).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from cryptography.hazmat.primitives import padding as sym_padding
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding as asym_padding
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from wecomsim import events as ev

log = logging.getLogger(__name__)


def sim_encrypt_data(random_key: bytes, plaintext: bytes) -> str:
    """TEST-ONLY DecryptData counterpart: AES-256-CBC(key=random_key[:32], IV=key[:16], PKCS#7), base64."""
    key = random_key[:32]
    padder = sym_padding.PKCS7(128).padder()
    padded = padder.update(plaintext) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(padded) + encryptor.finalize()).decode("ascii")


def sim_decrypt_data(random_key: bytes, encrypt_chat_msg: str) -> bytes:
    """TEST-ONLY stand-in for the Finance SDK's DecryptData (see the module docstring)."""
    key = random_key[:32]
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    padded = decryptor.update(base64.b64decode(encrypt_chat_msg)) + decryptor.finalize()
    unpadder = sym_padding.PKCS7(128).unpadder()
    return unpadder.update(padded) + unpadder.finalize()


@dataclass(slots=True)
class Entry:
    seq: int
    msgid: str
    random_key: bytes
    encrypt_chat_msg: str
    labels: tuple[str, ...]
    publickey_ver: int
    disagreed: bool


def _fallback_messages(
    *,
    seed: int,
    staff: Sequence[Any],
    customers: Sequence[Any],
    rooms: Sequence[Any],
    count: int,
    start_ms: int,
    **_: Any,
) -> Iterator[tuple[dict[str, Any], tuple[str, ...]]]:
    """Plain clean chats, used only while the conversations package is absent."""
    import random

    rng = random.Random(f"fallback:{seed}")
    lines = ["您好，请问有什么可以帮您？", "好的，我把资料发您看一下。", "价格方面可以再沟通。", "收到，谢谢！"]
    t = start_ms
    for i in range(count):
        t += rng.randint(1000, 120_000)
        c = rng.choice(customers) if customers else None
        sender, receiver = (c.follow_userid, c.external_userid) if c else ("sys", "sys")
        if c and rng.random() < 0.4:
            sender, receiver = receiver, sender
        record = {
            "msgid": f"{seed}_{i}_{t}",
            "action": "send",
            "from": sender,
            "tolist": [receiver],
            "roomid": "",
            "msgtime": t,
            "msgtype": "text",
            "text": {"content": rng.choice(lines)},
        }
        yield record, ()


INTERNAL_SHARE = 8  # a chunk of N customer-chat messages carries N/8 more of staff talk in internal groups
INTERNAL_MIN_CHUNK = 100  # smaller chunks (live activity, small tests) carry customer chats only


def internal_share(count: int) -> int:
    return count // INTERNAL_SHARE if count >= INTERNAL_MIN_CHUNK else 0


def _into_rooms(stream: Any, staff_ids: list[str], rooms: Sequence[Any]) -> Iterator[Any]:
    """The generator's rarer lines for staff-only groups go to rooms it makes up from the staff; move them
    into the company's internal groups (not the exchange group, whose question is left unanswered on
    purpose), the sender to a member of that room. The generator's random streams stay untouched."""
    from wecomsim.conversations.overlay import internal_rooms

    targets = [r for r in rooms if r.kind != "exchange" and len(r.member_ids) >= 2] or [
        r for r in rooms if len(r.member_ids) >= 2
    ]
    made = [roomid for roomid, _members in internal_rooms(staff_ids)]
    if not targets or not made:
        yield from stream
        return
    where = {roomid: targets[k % len(targets)] for k, roomid in enumerate(made)}
    for record, labels in stream:
        room = where.get(record.get("roomid") or "")
        if room is not None:
            sender = record.get("from") or ""
            if sender not in room.member_ids:
                digest = hashlib.sha256(f"{record.get('msgid')}:{sender}".encode()).digest()
                sender = room.member_ids[digest[0] % len(room.member_ids)]
            record["roomid"], record["from"] = room.roomid, sender
            record["tolist"] = [m for m in room.member_ids if m != sender]
        yield record, labels


class ArchiveStore:
    def __init__(
        self,
        state: Any,
        *,
        public_key_pem: bytes | None = None,
        private_key_pem: bytes | None = None,
        publickey_ver: int = 1,
    ) -> None:
        self.state = state
        self.company = state.company
        self.lock = threading.Lock()
        self.entries: list[Entry] = []
        self.msgids: set[str] = set()
        self.publickey_ver = publickey_ver
        self.generated_private_pem: bytes | None = None
        if private_key_pem:  # a fixed test/demo key pair: the private key stays available to tests
            key = serialization.load_pem_private_key(private_key_pem, password=None)
            assert isinstance(key, rsa.RSAPrivateKey)
            self.public_key = key.public_key()
            self.generated_private_pem = private_key_pem
        elif public_key_pem:
            pub = serialization.load_pem_public_key(public_key_pem)
            assert isinstance(pub, rsa.RSAPublicKey)
            self.public_key = pub
        else:
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            self.public_key = key.public_key()
            self.generated_private_pem = key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        self.public_keys = {self.publickey_ver: self.public_key}  # every version ever used (key rotation)
        self._chunks = 0
        self._last_ms = (self.company.epoch - 3 * 86400) * 1000
        self._last_notify = 0.0
        self._notify_timer: threading.Timer | None = None
        self._participants: tuple[float, Any] | None = None

    # --- configuration ------------------------------------------------------------------------

    def set_public_key(self, public_key_pem: bytes, publickey_ver: int) -> None:
        """Rotate the key: messages appended from now on use this key and version."""
        pub = serialization.load_pem_public_key(public_key_pem)
        assert isinstance(pub, rsa.RSAPublicKey)
        with self.lock:
            self.public_key, self.publickey_ver = pub, int(publickey_ver)
            self.public_keys[self.publickey_ver] = pub

    # --- content ------------------------------------------------------------------------------

    def forget_participants(self) -> None:
        """Rooms or members changed: the next chunk reads them afresh."""
        self._participants = None

    def _inputs(self) -> tuple[list[Any], list[Any], list[Any], list[Any]]:
        cached = self._participants
        if cached and cached[0] > time.monotonic() - 30:
            return cached[1]
        try:
            from wecomsim.conversations import CustomerInfo, RoomInfo, StaffInfo
            from wecomsim.conversations.internal import StaffRoom
        except ImportError:
            from types import SimpleNamespace as StaffInfo  # type: ignore[assignment]

            CustomerInfo = RoomInfo = StaffRoom = StaffInfo  # type: ignore[misc,assignment]
        company = self.company
        with self.state.lock:
            active = {u.userid for u in company.active_users()}
            staff = [StaffInfo(userid=u, name=company.users[u].name) for u in company.follow_user_ids()]
            customers = []
            for c in company.customers.values():
                follower = next((u for u in c.follows if u in active), None)
                if follower:
                    customers.append(
                        CustomerInfo(external_userid=c.external_userid, name=c.name, follow_userid=follower)
                    )
            rooms = [
                RoomInfo(roomid=g.chat_id, name=g.name, owner=g.owner, member_ids=tuple(m.userid for m in g.members))
                for g in company.live_groups()
            ]
            internal = [
                StaffRoom(
                    roomid=r.roomid,
                    name=r.name,
                    creator=r.creator,
                    member_ids=tuple(m for m in r.member_ids if m in active),
                    kind=r.kind,
                )
                for r in company.live_rooms()
            ]
        value = (staff, customers, rooms, internal)
        self._participants = (time.monotonic(), value)
        return value

    def _generator(self) -> Any:
        try:
            from wecomsim.conversations import generate_messages
        except ImportError:
            log.warning("wecom-sim: conversations.generate_messages is missing; the archive uses plain filler chats")
            return _fallback_messages
        return generate_messages

    def append(self, count: int, *, start_ms: int | None = None, notify: bool = True) -> tuple[int, int]:
        """Generate `count` customer-chat messages (one seeded chunk) — plus, for a chunk of at least
        INTERNAL_MIN_CHUNK, count/INTERNAL_SHARE messages of staff talk in internal groups interleaved in
        time — and store them. Returns (first seq, last seq)."""
        if count <= 0:
            with self.lock:
                last = self.entries[-1].seq if self.entries else 0
            return last + 1, last
        staff, customers, rooms, internal = self._inputs()
        with self.lock:
            chunk = self._chunks
            self._chunks += 1
            begin = start_ms if start_ms is not None else max(self._last_ms + 1, int(time.time() * 1000))
        seed = self.company.seed if chunk == 0 else self.company.seed * 1_000_003 + chunk
        generate = self._generator()
        extra = internal_share(count) if internal else 0
        stream: Any = generate(seed=seed, staff=staff, customers=customers, rooms=rooms, count=count, start_ms=begin)
        if internal and generate is not _fallback_messages:
            stream = _into_rooms(stream, [s.userid for s in staff], internal)
        if extra:
            from wecomsim.conversations.internal import internal_traffic

            main = list(stream)
            end = max((int(r.get("msgtime") or 0) for r, _ in main), default=begin)
            staff_talk = internal_traffic(
                seed=seed, rooms=internal, start_ms=begin, end_ms=end, count=extra, scenarios=chunk == 0
            )
            stream = sorted([*main, *staff_talk], key=lambda item: int(item[0].get("msgtime") or 0))
        refusing = {c.external_userid for c in self.company.customers.values() if c.agree_status == "Disagree"}
        leak = bool(self.state.config.archive_leak_disagreed)
        prepared = []
        for record, labels in stream:
            msgid = str(record.get("msgid") or "")
            if not msgid or msgid in self.msgids:
                continue
            people = {record.get("from"), *(record.get("tolist") or [])}
            disagreed = not record.get("roomid") and bool(refusing.intersection(people))
            if disagreed and not leak:
                continue
            self.msgids.add(msgid)
            prepared.append((msgid, orjson.dumps(record), tuple(labels), disagreed, int(record.get("msgtime") or 0)))
        with self.lock:
            first = (self.entries[-1].seq if self.entries else 0) + 1
            for msgid, plain, labels, disagreed, msgtime in prepared:
                seq = (self.entries[-1].seq if self.entries else 0) + 1
                digest = hashlib.sha256(f"{self.company.seed}:{msgid}:{seq}".encode()).hexdigest()
                random_key = digest[:32].encode("ascii")
                self.entries.append(
                    Entry(
                        seq,
                        msgid,
                        random_key,
                        sim_encrypt_data(random_key, plain),
                        labels,
                        self.publickey_ver,
                        disagreed,
                    )
                )
                self._last_ms = max(self._last_ms, msgtime)
            last = self.entries[-1].seq if self.entries else 0
        if notify and prepared:
            self.notify()
        return first, last

    def inject(self, records: list[dict[str, Any]], *, notify: bool = True) -> tuple[int, int]:
        """Store the given plaintext records as they are (scripted scenarios: a burst, a meeting chat)."""
        with self.lock:
            first = (self.entries[-1].seq if self.entries else 0) + 1
            for record in records:
                msgid = str(record["msgid"])
                if msgid in self.msgids:
                    continue
                self.msgids.add(msgid)
                seq = (self.entries[-1].seq if self.entries else 0) + 1
                random_key = hashlib.sha256(f"{self.company.seed}:{msgid}:{seq}".encode()).hexdigest()[:32].encode()
                plain = orjson.dumps(record)
                entry = Entry(
                    seq, msgid, random_key, sim_encrypt_data(random_key, plain), (), self.publickey_ver, False
                )
                self.entries.append(entry)
                self._last_ms = max(self._last_ms, int(record.get("msgtime") or 0))
            last = self.entries[-1].seq if self.entries else 0
        if notify and records:
            self.notify()
        return first, last

    # --- serving ------------------------------------------------------------------------------

    def _slice(self, seq: int, limit: int) -> list[Entry]:
        with self.lock:
            # seqs are 1..n without gaps, so the entry after `seq` is at index `seq`
            return self.entries[max(0, seq) : max(0, seq) + limit]

    def chat_data(self, seq: int, limit: int) -> list[dict[str, Any]]:
        pkcs1 = asym_padding.PKCS1v15()
        public_key = self.public_key
        return [
            {
                "seq": e.seq,
                "msgid": e.msgid,
                "publickey_ver": e.publickey_ver,
                "encrypt_random_key": base64.b64encode(
                    self.public_keys.get(e.publickey_ver, public_key).encrypt(e.random_key, pkcs1)
                ).decode("ascii"),
                "encrypt_chat_msg": e.encrypt_chat_msg,
            }
            for e in self._slice(seq, limit)
        ]

    def plain(self, seq: int, limit: int) -> list[dict[str, Any]]:
        return [
            {"seq": e.seq, **orjson.loads(sim_decrypt_data(e.random_key, e.encrypt_chat_msg))}
            for e in self._slice(seq, limit)
        ]

    def labels(self, seq: int = 0, limit: int = 10**9) -> list[dict[str, Any]]:
        return [
            {"seq": e.seq, "msgid": e.msgid, "labels": list(e.labels), "disagreed": e.disagreed}
            for e in self._slice(seq, limit)
        ]

    def label_map(self) -> dict[str, tuple[str, ...]]:
        with self.lock:
            return {e.msgid: e.labels for e in self.entries}

    def __len__(self) -> int:
        return len(self.entries)

    # --- msgaudit_notify (at most every notify_interval seconds) ------------------------------

    def notify(self) -> None:
        interval = float(self.state.config.notify_interval)
        with self.lock:
            now = time.monotonic()
            if now - self._last_notify >= interval:
                self._last_notify = now
                fire = True
            else:
                fire = False
                if self._notify_timer is None:
                    delay = self._last_notify + interval - now
                    self._notify_timer = threading.Timer(delay, self._deferred_notify)
                    self._notify_timer.daemon = True
                    self._notify_timer.start()
        if fire:
            self._emit_notify()

    def _deferred_notify(self) -> None:
        with self.lock:
            self._notify_timer = None
            self._last_notify = time.monotonic()
        self._emit_notify()

    def _emit_notify(self) -> None:
        st = self.state
        st.emit(ev.msgaudit_notify_event(st.corp_id, st.now(), st.agent_id))

    def stop(self) -> None:
        with self.lock:
            if self._notify_timer is not None:
                self._notify_timer.cancel()
                self._notify_timer = None
