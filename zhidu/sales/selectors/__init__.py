"""Reads of the sales app, always through the asking member's scope (one module per aggregate)."""
