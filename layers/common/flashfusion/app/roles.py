"""Role checks the use cases share: the caller's groups come from the token (``Caller``)."""

from __future__ import annotations

from flashfusion.app.caller import Caller
from flashfusion.app.deps import Deps
from flashfusion.errors import Forbidden


def require_admin(caller: Caller, deps: Deps, what: str) -> None:
    """Forbidden (403) unless the caller is in the deployment's admin group (template AdminGroup)."""
    if not caller.has_role(deps.settings.admin_group):
        raise Forbidden(f"{what} needs the {deps.settings.admin_group!r} group")
