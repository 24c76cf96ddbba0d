"""Models of the work app, one module per area; each area's models are imported here so Django finds them."""

from __future__ import annotations
