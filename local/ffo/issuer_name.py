"""The local issuer's name, without the issuer (and joserfc): the engine trusts it by name alone."""

from __future__ import annotations

LOCAL_ISSUER = "https://issuer.ffo.localhost"
"""A name under .localhost (reserved, never resolves elsewhere); the same whatever port ``ffo serve`` uses,
so a token minted before the server starts is accepted by it."""
