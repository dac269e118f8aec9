"""GET /v1/models (the effective model matrix) and GET/PUT /v1/budget (the month's figures; the monthly
limit, admin role), each organisation seeing and changing only its own budget."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.api.library_helpers import error_code, error_fields, store_version
from tests.helpers import ORG, OTHER_ORG, body_of, claims

ADMIN = {**claims(), "cognito:groups": "[admins]"}
OTHER_ADMIN = {**claims(OTHER_ORG), "cognito:groups": "[admins]"}


def call(
    engine: Any, method: str, path: str, caller: dict[str, Any] | None = None, body: Any = None
) -> tuple[int, Any]:
    response = engine.api(method, path, body, claims() if caller is None else caller)
    return response["statusCode"], body_of(response) if response.get("body") else None


# GET /v1/models -----------------------------------------------------------------------------------
def test_models_enabled_here_are_the_local_ones_and_the_others_say_why(engine: Any) -> None:
    status, catalog = call(engine, "GET", "/v1/models")

    assert status == 200, catalog
    rows = {r["id"]: r for r in catalog["items"]}
    assert catalog["matrixVersion"]
    enabled = {i for i, r in rows.items() if r["enabled"]}
    assert enabled == {i for i, r in rows.items() if r["provider"] == "local"}
    gpt = rows["openai/gpt-5-mini"]
    assert gpt["enabled"] is False
    assert any("not enabled in this deployment" in why for why in gpt["disabledReasons"])
    assert {p["unit"] for p in gpt["prices"]} == {"per_million_input_tokens", "per_million_output_tokens"}
    assert gpt["latencyClass"] == "fast"
    switched_off = rows["midjourney/v6"]
    assert any("switched off in the model matrix" in why for why in switched_off["disabledReasons"])
    dalle = rows["openai/dall-e-3"]
    assert {(p["variant"], p["usd"]) for p in dalle["prices"]} >= {("1024x1024/standard", 0.04)}
    assert all(p["unit"] == "per_image" for p in dalle["prices"])
    music = rows["replicate/musicgen-large"]
    assert {p["unit"] for p in music["prices"]} == {"per_second", "per_compute_second"}
    assert all(r["disabledReasons"] == [] for r in rows.values() if r["enabled"])


def test_models_follow_the_deployment_s_providers_and_say_when_no_adapter_exists(engine: Any, tmp_path: Path) -> None:
    from flashfusion.routing.matrix import default_matrix_text

    matrix = json.loads(default_matrix_text())
    matrix["models"].append(
        {"id": "acme/text-1", "provider": "acme", "vendorModel": "t1", "medium": "text", "tier": "basic"}
    )
    path = tmp_path / "matrix.json"
    path.write_text(json.dumps(matrix), "utf-8")
    with engine.configured({"ENABLED_PROVIDERS": "local,openai,acme", "MODEL_MATRIX_PATH": str(path)}):
        status, catalog = call(engine, "GET", "/v1/models?medium=text")

    assert status == 200, catalog
    rows = {r["id"]: r for r in catalog["items"]}
    assert {r["medium"] for r in rows.values()} == {"text"}
    assert rows["openai/gpt-5-mini"]["enabled"] is True
    assert rows["acme/text-1"]["enabled"] is False
    assert rows["acme/text-1"]["disabledReasons"] == ["no adapter for provider 'acme' in this build"]
    assert rows["gemini/gemini-2.5-flash"]["enabled"] is False


@pytest.mark.parametrize(("query", "field"), [("medium=podcast", "medium"), ("tier=gold", "tier")])
def test_a_malformed_model_filter_is_a_400_naming_it(engine: Any, query: str, field: str) -> None:
    status, answer = call(engine, "GET", f"/v1/models?{query}")
    assert status == 400, answer
    assert error_fields(answer)[0] == field


def test_models_filter_by_tier(engine: Any) -> None:
    status, catalog = call(engine, "GET", "/v1/models?medium=image&tier=premium")
    assert status == 200, catalog
    assert catalog["items"]
    assert {(r["medium"], r["tier"]) for r in catalog["items"]} == {("image", "premium")}


# GET/PUT /v1/budget -------------------------------------------------------------------------------
def test_the_budget_shows_the_month_s_figures_and_the_holds_behind_reserved(engine: Any) -> None:
    from flashfusion.wiring import get_deps

    budgets = get_deps().budgets
    budgets.set_monthly_limit(ORG, 50.0)
    assert budgets.reserve(ORG, "req-a.0", 2.5)
    assert budgets.reserve(ORG, "req-b.r1.0", 1.0)
    assert budgets.settle(ORG, "req-b.r1.0", 0.75)

    status, budget = call(engine, "GET", "/v1/budget")

    assert status == 200, budget
    assert budget["limitUsd"] == 50.0
    assert budget["spentUsd"] == 0.75
    assert budget["reservedUsd"] == 2.5
    assert budget["availableUsd"] == 50.0 - 0.75 - 2.5
    assert budget["holds"] == [{"reservationId": "req-a.0", "requestId": "req-a", "amountUsd": 2.5}]
    assert len(budget["month"]) == 7


def test_the_budget_sums_this_month_s_stored_versions_by_medium(engine: Any) -> None:
    from flashfusion.models import Cost, utcnow

    now = utcnow()
    store_version("t1", generated_at=now, cost=Cost(usd=0.25))
    store_version("t2", generated_at=now, cost=Cost(usd=0.5))
    store_version("i1", content_type="image", generated_at=now, cost=Cost(usd=0.04))
    store_version("old", minutes=0, cost=Cost(usd=9.0))  # 2030-03: not this month
    store_version("theirs", org=OTHER_ORG, generated_at=now, cost=Cost(usd=7.0))

    status, budget = call(engine, "GET", "/v1/budget")

    assert status == 200, budget
    assert budget["byMedium"] == [
        {"medium": "image", "recordedUsd": 0.04, "versions": 1},
        {"medium": "text", "recordedUsd": 0.75, "versions": 2},
    ]
    assert budget["byMediumComplete"] is True


def test_an_admin_sets_the_monthly_limit_and_available_moves_with_it(engine: Any) -> None:
    from flashfusion.wiring import get_deps

    budgets = get_deps().budgets
    assert budgets.reserve(ORG, "req-a.0", 10.0)  # the month exists, at the default limit

    status, budget = call(engine, "PUT", "/v1/budget", ADMIN, {"monthlyLimitUsd": 250})

    assert status == 200, budget
    assert budget["limitUsd"] == 250.0
    assert budget["availableUsd"] == 240.0
    assert call(engine, "GET", "/v1/budget")[1]["limitUsd"] == 250.0
    assert budgets.limit(ORG) == 250.0


def test_changing_the_budget_needs_the_admin_role_and_changes_nothing_without_it(engine: Any) -> None:
    before = call(engine, "GET", "/v1/budget")[1]

    status, answer = call(engine, "PUT", "/v1/budget", claims(), {"monthlyLimitUsd": 1})

    assert status == 403, answer
    assert error_code(answer) == "forbidden"
    assert call(engine, "GET", "/v1/budget")[1] == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"monthlyLimitUsd": -1}, "monthlyLimitUsd"),
        ({"monthlyLimitUsd": "lots"}, "monthlyLimitUsd"),
        ({"monthlyLimitUsd": 1e12}, "monthlyLimitUsd"),
        ({}, "monthlyLimitUsd"),
        ({"monthlyLimitUsd": 5, "orgId": OTHER_ORG}, "orgId"),
        ([5], "body"),
    ],
)
def test_a_malformed_limit_is_a_400_naming_the_field(engine: Any, body: Any, field: str) -> None:
    status, answer = call(engine, "PUT", "/v1/budget", ADMIN, body)
    assert status == 400, answer
    assert error_fields(answer)[0] == field


def test_an_organisation_changes_and_sees_only_its_own_budget(engine: Any) -> None:
    from flashfusion.wiring import get_deps

    assert get_deps().budgets.reserve(ORG, "req-mine.0", 3.0)
    theirs_before = call(engine, "GET", "/v1/budget", claims(OTHER_ORG))[1]

    status, _ = call(engine, "PUT", "/v1/budget", ADMIN, {"monthlyLimitUsd": 12})
    assert status == 200

    status, theirs = call(engine, "GET", "/v1/budget", claims(OTHER_ORG))
    assert status == 200
    assert theirs == theirs_before
    assert theirs["holds"] == []
    assert theirs["reservedUsd"] == 0
    status, _ = call(engine, "PUT", "/v1/budget", OTHER_ADMIN, {"monthlyLimitUsd": 99})
    assert status == 200
    assert call(engine, "GET", "/v1/budget")[1]["limitUsd"] == 12.0
