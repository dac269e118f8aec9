"""The local engine refuses what AWS refuses and moto lets through (issue 11, item 12): one test per limit."""

from __future__ import annotations

import json
from typing import Any

import pytest

from flashfusion.errors import ItemTooLarge
from tests.helpers import ORG, ROOT, claims, submission

PROBE = ROOT / "tests" / "fixtures" / "lambdas" / "probe"
KIB = 1024


def probe(engine: Any, handler: str, timeout: float = 30) -> str:
    name = f"Probe{handler.title().replace('_', '')}{str(timeout).replace('.', '_')}"
    return str(engine.add_function(name, PROBE, f"app.{handler}", timeout=timeout))


def run_machine(engine: Any, name: str, definition: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
    sfn = engine.client("stepfunctions")
    arn = sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=engine._role)[
        "stateMachineArn"
    ]
    try:
        execution = sfn.start_execution(stateMachineArn=arn, input=json.dumps(payload))["executionArn"]
        return engine.wait_for_execution(execution)
    finally:
        sfn.delete_state_machine(stateMachineArn=arn)


def catching(resource: str, errors: list[str], **task: Any) -> dict[str, Any]:
    return {
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": resource,
                **task,
                "Catch": [{"ErrorEquals": errors, "Next": "Caught", "ResultPath": "$.error"}],
                "End": True,
            },
            "Caught": {"Type": "Pass", "Result": "caught", "ResultPath": "$.outcome", "End": True},
        },
    }


# --- Step Functions: 256 KiB, and States.DataLimitExceeded is terminal ------------------------------


def test_a_lambda_result_over_256_kib_fails_the_execution_past_a_states_all_catcher(fresh_engine: Any) -> None:
    function = probe(fresh_engine, "returns_bytes")
    described = run_machine(fresh_engine, "limit-output", catching(function, ["States.ALL"]), {"bytes": 300 * KIB})
    assert described["status"] == "FAILED"
    assert described["error"] == "States.DataLimitExceeded"


def test_a_lambda_result_under_256_kib_passes(fresh_engine: Any) -> None:
    function = probe(fresh_engine, "returns_bytes")
    described = run_machine(fresh_engine, "limit-fits", catching(function, ["States.ALL"]), {"bytes": 200 * KIB})
    assert described["status"] == "SUCCEEDED"


def test_a_catcher_naming_data_limit_exceeded_catches_it(fresh_engine: Any) -> None:
    function = probe(fresh_engine, "returns_bytes")
    definition = catching(function, ["States.DataLimitExceeded"])
    described = run_machine(fresh_engine, "limit-named", definition, {"bytes": 300 * KIB})
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"])["outcome"] == "caught"


def test_the_quota_counts_utf8_bytes_of_compact_json_as_aws_does(fresh_engine: Any) -> None:
    """60,000 emoji are 240,000 bytes of UTF-8 (under the quota) but 720,000 as moto's ASCII-escaped JSON."""
    function = probe(fresh_engine, "echoes")
    described = run_machine(fresh_engine, "limit-utf8", catching(function, ["States.ALL"]), {"text": "😀" * 60_000})
    assert described["status"] == "SUCCEEDED", described


def test_a_task_input_over_256_kib_after_parameters_is_refused(fresh_engine: Any) -> None:
    """The input is small; Parameters repeats it past the quota: DataLimitExceeded."""
    function = probe(fresh_engine, "echoes")
    definition = catching(function, ["States.ALL"], Parameters={f"copy{i}.$": "$.chunk" for i in range(40)})
    described = run_machine(fresh_engine, "limit-input", definition, {"chunk": "y" * 8 * KIB})
    assert described["status"] == "FAILED"
    assert described["error"] == "States.DataLimitExceeded"


# --- Lambda: 6 MB in and out, and the function's timeout -----------------------------------------------


def test_an_invoke_request_over_6_mb_is_refused_before_the_handler_runs(fresh_engine: Any) -> None:
    probe(fresh_engine, "echoes")
    result, invocation = fresh_engine.invoke("ProbeEchoes30", {"text": "z" * (6 * KIB * KIB + 1)})
    assert not invocation.ok
    assert result["errorType"] == "RequestEntityTooLargeException"


def test_an_api_body_over_6_mb_is_a_413_as_api_gateway_returns(fresh_engine: Any) -> None:
    body = json.dumps({"prompt": "p" * (6 * KIB * KIB)})
    response = fresh_engine.api("POST", "/v1/assets", None, claims(ORG), raw_body=body)
    assert response["statusCode"] == 413


