"""``GET /local/token?org=…&sub=…&groups=a,b``: ``ffo serve`` signs a person in without the CLI.

Only ``ffo serve`` answers it (on 127.0.0.1, with the local issuer's key, so the token is one its own JWT
authorizer accepts); the deployed API has no such route (it is not in template.yaml, and API Gateway
answers 404 for it). The console's local sign-in page calls it and keeps the token as a bearer token.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable
from typing import Any

PATH = "/local/token"
ORG = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
"""The organisation ids the API accepts (flashfusion.app.submissions.ORG_ID)."""
SUB = re.compile(r"^[A-Za-z0-9._@+:-]{1,128}$")
GROUP = re.compile(r"^[A-Za-z0-9._:@+-]{1,128}$")
MAX_GROUPS = 20
TTL_SECONDS = 8 * 3600
"""A working day: the console asks again when the API answers 401."""

Minter = Callable[[str, str, list[str], int], str]
"""(org, sub, groups, ttl seconds) -> a JWT of the local issuer."""


def answer(query: str, mint: Minter) -> tuple[int, dict[str, Any]]:
    """The status and JSON body for the query string: a token, or 400 with what is wrong."""
    values: dict[str, list[str]] = {}
    for name, value in urllib.parse.parse_qsl(query, keep_blank_values=True):
        values.setdefault(name, []).append(value)
    org = (values.get("org") or [""])[0]
    sub = (values.get("sub") or [""])[0]
    groups = sorted({g.strip() for v in values.get("groups", []) for g in v.split(",") if g.strip()})
    errors = []
    if not ORG.match(org):
        errors.append({"field": "org", "problem": "an organisation id: 1-64 of A-Z a-z 0-9 . _ -"})
    if not SUB.match(sub):
        errors.append({"field": "sub", "problem": "a user id: 1-128 of A-Z a-z 0-9 . _ @ + : -"})
    if len(groups) > MAX_GROUPS or not all(GROUP.match(g) for g in groups):
        errors.append({"field": "groups", "problem": f"up to {MAX_GROUPS} comma-separated group names"})
    if errors:
        return 400, {"message": "cannot make a local token", "errors": errors}
    token = mint(org, sub, groups, TTL_SECONDS)
    return 200, {
        "token": token,
        "tokenType": "Bearer",
        "expiresIn": TTL_SECONDS,
        "org": org,
        "sub": sub,
        "groups": groups,
    }
