"""Read-ahead for the simulator source: fetch and decrypt the next pages while the caller works."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from .base import ArchiveRecord
from .decode import Opened, _known, _open_keys, _open_messages, simulator_decrypt_data
from .keys import load_private_keys

log = logging.getLogger(__name__)

_WORKER_KEYS: dict[int, RSAPrivateKey] = {}


def _worker_init(pems: dict[int, bytes]) -> None:
    _WORKER_KEYS.clear()
    _WORKER_KEYS.update(load_private_keys({v: pem.decode("ascii") for v, pem in pems.items()}))


def _worker_open_keys(items: list[dict[str, Any]]) -> list[Opened]:
    return _open_keys(items, _WORKER_KEYS)


class _Pipeline:
    """Read ahead: while the caller stores and scans one page, the next pages are fetched and decrypted.

    The archive is read strictly in order, and a raw page names its own last seq, so a reader thread can
    fetch up to `depth` pages ahead without waiting for decryption; each raw page is decrypted as soon as it
    arrives. With `workers` ≥ 1 the decryption (RSA, DecryptData, JSON) runs in separate processes and
    uses another core instead of competing with storing and scanning for this process's GIL; without, it
    runs in the reader thread (HTTP waits still overlap). A request for any other position than the one
    read ahead drops what was read and starts again from there.
    """

    def __init__(self, fetch_raw: Any, keys: Mapping[int, RSAPrivateKey], *, workers: int = 0, depth: int = 2) -> None:
        self._fetch_raw = fetch_raw
        self._keys = keys
        self._workers = workers
        self._depth = depth
        self._procs: Any = None
        self._reader: Any = None
        self._queue: Any = None
        self._stop: Any = None
        self._next: tuple[int, int] | None = None  # (seq, limit) the queue's head answers

    def _decode_async(self, items: list[dict[str, Any]]) -> Any:
        """A future of the page's random keys: opened by a worker process (RSA only; it is the expensive
        part, and the answer is small to send back), or here, right away, without workers."""
        from concurrent.futures import Future

        if self._workers > 0:
            import multiprocessing

            if multiprocessing.current_process().daemon:  # e.g. a Celery prefork worker: no child processes
                log.warning("archive: decrypt workers are not possible in a daemonic process; decrypting in-thread")
                self._workers = 0
            else:
                slim = [{"publickey_ver": i.get("publickey_ver"), "encrypt_random_key": i.get("encrypt_random_key")}
                        for i in items]  # fmt: skip
                return self._pool().submit(_worker_open_keys, slim)
        done: Future[list[Opened]] = Future()
        try:
            done.set_result(_open_keys(items, self._keys))
        except BaseException as exc:
            done.set_exception(exc)
        return done

    def _pool(self) -> Any:
        if self._procs is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            pems = {
                v: k.private_bytes(
                    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
                )
                for v, k in self._keys.items()
            }
            self._procs = ProcessPoolExecutor(
                max_workers=self._workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_worker_init, initargs=(pems,),
            )  # fmt: skip
        return self._procs

    def _read(self, seq: int, limit: int, queue: Any, stop: Any) -> None:
        """Reader thread: raw page after raw page, each handed to RSA at once, until a short page or `stop`.
        Queue entries are (raw items, future of their opened random keys)."""
        from concurrent.futures import Future

        while not stop.is_set():
            try:
                items = self._fetch_raw(seq, limit)
                opened = self._decode_async(items)
            except BaseException as exc:
                opened = Future()
                opened.set_exception(exc)
                items = []
            while not stop.is_set():
                try:
                    queue.put((items, opened), timeout=0.2)
                    break
                except Exception:  # queue.Full: the consumer is behind; wait
                    continue
            if len(items) < limit:
                return
            seq = int(items[-1].get("seq") or 0)

    def _start(self, seq: int, limit: int) -> None:
        import queue
        import threading

        self._stop = threading.Event()
        self._queue = queue.Queue(maxsize=self._depth)
        self._reader = threading.Thread(
            target=self._read, args=(seq, limit, self._queue, self._stop), name="archive-read-ahead", daemon=True
        )
        self._next = (seq, limit)
        self._reader.start()

    def _halt(self) -> None:
        if self._reader is not None:
            self._stop.set()
            while self._reader.is_alive():
                with contextlib.suppress(Exception):  # queue.Empty
                    self._queue.get(timeout=0.05)[1].cancel()
            self._reader = self._queue = self._stop = None
        self._next = None

    def get(self, seq: int, limit: int) -> list[ArchiveRecord]:
        if self._next != (seq, limit) or self._reader is None:
            self._halt()
            self._start(seq, limit)
        import queue

        while True:
            try:
                entry = self._queue.get(timeout=0.5)
                break
            except queue.Empty:
                if not self._reader.is_alive() and self._queue.empty():
                    self._halt()
                    return []
        items, opened = entry
        try:
            records = _open_messages(items, opened.result(), simulator_decrypt_data, _known(self._keys))
        except BaseException:
            self._halt()
            raise
        if len(records) < limit:  # the reader stopped after this page (end of data, or a page cut at a bad key)
            self._halt()
        else:
            self._next = (records[-1].seq, limit)
        return records

    def close(self) -> None:
        self._halt()
        if self._procs is not None:
            self._procs.shutdown(wait=True)
            self._procs = None
