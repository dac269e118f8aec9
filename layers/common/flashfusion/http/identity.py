"""Who is calling: organisation, user and roles from the JWT authorizer's claims, never from the body."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flashfusion.errors import InvalidRequest
from flashfusion.settings import Settings


@dataclass(frozen=True)
class Caller:
    org_id: str
    user_id: str
    groups: frozenset[str]

    def has_role(self, group: str) -> bool:
        return group in self.groups


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
    from flashfusion.submissions import check_org

    check_org(caller.org_id)
    if not caller.user_id:
        raise InvalidRequest("the caller has no user id", [{"field": "sub", "problem": "missing from the token"}])
    return caller.org_id
