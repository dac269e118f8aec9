"""Retry policies of the generated create-asset definition: what is retried where, and what is not."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ffo.asl import builder, create_asset
from ffo.cfn import load_template
from tests.helpers import ROOT


def _states(states: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, state in states.items():
        yield name, state
        processor = state.get("ItemProcessor") or state.get("Iterator")
        if processor:
            yield from _states(processor["States"])


STATES = dict(_states(create_asset.definition()["States"]))


def _retried(state: dict[str, Any]) -> set[str]:
    return {error for retrier in state.get("Retry", []) for error in retrier["ErrorEquals"]}


def _function_substitution(state: dict[str, Any]) -> str | None:
    """The DefinitionSubstitutions name of the Lambda a task invokes (as Resource or FunctionName)."""
    if state["Type"] != "Task":
        return None
    target = state.get("Parameters", {}).get("FunctionName", state["Resource"])
    return target[2:-1] if target.startswith("${") else None


def _rekognition_substitutions() -> set[str]:
    """Substitution names of the functions template.yaml allows to call Rekognition (IAM or settings)."""
    template = load_template(ROOT / "template.yaml")
    resources = template["Resources"]
    callers = set()
    for logical_id, resource in resources.items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        properties = resource.get("Properties", {})
        env = properties.get("Environment", {}).get("Variables", {})
        if "rekognition:" in repr(properties.get("Policies", [])) or "rekognition" in env.values():
            callers.add(logical_id)
    machine = next(r for r in resources.values() if r.get("Type") == "AWS::Serverless::StateMachine")
    substitutions = machine["Properties"]["DefinitionSubstitutions"]
    return {
        name
        for name, value in substitutions.items()
        if isinstance(value, dict) and value.get("Fn::GetAtt", [""])[0] in callers
    }


REKOGNITION = _rekognition_substitutions()
REKOGNITION_STATES = sorted(name for name, state in STATES.items() if _function_substitution(state) in REKOGNITION)


def test_the_lint_states_are_the_rekognition_callers() -> None:
    assert _rekognition_substitutions() == {"LintFunctionArn", "LintBundleFunctionArn"}
    assert REKOGNITION_STATES == [
        "LintAsset",
        "LintBundle",
        "LintEdited",
        "LintRevisedBundle",
        "LintTranslation",
        "PartLintAsset",
    ]


@pytest.mark.parametrize("name", REKOGNITION_STATES)
def test_every_state_that_may_call_rekognition_retries_aws_throttled(name: str) -> None:
    state = STATES[name]
    assert "AwsThrottled" in _retried(state)
    assert builder.AWS_THROTTLING.asl() in state["Retry"]
    assert builder.LAMBDA_TRANSIENT.asl() in state["Retry"]


def test_schedule_posts_retries_only_transient_errors() -> None:
    state = STATES["SchedulePosts"]
    retried = _retried(state)
    assert "States.TaskFailed" not in retried
    assert "States.ALL" not in retried
    assert "InvalidRequest" not in retried
    assert retried == {*builder.LAMBDA_SERVICE_ERRORS, "AwsThrottled"}
    assert state["Catch"] == [builder.catch_all("RecordFollowUpError", "$.followUpError")]


def test_no_lambda_state_retries_every_error() -> None:
    for name, state in STATES.items():
        if _function_substitution(state) is not None:
            assert not {"States.ALL", "States.TaskFailed"} & _retried(state), name


def test_every_lambda_state_retries_lambda_transient_errors() -> None:
    lambdas = [name for name, state in STATES.items() if _function_substitution(state)]
    assert len(lambdas) == 32  # 19 for a single asset; the bundle adds its own 3, its review 4 and the parts 6
    for name in lambdas:
        assert builder.LAMBDA_TRANSIENT.asl() in STATES[name]["Retry"], name


def test_every_direct_dynamodb_task_retries_dynamodb_transient_errors() -> None:
    dynamodb = [
        name for name, state in STATES.items() if state.get("Resource", "").startswith("arn:aws:states:::dynamodb:")
    ]
    assert len(dynamodb) == 7
    for name in dynamodb:
        assert STATES[name]["Retry"] == [builder.DYNAMODB_TRANSIENT.asl()], name


def test_states_format_escapes_and_counts_placeholders() -> None:
    assert builder.states_format("ORG#{}", "$.a") == "States.Format('ORG#{}', $.a)"
    assert builder.states_format("it's {}", "$.a") == "States.Format('it\\'s {}', $.a)"
    with pytest.raises(ValueError, match="one"):
        builder.states_format("A#{}#{}", "$.a")
    with pytest.raises(ValueError, match="one"):
        builder.states_format("A#{x}", "$.a")
