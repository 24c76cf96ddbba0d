"""Fixtures shared by the compliance tests."""

from __future__ import annotations

import pytest

from zhidu.compliance.engine import Engine, default_rules


@pytest.fixture(scope="module")
def engine() -> Engine:
    """The default rule pack, built once per test module (a module may define its own `engine`)."""
    return Engine(default_rules())
