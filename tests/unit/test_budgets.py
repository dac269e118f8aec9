"""Budgets: reserve, settle, release; and 50 concurrent reservations never exceed the limit."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import boto3
import pytest
from moto import mock_aws

from ffo.cfn import load_template
from flashfusion.storage import keys
from flashfusion.storage.budgets import BudgetRepository, month_of
from tests.helpers import ORG, ROOT

LIMIT = 1.0


@pytest.fixture
def table() -> Iterator[Any]:
    props = load_template(ROOT / "template.yaml")["Resources"]["AppTable"]["Properties"]
    with mock_aws():
        dynamodb = boto3.resource("dynamodb", region_name="us-east-1")
        yield dynamodb.create_table(
            TableName="budgets",
            AttributeDefinitions=props["AttributeDefinitions"],
            KeySchema=props["KeySchema"],
            GlobalSecondaryIndexes=props["GlobalSecondaryIndexes"],
            BillingMode="PAY_PER_REQUEST",
        )


@pytest.fixture
def budgets(table: Any) -> BudgetRepository:
    return BudgetRepository(table, default_limit_usd=LIMIT)


def race(count: int, action: Any) -> list[Any]:
    """Run ``action(i)`` on ``count`` threads released together."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count
    errors: list[BaseException] = []

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = action(i)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a racing thread did not finish"
    assert not errors, errors
    return results


def test_reserve_settle_release_move_the_numbers(budgets: BudgetRepository) -> None:
    assert budgets.reserve(ORG, "r1", 0.30)
    assert budgets.reserve(ORG, "r2", 0.20)
    status = budgets.status(ORG)
    assert (status.reserved_usd, status.available_usd) == (pytest.approx(0.5), pytest.approx(0.5))

    assert budgets.settle(ORG, "r1", 0.12)
    assert budgets.release(ORG, "r2")
    status = budgets.status(ORG)
    assert status.spent_usd == pytest.approx(0.12)
    assert status.reserved_usd == pytest.approx(0.0)
    assert status.available_usd == pytest.approx(LIMIT - 0.12)


def test_reservation_that_does_not_fit_is_refused(budgets: BudgetRepository) -> None:
    assert budgets.reserve(ORG, "big", 0.9)
    assert not budgets.reserve(ORG, "too-much", 0.2)
    assert budgets.status(ORG).reserved_usd == pytest.approx(0.9)


def test_operations_are_idempotent(budgets: BudgetRepository) -> None:
    assert budgets.reserve(ORG, "r1", 0.4)
    assert budgets.reserve(ORG, "r1", 0.4)  # a retried Lambda: same answer, no second hold
    assert budgets.status(ORG).reserved_usd == pytest.approx(0.4)
    assert budgets.settle(ORG, "r1", 0.3)
    assert not budgets.settle(ORG, "r1", 0.3)
    assert not budgets.release(ORG, "r1")
    assert budgets.status(ORG).spent_usd == pytest.approx(0.3)


def test_actual_cost_above_the_estimate_is_recorded(budgets: BudgetRepository) -> None:
    assert budgets.reserve(ORG, "r1", 0.1)
    assert budgets.settle(ORG, "r1", 0.15)
    status = budgets.status(ORG)
    assert status.spent_usd == pytest.approx(0.15)
    assert status.available_usd == pytest.approx(LIMIT - 0.15)


def test_limit_per_org_and_change_mid_month(budgets: BudgetRepository) -> None:
    assert budgets.reserve(ORG, "r1", 0.5)
    budgets.set_monthly_limit(ORG, 2.0)
    status = budgets.status(ORG)
    assert (status.limit_usd, status.available_usd) == (2.0, pytest.approx(1.5))
    assert budgets.status("globex").available_usd == LIMIT  # another org is untouched


def test_status_of_a_month_with_no_activity_is_the_full_limit(budgets: BudgetRepository) -> None:
    budgets.set_monthly_limit(ORG, 7.5)
    status = budgets.status(ORG, "2020-01")
    assert (status.limit_usd, status.spent_usd, status.available_usd) == (7.5, 0.0, 7.5)


@pytest.mark.usefixtures("item_atomic_moto")
def test_fifty_concurrent_reservations_never_exceed_the_budget(budgets: BudgetRepository) -> None:
    amount = 0.03  # 50 x 0.03 = 1.50 asked of a 1.00 budget
    granted = race(50, lambda i: budgets.reserve(ORG, f"req-{i}", amount))

    status = budgets.status(ORG)
    assert sum(granted) == int(LIMIT / amount)  # exactly as many as fit: 33
    assert status.reserved_usd == pytest.approx(sum(granted) * amount)
    assert status.reserved_usd <= LIMIT
    assert status.available_usd >= 0


@pytest.mark.usefixtures("item_atomic_moto")
def test_fifty_concurrent_settlements_and_releases_balance(budgets: BudgetRepository) -> None:
    for i in range(50):
        assert budgets.reserve(ORG, f"req-{i}", 0.02)

    race(50, lambda i: budgets.settle(ORG, f"req-{i}", 0.01) if i % 2 else budgets.release(ORG, f"req-{i}"))

    status = budgets.status(ORG)
    assert status.reserved_usd == pytest.approx(0.0)
    assert status.spent_usd == pytest.approx(25 * 0.01)
    assert status.available_usd == pytest.approx(LIMIT - 25 * 0.01)


@pytest.mark.usefixtures("item_atomic_moto")
def test_the_race_test_catches_a_read_then_write_budget(table: Any) -> None:
    """Control: the same race against a naive check-then-write overspends, so the test above can fail."""
    month_key = keys.budget_month_key(ORG, month_of())
    table.put_item(Item={**month_key, "availableUsd": Decimal("1.0"), "reservedUsd": Decimal(0)})

    def naive(i: int) -> bool:
        item = table.get_item(Key=month_key, ConsistentRead=True)["Item"]
        if item["availableUsd"] < Decimal("0.03"):
            return False
        threading.Event().wait(0.001)  # the gap between read and write that real traffic has
        table.put_item(
            Item={
                **month_key,
                "availableUsd": item["availableUsd"] - Decimal("0.03"),
                "reservedUsd": item["reservedUsd"] + Decimal("0.03"),
            }
        )
        return True

    granted = race(50, naive)
    assert sum(granted) * 0.03 > LIMIT
