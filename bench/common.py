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


def build_sales_org(managers: int, supervisors: int, sales: int) -> Any:
    """The large company's organisation, written with bulk_create (call after django.setup()): a director (login
    "director" / "bench-pass") over `managers` departments, each with `supervisors` teams of `sales` salespeople.
    Returns a namespace with root, director, managers, sups, sales (lists in creation order)."""
    from types import SimpleNamespace

    from django.contrib.auth import get_user_model

    from zhidu.org.models import Department, Member, Role

    root = Department.objects.create(name="销售中心")
    director = Member.objects.create(name="总监", department=root, role=Role.DIRECTOR, wecom_userid="director")
    director.user = get_user_model().objects.create_user(username="director", password="bench-pass")
    director.save(update_fields=["user"])
    depts = Department.objects.bulk_create([Department(name=f"销售{i + 1}部", parent=root) for i in range(managers)])
    heads = Member.objects.bulk_create(
        [
            Member(name=f"经理{i}", department=d, role=Role.MANAGER, reports_to=director, wecom_userid=f"m{i}")
            for i, d in enumerate(depts)
        ]
    )
    teams = Department.objects.bulk_create(
        [Department(name=f"{d.name}{j}组", parent=d) for d in depts for j in range(supervisors)]
    )
    sups = Member.objects.bulk_create(
        [
            Member(
                name=f"主管{i}",
                department=t,
                role=Role.SUPERVISOR,
                reports_to=heads[i // supervisors],
                wecom_userid=f"s{i}",
            )
            for i, t in enumerate(teams)
        ]
    )
    people = Member.objects.bulk_create(
        [
            Member(name=f"销售{i}-{k}", department=teams[i], role=Role.SALES, reports_to=sup, wecom_userid=f"p{i}-{k}")
            for i, sup in enumerate(sups)
            for k in range(sales)
        ]
    )
    return SimpleNamespace(root=root, director=director, managers=heads, sups=sups, sales=people)
