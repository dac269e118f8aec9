"""``GET /v1/budget`` and ``PUT /v1/budget``: the organisation's monthly budget, what is held and spent
this month, and changing the monthly limit (admin role).

Limit, spent, reserved and available come from the budget's month item, the figures every reservation
and settlement moves atomically. Open holds are listed from that item too. The month item keeps no
per-medium split, so ``byMedium`` sums the recorded cost of the versions stored this month (their
provenance records): the cost of calls whose output was stored, not of failed or cancelled calls, and
``byMediumComplete`` is false when there were more records than one answer reads.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import Field

from flashfusion.app.api_models import ApiModel
from flashfusion.app.caller import Caller
from flashfusion.app.deps import Deps
from flashfusion.app.roles import require_admin
from flashfusion.modelbase import CamelModel
from flashfusion.models import ContentType
from flashfusion.storage.budgets import month_of

MAX_MONTHLY_LIMIT_USD = 10_000_000.0
MAX_RECORDS_FOR_MEDIUM = 2000
"""Provenance records one answer sums for byMedium at most (20 pages of 100)."""


class BudgetLimit(CamelModel):
    """What ``PUT /v1/budget`` takes."""

    monthly_limit_usd: float = Field(ge=0, le=MAX_MONTHLY_LIMIT_USD, allow_inf_nan=False)


class Hold(ApiModel):
    reservation_id: str
    request_id: str
    amount_usd: float


class MediumSpend(ApiModel):
    medium: ContentType
    recorded_usd: float = Field(description="the recorded cost of this month's stored versions of this medium")
    versions: int


class Budget(ApiModel):
    month: str = Field(description="YYYY-MM, UTC")
    limit_usd: float
    spent_usd: float = Field(description="settled this month")
    reserved_usd: float = Field(description="held for calls in flight")
    available_usd: float = Field(description="limit minus spent minus reserved")
    holds: list[Hold] = Field(default_factory=list, description="the open reservations behind reservedUsd")
    by_medium: list[MediumSpend] = Field(default_factory=list)
    by_medium_complete: bool = Field(description="false when this month had more stored versions than were summed")


def budget(caller: Caller, deps: Deps) -> Budget:
    month = month_of()
    status = deps.budgets.status(caller.org_id, month)
    holds = [
        Hold(reservation_id=rid, request_id=rid.split(".", 1)[0], amount_usd=usd)
        for rid, usd in sorted(deps.budgets.reservations(caller.org_id, month).items())
    ]
    by_medium, complete = _by_medium(caller.org_id, month, deps)
    return Budget(
        month=month,
        limit_usd=status.limit_usd,
        spent_usd=status.spent_usd,
        reserved_usd=status.reserved_usd,
        available_usd=status.available_usd,
        holds=holds,
        by_medium=by_medium,
        by_medium_complete=complete,
    )


def _by_medium(org_id: str, month: str, deps: Deps) -> tuple[list[MediumSpend], bool]:
    year, number = (int(part) for part in month.split("-"))
    since = datetime(year, number, 1, tzinfo=UTC)
    following = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=UTC)
    until = following - timedelta(microseconds=1)
    usd: dict[str, float] = {}
    count: dict[str, int] = {}
    start: dict[str, Any] | None = None
    read = 0
    while read < MAX_RECORDS_FOR_MEDIUM:
        records, start = deps.provenance.audit(org_id, since=since, until=until, limit=100, start_key=start)
        read += len(records)
        for record in records:
            medium = record.content_type.value
            usd[medium] = usd.get(medium, 0.0) + record.cost.usd
            count[medium] = count.get(medium, 0) + 1
        if not start:
            break
    spends = [MediumSpend(medium=ContentType(m), recorded_usd=round(usd[m], 6), versions=count[m]) for m in sorted(usd)]
    return spends, start is None


def set_limit(caller: Caller, wanted: BudgetLimit, deps: Deps) -> Budget:
    require_admin(caller, deps, "changing the budget")
    deps.budgets.set_monthly_limit(caller.org_id, wanted.monthly_limit_usd)
    return budget(caller, deps)
