"""``GET /v1/me``: who the console's signed-in person is, as the API sees them (from the token only)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from flashfusion.app.caller import Caller
from flashfusion.app.submissions import check_org
from flashfusion.modelbase import CamelModel
from flashfusion.settings import Settings

Role = Literal["reviewer", "admin"]


class Me(CamelModel):
    """The caller: user, organisation, groups and the roles those groups give here."""

    sub: str = Field(description="the user id (the token's sub)")
    org_id: str
    groups: list[str] = Field(description="the token's groups, sorted")
    roles: list[Role] = Field(description="reviewer: may decide reviews; admin: may change account settings")
    reviewer_group: str = Field(description="the group that gives the reviewer role in this deployment")
    admin_group: str = Field(description="the group that gives the admin role in this deployment")


def me(caller: Caller, settings: Settings) -> Me:
    check_org(caller.org_id)
    roles: list[Role] = []
    if caller.has_role(settings.reviewer_group):
        roles.append("reviewer")
    if caller.has_role(settings.admin_group):
        roles.append("admin")
    return Me(
        sub=caller.user_id,
        org_id=caller.org_id,
        groups=sorted(caller.groups),
        roles=roles,
        reviewer_group=settings.reviewer_group,
        admin_group=settings.admin_group,
    )
