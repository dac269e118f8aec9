"""The exact-result cache key: what must be equal for an earlier output to be this request's output.

The key is the SHA-256 of a canonical JSON document of: the normalised brief (briefs.normalise_brief), the
brand kit id and version, the model that makes it, the output options (size, quality, duration, aspect
ratio, max output tokens; unset ones left out), the content type, the channel and the sponsored flag.

Any other field of the request that is not at its default (``extra``: e.g. an operation other than plain
generation, added to the submission later) is in it too, so a request that asks for something else never
shares a key with a plain one.

Locales are not in it: the cached result is the source-language asset, and every request translates its
own copy after it is saved (the Translate map runs as usual), so two requests that differ only in their
locales share the source.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flashfusion.prediction.briefs import normalise_brief

KEY_VERSION = 1
"""Bumped when the key's parts change, so entries made under other rules never match."""


def cache_key(
    *,
    brief: str,
    kit_id: str,
    kit_version: int,
    model: str,
    options: dict[str, Any],
    content_type: str,
    channel: str | None,
    sponsored: bool,
    extra: dict[str, Any] | None = None,
) -> str:
    document = {
        "v": KEY_VERSION,
        "brief": normalise_brief(brief),
        "kit": [kit_id, kit_version],
        "model": model,
        "options": {k: v for k, v in sorted(options.items()) if v is not None},
        "contentType": content_type,
        "channel": channel,
        "sponsored": sponsored,
    }
    if extra:  # absent when empty: the keys of plain requests stay as they were
        document["extra"] = extra
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
