"""Helpers of the recall tests (test_recall_<category>.py): the categories the default pack reports for one
message (the `engine` fixture, the default pack once per module, is in conftest.py)."""

from __future__ import annotations

from collections.abc import Callable

from zhidu.compliance.engine import Engine


def categories(engine: Engine, text: str, **fields: object) -> set[str]:
    """The categories the engine reports for `text` sent with `fields` (side, chat_type, roomid, msgtype…)."""
    return {f.category for f in engine.scan_text(text, **fields)}


def finder(category: str) -> Callable[..., bool]:
    """found(engine, text, **fields): whether `category` is among what the engine reports."""

    def found(engine: Engine, text: str, **fields: object) -> bool:
        return category in categories(engine, text, **fields)

    return found
