"""User-perceived characters: Unicode extended grapheme clusters (UAX #29).

What Bluesky (``maxGraphemes`` in the ``app.bsky.feed.post`` lexicon) and Mastodon (Ruby's
``each_grapheme_cluster``) count: a flag, a family emoji or ``e`` + combining accent is one. The ``regex``
package implements UAX #29 (``\\X``) for its Unicode version; Python's ``re`` does not.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _cluster() -> Any:
    import regex  # ~30 ms to import: only once a text needs it

    return regex.compile(r"\X")


def grapheme_count(text: str) -> int:
    if text.isascii() and "\r\n" not in text:  # every ASCII character but CR LF is a cluster of its own
        return len(text)
    return len(_cluster().findall(text))
