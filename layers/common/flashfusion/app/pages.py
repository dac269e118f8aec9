"""Paging, the same on every list of the API: ``limit`` (1-100, default 50) and an opaque ``nextToken``,
answered as ``{items, nextToken}`` (no ``nextToken`` on the last page).

A token is bound to the organisation and the list that issued it: base64url of a small JSON document
naming both and the storage key to continue from. Clients must treat it as opaque. A token from another
organisation or another list, or one we never issued, is a 400 naming ``nextToken``; the repository then
checks the key itself belongs to the query (flashfusion.storage.pages).
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, Generic, TypeVar

from pydantic import Field

from flashfusion.errors import InvalidRequest
from flashfusion.modelbase import CamelModel

MAX_LIMIT = 100
DEFAULT_LIMIT = 50
MAX_TOKEN_CHARS = 4096
"""The longest nextToken we hand out is well under this."""
TOKEN_VERSION = 1

T = TypeVar("T")


class Page(CamelModel, Generic[T]):
    items: list[T] = Field(description="this page, in the list's order")
    next_token: str | None = Field(
        default=None, description="opaque; pass it as nextToken for the next page (absent on the last page)"
    )


def _refused(problem: str = "not a nextToken this list handed out") -> InvalidRequest:
    return InvalidRequest(f"nextToken: {problem}", [{"field": "nextToken", "problem": problem}])


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidRequest(
            f"limit must be 1-{MAX_LIMIT}", [{"field": "limit", "problem": f"between 1 and {MAX_LIMIT}"}]
        )
    return limit


def encode_token(org_id: str, listing: str, key: dict[str, Any] | None) -> str | None:
    """The nextToken for ``key`` (None at the end of the list)."""
    if not key:
        return None
    document = {"v": TOKEN_VERSION, "org": org_id, "list": listing, "key": key}
    return base64.urlsafe_b64encode(json.dumps(document, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_token(org_id: str, listing: str, token: str | None) -> dict[str, Any] | None:
    """The key a nextToken continues from (None without a token); a 400 naming nextToken unless this
    organisation's ``listing`` issued it."""
    if not token:
        return None
    if len(token) > MAX_TOKEN_CHARS:
        raise _refused()
    try:
        padded = token + "=" * (-len(token) % 4)
        document = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, TypeError, RecursionError, binascii.Error, UnicodeError) as error:
        raise _refused() from error
    if (
        not isinstance(document, dict)
        or document.get("v") != TOKEN_VERSION
        or not isinstance(document.get("key"), dict)
    ):
        raise _refused()
    if document.get("org") != org_id or document.get("list") != listing:
        raise _refused("issued for another list or organisation")
    key: dict[str, Any] = document["key"]
    return key


def page_of(items: list[Any], org_id: str, listing: str, last: dict[str, Any] | None) -> dict[str, Any]:
    """The fields of a Page: ``Model(**page_of(...))``."""
    return {"items": items, "next_token": encode_token(org_id, listing, last)}
