"""Models of the performance app."""

from __future__ import annotations
