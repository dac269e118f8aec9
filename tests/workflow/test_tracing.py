"""One request, one trace: the API's start, each step, each vendor call, all with the request id, and the
tree `ffo run --trace` prints from them."""

from __future__ import annotations

from typing import Any

from ffo.span_tree import collecting, render
from flashfusion import tracing
from tests.helpers import body_of, claims, submission


def test_every_span_of_a_request_carries_its_id_and_vendor_calls_sit_in_their_step(engine: Any) -> None:
    with collecting() as collector:
        faults = [{"model": "local/text-standard", "kind": "throttle", "times": 1}]
        response = engine.api("POST", "/v1/assets", submission(faults=faults), claims())
        request_id = body_of(response)["requestId"]
        engine.wait_for_execution(engine.execution_arn(request_id))
    spans = collector.spans()

    mine = [s for s in spans if s.attributes.get(tracing.REQUEST_ID) == request_id]
    assert mine, "no span carried the request id"
    assert {s.name for s in mine} >= {"start workflow", "step validate", "step route", "step generate", "step save"}
    vendor = [s for s in mine if s.attributes.get("gen_ai.operation.name") == "chat"]
    assert len(vendor) == 2  # the throttled call and its retry
    assert [s.status.status_code.name for s in sorted(vendor, key=lambda s: s.start_time)] == ["ERROR", "UNSET"]
    steps = {s.context.span_id: s for s in mine if s.name == "step generate"}
    assert all(s.parent is not None and s.parent.span_id in steps for s in vendor)
    assert all(s.attributes.get(tracing.ORG_ID) == "acme" for s in mine if s.name.startswith("step"))

    tree = render(spans, request_id)
    assert tree.startswith(f"trace of request {request_id}: {len(mine)} spans")
    assert "│  └─ chat offline-text-standard" in tree
    assert " ms" in tree


def test_step_logs_carry_the_request_id_and_each_vendor_call_logs_its_duration(engine: Any) -> None:
    import json

    response = engine.api("POST", "/v1/assets", submission(), claims())
    request_id = body_of(response)["requestId"]
    engine.wait_for_execution(engine.execution_arn(request_id))
    steps = [i for i in engine.invocations if i.function not in ("ApiFunction", "ExecutionWatchFunction")]
    records = [json.loads(line) for i in steps for line in i.logs.splitlines() if line.startswith('{"level"')]
    assert records
    assert all(r.get("requestId") == request_id for r in records)  # the Logs Insights queries' key
    (call,) = [r for r in records if r["message"] == "vendor call"]
    assert call["model"] == "local/text-standard"
    assert call["outcome"] == "ok"
    assert call["durationMs"] >= 0
