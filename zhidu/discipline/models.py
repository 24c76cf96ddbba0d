"""Models of the discipline app."""

from __future__ import annotations
