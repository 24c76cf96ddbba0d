"""Shared helpers for the benchmarks in bench/ (never part of the test run).

from common import ROOT, shared_dir, write_results, result_line, Timer
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"
CACHE = ROOT / "var" / "bench"


def shared_dir() -> Path | None:
    """The shared data folder: $ZHIDU_SHARED_DIR, else ../shared next to the repository."""
    env = os.environ.get("ZHIDU_SHARED_DIR")
    path = Path(env) if env else ROOT.parent / "shared"
    return path if path.is_dir() else None


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "machine": f"{platform.machine()} {os.cpu_count()} cpu",
        "load_avg_1m": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
    }


def write_results(name: str, data: Mapping[str, Any]) -> Path:
    """Write bench/results/<name>.json (pretty, UTF-8) and return the path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    return path


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}" if abs(v) < 1000 else f"{v:.0f}"
    return str(v).replace(" ", "_")


def result_line(values: Mapping[str, Any]) -> str:
    """The one `RESULT key=value …` line every benchmark ends with."""
    return "RESULT " + " ".join(f"{k}={_fmt(v)}" for k, v in values.items())


class Timer:
    """Measures wall time and this process's CPU time of a block."""

    def __enter__(self) -> Timer:
        self.wall0 = time.perf_counter()
        self.cpu0 = time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall0
        self.cpu = time.process_time() - self.cpu0
