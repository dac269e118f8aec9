"""Who is asking: the organisation, user and roles a front door (the API's token, the CLI) vouches for."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Caller:
    org_id: str
    user_id: str
    groups: frozenset[str]

    def has_role(self, group: str) -> bool:
        return group in self.groups
