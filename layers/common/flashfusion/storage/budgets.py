"""Monthly USD budgets per organisation: reserve before a call, settle after, release on failure.

Everything happens on one item per organisation and month, so every change is a single conditional
UpdateItem, which DynamoDB applies atomically (no transaction needed). Condition expressions cannot
add, so the item keeps ``availableUsd`` (limit minus spent minus reserved) next to the parts: a
reservation is a conditional decrement of it, so concurrent reservations can never take more than
the limit. Open reservations live in the item's ``reservations`` map, keyed by reservation id, which
makes reserve, settle and release idempotent: a retried Lambda does each once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from botocore.exceptions import ClientError

from flashfusion.models import utcnow
from flashfusion.storage import keys


def money(value: float) -> Decimal:
    return Decimal(str(round(value, 6)))


LIMIT_CHANGE_ATTEMPTS = 5
"""How often a limit change re-reads the month when concurrent changes keep beating it."""


def month_of(moment: datetime | None = None) -> str:
    return (moment or utcnow()).strftime("%Y-%m")


@dataclass(frozen=True)
class BudgetStatus:
    org_id: str
    month: str
    limit_usd: float
    spent_usd: float
    reserved_usd: float
    available_usd: float


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


Ledger = Literal["main", "speculative"]
"""main: the organisation's budget; speculative: the sub-ledger of pre-generated requests (flashfusion.app.prefetch),
capped on its own and never drawn from the main budget."""


class BudgetRepository:
    def __init__(self, table: Any, default_limit_usd: float, ledger: Ledger = "main") -> None:
        self.table = table
        self.default_limit_usd = default_limit_usd
        self.ledger = ledger

    def _config_key(self, org_id: str) -> dict[str, str]:
        if self.ledger == "speculative":
            return keys.speculative_budget_config_key(org_id)
        return keys.budget_config_key(org_id)

    def _month_key(self, org_id: str, month: str) -> dict[str, str]:
        if self.ledger == "speculative":
            return keys.speculative_budget_month_key(org_id, month)
        return keys.budget_month_key(org_id, month)

    def limit(self, org_id: str) -> float:
        item = self.table.get_item(Key=self._config_key(org_id)).get("Item")
        return float(item["monthlyLimitUsd"]) if item else self.default_limit_usd

    def set_monthly_limit(self, org_id: str, limit_usd: float, month: str | None = None) -> None:
        """Change the limit from this month on; this month's available amount moves by the difference.

        Two changes racing each other: the loser reads the month again and applies its own limit on top
        (the last write wins, and available always equals limit minus spent minus reserved)."""
        month = month or month_of()
        self.table.put_item(Item={**self._config_key(org_id), "monthlyLimitUsd": money(limit_usd)})
        for _ in range(LIMIT_CHANGE_ATTEMPTS):
            current = self._month_item(org_id, month)
            if current is None:
                return
            delta = money(limit_usd) - Decimal(str(current["limitUsd"]))
            try:
                self.table.update_item(
                    Key=self._month_key(org_id, month),
                    UpdateExpression="SET limitUsd = :new, availableUsd = availableUsd + :delta",
                    ConditionExpression="limitUsd = :old",
                    ExpressionAttributeValues={
                        ":new": money(limit_usd),
                        ":delta": delta,
                        ":old": current["limitUsd"],
                    },
                )
            except ClientError as error:
                if _code(error) != "ConditionalCheckFailedException":
                    raise
                continue
            return
        raise RuntimeError(f"the budget limit of {org_id} kept changing under {LIMIT_CHANGE_ATTEMPTS} attempts")

    def reservations(self, org_id: str, month: str | None = None) -> dict[str, float]:
        """The month's open holds: reservation id (``<requestId>.<n>``) -> USD held."""
        item = self._month_item(org_id, month or month_of()) or {}
        return {str(k): float(v) for k, v in (item.get("reservations") or {}).items()}

    def _month_item(self, org_id: str, month: str) -> dict[str, Any] | None:
        item: dict[str, Any] | None = self.table.get_item(Key=self._month_key(org_id, month), ConsistentRead=True).get(
            "Item"
        )
        return item

    def _ensure_month(self, org_id: str, month: str) -> None:
        limit = money(self.limit(org_id))
        try:
            self.table.put_item(
                Item={
                    **self._month_key(org_id, month),
                    "limitUsd": limit,
                    "spentUsd": Decimal(0),
                    "reservedUsd": Decimal(0),
                    "availableUsd": limit,
                    "reservations": {},
                },
                ConditionExpression="attribute_not_exists(PK)",
            )
        except ClientError as error:
            if _code(error) != "ConditionalCheckFailedException":
                raise

    def status(self, org_id: str, month: str | None = None) -> BudgetStatus:
        month = month or month_of()
        item = self._month_item(org_id, month)
        if item is None:
            limit = self.limit(org_id)
            return BudgetStatus(org_id, month, limit, 0.0, 0.0, limit)
        return BudgetStatus(
            org_id,
            month,
            float(item["limitUsd"]),
            float(item["spentUsd"]),
            float(item["reservedUsd"]),
            float(item["availableUsd"]),
        )

    def reserve(self, org_id: str, reservation_id: str, amount_usd: float) -> bool:
        """Hold ``amount_usd`` of this month's budget; False if it does not fit. Idempotent per id."""
        month = month_of()
        self._ensure_month(org_id, month)
        try:
            self.table.update_item(
                Key=self._month_key(org_id, month),
                UpdateExpression="SET availableUsd = availableUsd - :a, reservedUsd = reservedUsd + :a, "
                "reservations.#r = :a",
                ConditionExpression="availableUsd >= :a AND attribute_not_exists(reservations.#r)",
                ExpressionAttributeNames={"#r": reservation_id},
                ExpressionAttributeValues={":a": money(amount_usd)},
            )
        except ClientError as error:
            if _code(error) != "ConditionalCheckFailedException":
                raise
            return reservation_id in (self._month_item(org_id, month) or {}).get("reservations", {})
        return True

    def settle(self, org_id: str, reservation_id: str, actual_usd: float) -> bool:
        """Turn a reservation into spending of ``actual_usd``; False if it was already closed."""
        return self._close(org_id, reservation_id, money(actual_usd))

    def release(self, org_id: str, reservation_id: str) -> bool:
        """Give a reservation back untouched (the call failed); False if it was already closed."""
        return self._close(org_id, reservation_id, Decimal(0))

    def release_request(self, org_id: str, request_id: str) -> list[str]:
        """Give back every hold a request still has (its reservation ids begin with its id); which ones."""
        held = {
            reservation_id
            for month in (month_of(), _previous(month_of()))
            for reservation_id in (self._month_item(org_id, month) or {}).get("reservations", {})
            if reservation_id.startswith(f"{request_id}.")
        }
        return sorted(r for r in held if self.release(org_id, r))

    def mark_threshold(self, org_id: str, month: str, percent: int) -> bool:
        """Record that the month passed ``percent`` % of its limit; True only for the first caller (so the
        threshold is announced once a month, however many settlements race past it)."""
        try:
            self.table.update_item(
                Key=self._month_key(org_id, month),
                UpdateExpression="SET #a = :now",
                ConditionExpression="attribute_exists(PK) AND attribute_not_exists(#a)",
                ExpressionAttributeNames={"#a": f"thresholdAlerted{percent}"},
                ExpressionAttributeValues={":now": utcnow().isoformat()},
            )
        except ClientError as error:
            if _code(error) != "ConditionalCheckFailedException":
                raise
            return False
        return True

    def _close(self, org_id: str, reservation_id: str, actual: Decimal) -> bool:
        # The reservation may belong to last month (a request that straddled midnight UTC).
        for month in (month_of(), _previous(month_of())):
            item = self._month_item(org_id, month) or {}
            amount = item.get("reservations", {}).get(reservation_id)
            if amount is None:
                continue
            try:
                self.table.update_item(
                    Key=self._month_key(org_id, month),
                    UpdateExpression="SET reservedUsd = reservedUsd - :a, spentUsd = spentUsd + :x, "
                    "availableUsd = availableUsd + :a - :x REMOVE reservations.#r",
                    ConditionExpression="reservations.#r = :a",
                    ExpressionAttributeNames={"#r": reservation_id},
                    ExpressionAttributeValues={":a": Decimal(str(amount)), ":x": actual},
                )
            except ClientError as error:
                if _code(error) == "ConditionalCheckFailedException":
                    return False  # closed meanwhile by a concurrent retry
                raise
            return True
        return False


def _previous(month: str) -> str:
    year, number = (int(part) for part in month.split("-"))
    return f"{year - 1}-12" if number == 1 else f"{year}-{number - 1:02d}"
