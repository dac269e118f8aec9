"""Who is calling (organisation, user and roles from the JWT authorizer's claims, never from the body), and
the request's body and query, read the same way by every router."""

from __future__ import annotations

from typing import Any

from flashfusion.app.caller import Caller
from flashfusion.app.submissions import check_org
from flashfusion.errors import InvalidRequest
from flashfusion.settings import Settings

__all__ = ["Caller", "caller_of", "json_body", "query", "require_org"]


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
    check_org(caller.org_id)
    if not caller.user_id:
        raise InvalidRequest("the caller has no user id", [{"field": "sub", "problem": "missing from the token"}])
    return caller.org_id


def json_body(event: Any) -> Any:
    """The request body as JSON; a body that is not JSON is a 400 like any other invalid request."""
    try:
        return event.json_body
    except ValueError as error:
        raise InvalidRequest("the body is not valid JSON", [{"field": "body", "problem": "not valid JSON"}]) from error


def query(event: Any) -> dict[str, str]:
    return dict(event.query_string_parameters or {})
