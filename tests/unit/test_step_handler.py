"""Every step keeps the workflow state bounded: results past the budget and long messages are refused
or cut before Step Functions sees them."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from flashfusion.errors import ProviderUnavailable, StateTooLarge
from flashfusion.limits import ERROR_MESSAGE_CHARS, STATE_BUDGET_BYTES
from flashfusion.models import WorkflowState
from flashfusion.step_handler import run_step

EVENT: dict[str, Any] = {
    "request": {
        "requestId": "req-1",
        "orgId": "org-1",
        "userId": "u",
        "contentType": "text",
        "prompt": "hello",
        "tier": "standard",
        "brandKitId": "kit",
    }
}


def deps() -> Any:
    return object()


def test_a_result_that_fits_is_returned_as_json() -> None:
    def small(state: WorkflowState, _deps: Any) -> dict[str, Any]:
        return {"requestId": state.request.request_id}

    assert run_step(EVENT, small, deps) == {"requestId": "req-1"}


def test_a_result_past_the_state_budget_is_a_catchable_error_naming_the_step() -> None:
    def bloated(_state: WorkflowState, _deps: Any) -> dict[str, Any]:
        return {"text": "é" * (STATE_BUDGET_BYTES // 2)}  # 2 bytes each in UTF-8

    with pytest.raises(StateTooLarge, match="bloated would leave about"):
        run_step(EVENT, bloated, deps)


def test_a_result_that_replaces_the_state_counts_once() -> None:
    big_prompt = {**EVENT, "request": {**EVENT["request"], "prompt": "p" * 4000}, "padding": "x" * 90_000}

    def replace(state: WorkflowState, _deps: Any) -> BaseModel:
        return state

    assert run_step(big_prompt, replace, deps)["request"]["requestId"] == "req-1"


def test_a_long_error_message_is_cut_and_keeps_its_error_name() -> None:
    def failing(_state: WorkflowState, _deps: Any) -> dict[str, Any]:
        raise ProviderUnavailable("<html>" + "x" * 500_000 + "</html>")

    with pytest.raises(ProviderUnavailable) as raised:
        run_step(EVENT, failing, deps)
    assert len(str(raised.value)) < ERROR_MESSAGE_CHARS + 100
    assert "more characters cut" in str(raised.value)


def test_an_error_whose_message_ignores_its_args_is_cut_under_the_same_name() -> None:
    class Strict(BaseModel):
        values: list[int]

    def failing(_state: WorkflowState, _deps: Any) -> dict[str, Any]:
        Strict.model_validate({"values": ["not a number"] * 5_000})
        return {}

    with pytest.raises(Exception, match="more characters cut") as raised:
        run_step(EVENT, failing, deps)
    assert type(raised.value).__name__ == ValidationError.__name__
    assert len(str(raised.value)) < ERROR_MESSAGE_CHARS + 100
