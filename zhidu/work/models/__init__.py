"""Models of the work app, one module per area; each area's models are imported here so Django finds them."""

from __future__ import annotations

from .suggestions import Suggestion, SuggestionReply, SuggestionStatus, SuggestionTopic

__all__ = ["Suggestion", "SuggestionReply", "SuggestionStatus", "SuggestionTopic"]
