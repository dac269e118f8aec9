"""The token of a shared review link: which organisation, review and link it opens, until when, signed.

    token = base64url(payload) "." base64url(HMAC-SHA256(key, "ffo-review-link.v1." + base64url(payload)))

The payload is compact JSON ``{"v":1,"o":org,"r":review,"l":link,"e":expiry unix seconds}``. It is signed,
not encrypted: whoever holds the link can read the organisation and review ids in it (never anything
else), and nobody without the stack's key can make or change one. The signature is checked first, in
constant time (``hmac.compare_digest``), before anything in the payload is trusted; the caller then checks
the expiry and the link's record (revoked or not) on every use.

The key is the stack's own secret (Secrets Manager); rotating it invalidates every link made before.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime

VERSION = 1
CONTEXT = b"ffo-review-link.v1."
"""Signed with the payload, so a MAC made with this key for anything else never verifies as a link."""
MAX_TOKEN_CHARS = 1024
MIN_KEY_BYTES = 32


class BadLinkToken(Exception):
    """Malformed, or its signature does not verify: nothing in it can be trusted."""


@dataclass(frozen=True)
class LinkClaims:
    org_id: str
    review_id: str
    link_id: str
    expires_at: datetime


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode((text + "=" * (-len(text) % 4)).encode("ascii"))


def _mac(key: bytes, payload: str) -> bytes:
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"a link signing key needs at least {MIN_KEY_BYTES} bytes")
    return hmac.new(key, CONTEXT + payload.encode("ascii"), hashlib.sha256).digest()


def sign(key: bytes, claims: LinkClaims) -> str:
    document = {
        "v": VERSION,
        "o": claims.org_id,
        "r": claims.review_id,
        "l": claims.link_id,
        "e": int(claims.expires_at.timestamp()),
    }
    payload = _b64(json.dumps(document, separators=(",", ":"), sort_keys=True).encode("utf-8"))
    return f"{payload}.{_b64(_mac(key, payload))}"


def verify(key: bytes, token: str) -> LinkClaims:
    """The claims of a token signed with ``key``; BadLinkToken otherwise. The expiry is not checked here."""
    if not token or len(token) > MAX_TOKEN_CHARS or token.count(".") != 1 or not token.isascii():
        raise BadLinkToken("not a link token")
    payload, signature = token.split(".")
    try:
        given = _unb64(signature)
    except (binascii.Error, ValueError) as error:
        raise BadLinkToken("not a link token") from error
    if _b64(given) != signature:  # one encoding per signature: no other spelling of a valid token is accepted
        raise BadLinkToken("not a link token")
    if not hmac.compare_digest(given, _mac(key, payload)):
        raise BadLinkToken("the link's signature does not verify")
    try:
        document = json.loads(_unb64(payload))
        if not isinstance(document, dict) or document.get("v") != VERSION:
            raise BadLinkToken("not a link token of this version")
        fields = (document["o"], document["r"], document["l"])
        if not all(isinstance(f, str) and f for f in fields) or not isinstance(document["e"], int):
            raise BadLinkToken("not a link token")
        return LinkClaims(
            org_id=document["o"],
            review_id=document["r"],
            link_id=document["l"],
            expires_at=datetime.fromtimestamp(document["e"], UTC),
        )
    except (binascii.Error, ValueError, KeyError, OverflowError, OSError) as error:
        raise BadLinkToken("not a link token") from error
