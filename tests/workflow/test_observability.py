"""What the handlers log and measure: correlated, structured, and free of prompt text."""

from __future__ import annotations

import json
from typing import Any

from tests.helpers import body_of, claims, submission

SECRET_PROMPT = "Write a LinkedIn post announcing our confidential zephyr-9 launch"


def json_lines(text: str) -> list[dict[str, Any]]:
    lines = []
    for line in text.splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


def test_step_logs_are_correlated_and_never_carry_the_prompt(engine: Any) -> None:
    faults = [{"model": "local/text-standard", "kind": "throttle", "times": 1}]
    response = engine.api("POST", "/v1/assets", submission(prompt=SECRET_PROMPT, faults=faults), claims())
    request_id = body_of(response)["requestId"]
    engine.wait_for_execution(engine.execution_arn(request_id))

    steps = [i for i in engine.invocations if i.function != "ApiFunction"]
    assert {i.function for i in steps} >= {"ValidateFunction", "GenerateFunction", "SaveFunction"}
    for invocation in engine.invocations:
        assert "zephyr-9" not in invocation.logs, f"{invocation.function} logged the prompt"
    records = [r for i in steps for r in json_lines(i.logs) if "level" in r]
    assert records, "the step handlers logged nothing"
    assert all(r.get("correlation_id") == request_id for r in records)
    assert all(r.get("service") == "flashfusion" for r in records)


def test_generation_metrics_are_emitted_per_model(engine: Any) -> None:
    faults = [{"model": "local/text-standard", "kind": "throttle", "times": 1}]
    response = engine.api("POST", "/v1/assets", submission(faults=faults), claims())
    engine.wait_for_execution(engine.execution_arn(body_of(response)["requestId"]))

    blobs = [b for i in engine.invocations for b in json_lines(i.logs) if "_aws" in b]
    names: dict[str, list[dict[str, Any]]] = {}
    for blob in blobs:
        for directive in blob["_aws"]["CloudWatchMetrics"]:
            assert directive["Namespace"] == "FlashFusion"
            for metric in directive["Metrics"]:
                names.setdefault(metric["Name"], []).append(blob)
    assert {"GenerationLatency", "GenerationCostUSD", "ProviderErrors", "LintCompliant"} <= names.keys()
    assert all(b["model"] == "local/text-standard" for b in names["GenerationLatency"])
    assert names["ProviderErrors"][0]["model"] == "local/text-standard"
    assert names["LintCompliant"][0]["LintCompliant"] in (1, [1])
