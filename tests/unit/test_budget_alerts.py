"""The budget's share as a metric after each settlement, and each threshold announced once a month."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from moto import mock_aws

from flashfusion.app import budget_alerts
from flashfusion.storage.budgets import BudgetRepository
from tests.helpers import ORG


class Deps:
    """What after_spend uses of Deps: the budgets and emit."""

    def __init__(self, budgets: BudgetRepository) -> None:
        self.budgets = budgets
        self.events: list[tuple[str, dict[str, Any]]] = []

    def emit(self, detail_type: str, detail: dict[str, Any]) -> None:
        self.events.append((detail_type, detail))


@pytest.fixture
def deps() -> Iterator[Deps]:
    import boto3

    from ffo.cfn import load_template
    from tests.helpers import ROOT

    with mock_aws():
        table_spec = load_template(ROOT / "template.yaml")["Resources"]["AppTable"]["Properties"]
        dynamodb = boto3.resource("dynamodb", region_name="us-east-1")
        table = dynamodb.create_table(
            TableName="t",
            KeySchema=table_spec["KeySchema"],
            AttributeDefinitions=table_spec["AttributeDefinitions"],
            GlobalSecondaryIndexes=table_spec.get("GlobalSecondaryIndexes", []),
            BillingMode="PAY_PER_REQUEST",
        )
        yield Deps(BudgetRepository(table, 10.0))


def spend(deps: Deps, reservation: str, usd: float) -> list[int]:
    assert deps.budgets.reserve(ORG, reservation, usd)
    assert deps.budgets.settle(ORG, reservation, usd)
    return budget_alerts.after_spend(deps, ORG)  # type: ignore[arg-type]


def test_each_threshold_is_announced_once_when_first_passed(deps: Deps, capsys: pytest.CaptureFixture[str]) -> None:
    assert spend(deps, "r1.0", 7.0) == []
    assert spend(deps, "r2.0", 1.5) == [80]
    assert spend(deps, "r3.0", 0.5) == []
    assert spend(deps, "r4.0", 1.0) == [100]
    assert [(t, d["thresholdPercent"]) for t, d in deps.events] == [
        ("BudgetThresholdReached", 80),
        ("BudgetThresholdReached", 100),
    ]
    first = deps.events[0][1]
    assert first["orgId"] == ORG
    assert first["spentUsd"] == 8.5
    assert first["limitUsd"] == 10.0
    blobs = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    used = [b for b in blobs if "BudgetUsedPercent" in b]
    assert [b["BudgetUsedPercent"] for b in used] == [[70.0], [85.0], [90.0], [100.0]]
    assert all(b["OrgId"] == ORG and b["service"] == "flashfusion" for b in used)
    (directive,) = used[0]["_aws"]["CloudWatchMetrics"]
    # the alarm's query reads SCHEMA(FlashFusion, OrgId, service): exactly these two dimensions
    assert sorted(directive["Dimensions"][0]) == ["OrgId", "service"]


def test_a_jump_past_both_thresholds_announces_both(deps: Deps) -> None:
    assert spend(deps, "r1.0", 10.0) == [80, 100]


def test_racing_settlements_announce_a_threshold_once(deps: Deps) -> None:
    spend(deps, "r1.0", 9.0)
    assert deps.budgets.mark_threshold(ORG, deps.budgets.status(ORG).month, 80) is False
    assert len(deps.events) == 1


def test_used_percent_of_a_zero_limit() -> None:
    assert budget_alerts.used_percent(0.0, 0.0) == 0.0
    assert budget_alerts.used_percent(0.01, 0.0) == 100.0
