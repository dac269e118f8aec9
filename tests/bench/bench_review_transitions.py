"""State transitions (what Step Functions bills) of requests that go through the review loop.

Runs on the local engine: a compliant request, one review round approved as is, one approved with
edits, and one regenerated once then approved. Prints the states entered and the billed transitions
(every state entered, plus every retried task attempt). Run: .venv/bin/python tests/bench/bench_review_transitions.py
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from ffo.engine import LocalEngine  # noqa: E402
from tests.helpers import submission  # noqa: E402
from tests.workflow.review_helpers import decide, noncompliant, states_entered, submit, wait_for_review  # noqa: E402

STANDARD_PRICE_PER_1000 = 0.025  # USD per 1,000 state transitions, Standard workflows (us-east-1)


def transitions(engine: Any, request_id: str) -> tuple[int, int]:
    history = engine.history(engine.execution_arn(request_id))
    entered = sum(e["type"].endswith("StateEntered") for e in history)
    scheduled = sum(e["type"] in ("LambdaFunctionScheduled", "TaskScheduled") for e in history)
    tasks_entered = sum(e["type"] == "TaskStateEntered" for e in history)
    return entered, entered + max(0, scheduled - tasks_entered)


def main() -> None:
    kit = json.loads((ROOT / "events" / "brand-kit.sample.json").read_text("utf-8"))
    edited = "Meet Aurora. Warm, dry jackets for every trail. Find out more on our website."
    scenarios: list[tuple[str, dict[str, Any], list[dict[str, Any]]]] = [
        ("compliant, no review", submission(), []),
        ("one review round: approve", noncompliant(), [{"decision": "approve"}]),
        (
            "one review round: approve with edits",
            noncompliant(),
            [{"decision": "approve_with_edits", "editedText": edited}],
        ),
        (
            "regenerate once, then approve",
            noncompliant(),
            [{"decision": "regenerate", "feedback": "no guarantees"}, {"decision": "approve"}],
        ),
    ]
    with LocalEngine(ROOT) as engine:
        engine.seed_brand_kit("acme", kit)
        print(f"{'scenario':42} {'states':>7} {'billed':>7} {'USD per 1M requests':>20}")
        for name, body, decisions in scenarios:
            request_id = submit(engine, body)
            for round_, decision in enumerate(decisions):
                review = wait_for_review(engine, request_id, round_)["review"]["reviewId"]
                assert decide(engine, review, decision)["statusCode"] == 200
            execution = engine.wait_for_execution(engine.execution_arn(request_id), timeout=90)
            assert execution["status"] == "SUCCEEDED", execution
            entered, billed = transitions(engine, request_id)
            cost = billed / 1000 * STANDARD_PRICE_PER_1000 * 1_000_000
            print(f"{name:42} {entered:>7} {billed:>7} {cost:>20,.0f}")
            if "--states" in sys.argv:
                print("   ", " → ".join(states_entered(engine, request_id)))
            time.sleep(0.05)


if __name__ == "__main__":
    main()
