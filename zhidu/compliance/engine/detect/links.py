"""URLs and bare domains."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .base import Hit

# --- links -------------------------------------------------------------------------------------

LINK_TRIGGERS = (
    "http",
    "www.",
    "://",
    ".com",
    ".cn",
    ".net",
    ".org",
    ".top",
    ".xyz",
    ".vip",
    ".cc",
    ".me",
    ".io",
    ".shop",
    ".club",
    ".site",
    ".info",
    ".ltd",
    ".tv",
    ".app",
    ".link",
    ".live",
    ".store",
    ".online",
    ".wang",
)
_URL_CHARS = r"[a-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]"
LINK_RE = re.compile(
    r"(?:https?://|www\.)" + _URL_CHARS + r"+"
    r"|(?<![a-z0-9@])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
    r"(?:com|cn|net|org|top|xyz|vip|cc|me|io|shop|club|site|info|ltd|tv|app|link|live|store|online|wang)"
    r"(?![a-z0-9])(?:[:/]" + _URL_CHARS + r"*)?"
)


def _link_check(text: str, occ: Sequence[tuple[int, int, int]]) -> list[Hit]:
    hits = []
    for m in LINK_RE.finditer(text):
        url = m.group().rstrip(".,;:!?)'\"")
        conf = 0.95 if url.startswith(("http", "www.")) else 0.8
        hits.append(Hit(m.start(), m.start() + len(url), "link", conf, url))
    return hits
