"""Demo data of the discipline app (filled in below)."""

from __future__ import annotations


def demo_discipline() -> None:
    return None
