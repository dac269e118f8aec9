"""`ffo cost` measures one asset on the real workflow: what it counts is what the execution did."""

from __future__ import annotations

import json
from typing import Any

from ffo import cost_model
from tests.helpers import ROOT


def test_one_text_asset_is_measured_from_its_execution(engine: Any) -> None:
    sample = json.loads((ROOT / cost_model.SAMPLE_REQUESTS["text"]).read_text("utf-8"))
    before = len(engine.invocations)
    profile = cost_model.measure(engine, "text", sample["body"], sample["caller"], cost_model.load_prices())

    (execution,) = [
        e
        for e in engine.client("stepfunctions").list_executions(stateMachineArn=engine.state_machine_arn())[
            "executions"
        ]
    ]
    history = engine.history(execution["executionArn"])
    assert profile.transitions == sum(1 for e in history if e["type"].endswith("StateEntered"))
    assert profile.transitions >= 5
    invoked = engine.invocations[before:]
    assert profile.lambda_invocations == len(invoked)
    generate = next(i for i in invoked if i.function == "GenerateFunction")
    memory_gb = engine.resources.functions["GenerateFunction"].memory / 1024
    vendor_wait = cost_model.load_prices()["assumptions"]["vendorWaitSeconds"]["text"]
    assert profile.lambda_gb_seconds >= memory_gb * max(vendor_wait, generate.duration_ms / 1000)
    assert profile.count("dynamodb", cost_model.WRITES) > 0
    assert profile.count("s3", cost_model.S3_PUTS) > 0
    assert ("stepfunctions", "DescribeExecution") not in profile.calls
    assert profile.vendor_usd > 0
