"""Who is calling (organisation, user and roles from the JWT authorizer's claims, never from the body), and
the request's body and query, read the same way by every router."""

from __future__ import annotations

import re
from itertools import accumulate
from typing import Any

from flashfusion.app.caller import Caller
from flashfusion.app.submissions import ORG_ID
from flashfusion.errors import InvalidRequest, Unauthenticated
from flashfusion.settings import Settings

__all__ = ["Caller", "authenticated", "caller_of", "json_body", "query", "require_org"]


def _groups(raw: Any) -> frozenset[str]:
    # API Gateway hands list claims over as "[a b]" or "a,b" strings; Cognito groups come as a list.
    if isinstance(raw, list | tuple):
        return frozenset(str(g) for g in raw)
    text = str(raw or "").strip().strip("[]")
    return frozenset(part for part in text.replace(",", " ").split() if part)


def caller_of(event: Any, settings: Settings) -> Caller:
    """The caller of an APIGatewayProxyEventV2 (Powertools' current_event)."""
    claims = event.request_context.authorizer.jwt_claim or {}
    return Caller(
        org_id=str(claims.get(settings.org_claim, "")),
        user_id=str(claims.get("sub", "")),
        groups=_groups(claims.get(settings.groups_claim)),
    )


def require_org(caller: Caller) -> str:
    """The caller's organisation; Unauthenticated (401) unless the token names a user (``sub``) and a
    well-formed organisation. The one identity rule every route applies (through ``authenticated``)."""
    if not caller.user_id.strip():
        raise Unauthenticated("the token has no subject (sub)")
    if not caller.org_id:
        raise Unauthenticated("the token has no organisation claim")
    if not ORG_ID.match(caller.org_id):
        raise Unauthenticated("the token's organisation claim is malformed")
    return caller.org_id


def authenticated(event: Any, settings: Settings) -> Caller:
    """The caller of a request, refused with a 401 unless ``require_org`` holds: every router reads its
    caller through this, never ``caller_of`` directly."""
    caller = caller_of(event, settings)
    require_org(caller)
    return caller


MAX_JSON_DEPTH = 64
"""The deepest nesting of arrays and objects a body may have; no model of ours nests nearly as deep."""
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_BRACKET_STEP = bytes.maketrans(b"[{]}", bytes([1, 1, 255, 255]))
"""Opening brackets as 1 and closing ones as -1, read as signed bytes."""


def json_depth(text: str) -> int:
    """How deep the arrays and objects of ``text`` nest (strings skipped), counted without recursion: the
    highest running sum of +1 per opening and -1 per closing bracket. Summed in C (regex, translate, accumulate):
    a Python loop over the brackets took ~0.5 s on a hostile 200 kB body of them, and it runs twice a request."""
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text)).encode("ascii").translate(_BRACKET_STEP)
    return max(accumulate(memoryview(brackets).cast("b"), initial=0))


def json_body(event: Any) -> Any:
    """The request body as JSON; a body that is not JSON, or nests deeper than MAX_JSON_DEPTH, is a 400."""
    try:
        text = event.decoded_body
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        if text and json_depth(text) > MAX_JSON_DEPTH:
            raise InvalidRequest(
                f"the body nests deeper than {MAX_JSON_DEPTH} levels",
                [{"field": "body", "problem": f"nested deeper than {MAX_JSON_DEPTH} levels"}],
            )
        return event.json_body
    except (ValueError, RecursionError) as error:
        raise InvalidRequest("the body is not valid JSON", [{"field": "body", "problem": "not valid JSON"}]) from error


def query(event: Any) -> dict[str, str]:
    return dict(event.query_string_parameters or {})