def test_a_response_over_6_mb_is_lost_as_lambda_loses_it(fresh_engine: Any) -> None:
    probe(fresh_engine, "returns_bytes")
    result, invocation = fresh_engine.invoke("ProbeReturnsBytes30", {"bytes": 6 * KIB * KIB + 10})
    assert not invocation.ok
    assert result["errorType"] == "Function.ResponseSizeTooLarge"


def test_a_handler_past_its_timeout_fails_with_sandbox_timedout(fresh_engine: Any) -> None:
    probe(fresh_engine, "burns_cpu", timeout=0.05)
    result, invocation = fresh_engine.invoke("ProbeBurnsCpu0_05", {"cpuSeconds": 0.2})
    assert not invocation.ok
    assert result["errorType"] == "Sandbox.Timedout"
    assert "timed out after 0.05 seconds" in result["errorMessage"]


def test_functions_run_with_the_timeouts_the_template_gives_them(fresh_engine: Any) -> None:
    template_timeouts = {
        logical_id: resource["Properties"].get("Timeout", fresh_engine.template["Globals"]["Function"]["Timeout"])
        for logical_id, resource in fresh_engine.template["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }
    engine_timeouts = {
        logical_id: function.timeout
        for logical_id, function in fresh_engine.resources.functions.items()
        if logical_id in template_timeouts
    }
    assert engine_timeouts == template_timeouts


def test_a_step_past_its_timeout_ends_the_request_failed_with_the_cause(engine: Any) -> None:
    """LintAsset's function timing out is retried as Lambda errors are, then the request fails readably."""
    lint = engine.resources.functions["LintFunction"]
    original = lint.timeout
    lint.timeout = 0.0
    try:
        response = engine.api("POST", "/v1/assets", submission(), claims(ORG))
        request_id = json.loads(response["body"])["requestId"]
        described = engine.wait_for_execution(engine.execution_arn(request_id))
    finally:
        lint.timeout = original
    assert described["status"] == "FAILED"
    record = json.loads(engine.api("GET", f"/v1/requests/{request_id}", None, claims(ORG))["body"])
    assert record["status"] == "failed"
    assert record["error"]["type"] == "Sandbox.Timedout"


# --- DynamoDB: 400 KB items ------------------------------------------------------------------------------


def test_an_item_over_400_kb_is_refused_with_a_typed_error(engine: Any) -> None:
    from flashfusion.models import LintReport, Violation
    from flashfusion.wiring import get_deps

    deps = get_deps()
    response = engine.api("POST", "/v1/assets", submission(), claims(ORG))
    request_id = json.loads(response["body"])["requestId"]
    engine.wait_for_execution(engine.execution_arn(request_id))
    huge = LintReport(
        compliant=False,
        violations=[Violation(rule_id="r", severity="error", message="m" * 1000) for _ in range(450)],
    )
    with pytest.raises(ItemTooLarge, match="400 KB"):
        deps.requests.set_lint(ORG, request_id, huge)


# --- the interpreter's own faults are told apart from the function's ---------------------------------


def test_an_interpreter_fault_in_a_lambda_task_is_logged_with_its_traceback(
    fresh_engine: Any, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """moto reports any exception around the invoke as a bare cause; the engine logs where it came from."""
    function = probe(fresh_engine, "echoes")

    def broken(logical_id: str, event: Any) -> Any:
        [].pop()  # an IndexError outside any handler, as a fault in the engine would raise it
        raise AssertionError("unreachable")

    monkeypatch.setattr(fresh_engine, "invoke", broken)
    described = run_machine(fresh_engine, "interpreter-fault", catching(function, ["States.ALL"]), {"text": "x"})
    assert described["status"] == "SUCCEEDED"  # caught by States.ALL, as AWS would catch a TaskFailed
    faults = [r for r in caplog.records if r.name == "ffo.engine" and "interpreter fault" in r.getMessage()]
    assert faults, [r.getMessage() for r in caplog.records]
    assert "in broken" in faults[0].getMessage()
    assert "IndexError: pop from empty list" in faults[0].getMessage()


def test_a_functions_own_failure_is_not_an_interpreter_fault(
    fresh_engine: Any, caplog: pytest.LogCaptureFixture
) -> None:
    function = probe(fresh_engine, "fails")
    described = run_machine(fresh_engine, "function-fails", catching(function, ["States.ALL"]), {})
    assert described["status"] == "SUCCEEDED"
    assert not [r for r in caplog.records if "interpreter fault" in r.getMessage()]
