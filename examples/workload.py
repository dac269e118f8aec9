"""Run a mixed workload through the local engine and keep it in the local state, for `ffo report`.

    .venv/bin/python examples/workload.py --requests 60            # into out/state (what `ffo serve` uses)
    .venv/bin/ffo report --group-by model

Every request goes through the real state machine and handlers, with the offline models priced as in
events/matrix-priced-local.json: text, images, video and music; clean and off-brand copy (so some need a
person, who approves, edits, rejects, asks for a regeneration or leaves it waiting); throttles, outages,
rejected prompts and refused credentials (so some retry, some fall back, some fail); two organisations.
The mix is the same for the same --seed. The state already in --state is loaded first, so runs add up.
Stop `ffo serve` on that state first.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "local"), str(ROOT / "layers" / "common")]

from ffo.engine import LocalEngine  # noqa: E402
from ffo.state_store import StateStore, settle_lost  # noqa: E402

ORGS = ("acme", "globex")
CLEAN = "Write a LinkedIn post announcing our spring hiking collection"
OFF_BRAND = "Write a post saying our jackets are a guaranteed miracle and completely risk-free"
EDITED = "Meet Aurora. Our jackets keep you warm and dry on every trail. Find out more on our website."


def body_of(name: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((ROOT / "events" / name).read_text("utf-8"))["body"]
    return body


def text(**fields: Any) -> dict[str, Any]:
    return {"contentType": "text", "prompt": CLEAN, "tier": "standard", "brandKitId": "aurora-core", **fields}


def off_brand(**fields: Any) -> dict[str, Any]:
    return text(prompt=OFF_BRAND, tier="basic", channel="instagram", **fields)


Kind = tuple[str, dict[str, Any], str | None]
"""(name, request body, review decision: None when no review is expected)."""


def fault(kind: str, model: str | None = None, times: int | None = None) -> list[dict[str, Any]]:
    return [{k: v for k, v in {"kind": kind, "model": model, "times": times}.items() if v is not None}]


IMAGE = body_of("image-post.json")
KINDS: list[tuple[int, Kind]] = [  # (weight, kind)
    (8, ("text clean", text(), None)),
    (3, ("text basic", text(tier="basic"), None)),
    (3, ("text premium", text(tier="premium"), None)),
    (4, ("text throttled twice", text(faults=fault("throttle", "local/text-standard", 2)), None)),
    (3, ("text premium down", text(tier="premium", faults=fault("unavailable", "local/text-premium")), None)),
    (2, ("text prompt rejected", text(faults=fault("rejected", "local/text-standard")), None)),
    (2, ("text credentials refused", text(faults=fault("auth")), None)),
    (3, ("sponsored, auto-fixed", text(channel="instagram", sponsored=True), None)),
    (3, ("off-brand, approved", off_brand(), "approve")),
    (2, ("off-brand, edited", off_brand(), "approve_with_edits")),
    (2, ("off-brand, rejected", off_brand(), "reject")),
    (1, ("off-brand, regenerated", off_brand(), "regenerate")),
    (1, ("off-brand, left waiting", off_brand(), "wait")),
    (4, ("image premium", IMAGE, None)),
    (3, ("image standard", {**IMAGE, "tier": "standard"}, None)),
    (2, ("image throttled", {**IMAGE, "faults": fault("throttle", "local/image-premium", 1)}, None)),
    (1, ("image premium down", {**IMAGE, "faults": fault("unavailable", "local/image-premium")}, None)),
    (2, ("video", body_of("video-reel.json"), None)),
    (2, ("music", body_of("music-jingle.json"), None)),
]


def wait(engine: LocalEngine, until: Callable[[], bool], what: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not until():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not after {timeout:.0f} s")
        time.sleep(0.05)


def record(engine: LocalEngine, org: str, request_id: str) -> dict[str, Any]:
    answer = engine.api("GET", f"/v1/requests/{request_id}", None, {"org_id": org, "sub": "workload"})
    result: dict[str, Any] = json.loads(answer["body"])
    return result


def execution_over(engine: LocalEngine, request_id: str) -> bool:
    described = engine.client("stepfunctions").describe_execution(executionArn=engine.execution_arn(request_id))
    return described["status"] != "RUNNING"


def pending_review(engine: LocalEngine, org: str, request_id: str, round_: int) -> str | None:
    current = record(engine, org, request_id)
    review = current.get("review") or {}
    if current["status"] == "needs_review" and review.get("status") == "pending" and review.get("round") == round_:
        return str(review["reviewId"])
    return None


def run_one(engine: LocalEngine, org: str, body: dict[str, Any], decision: str | None) -> str:
    caller = {"org_id": org, "sub": "workload"}
    answer = engine.api("POST", "/v1/assets", body, caller)
    if answer["statusCode"] != 202:
        raise RuntimeError(f"POST /v1/assets -> {answer['statusCode']}: {answer['body']}")
    request_id = str(json.loads(answer["body"])["requestId"])
    round_ = 0
    while True:
        found: list[str] = []

        def ready(r: int = round_, box: list[str] = found) -> bool:
            review_id = pending_review(engine, org, request_id, r)
            if review_id:
                box.append(review_id)
            return bool(review_id) or execution_over(engine, request_id)

        wait(engine, ready, f"request {request_id}")
        if not found:  # the execution ended
            return str(record(engine, org, request_id)["status"])
        if decision in (None, "wait"):
            return "needs_review"
        step = ("regenerate" if round_ == 0 else "approve") if decision == "regenerate" else decision
        payload: dict[str, Any] = {"decision": step}
        if step == "approve_with_edits":
            payload["editedText"] = EDITED
        if step == "regenerate":
            payload["feedback"] = "Drop the guarantee and the miracle; talk about warmth instead"
        reviewer = {**caller, "sub": "rita", "cognito:groups": "[reviewers editors]"}
        decided = engine.api("POST", f"/v1/reviews/{found[0]}/decision", payload, reviewer)
        if decided["statusCode"] != 200:
            raise RuntimeError(f"review decision -> {decided['statusCode']}: {decided['body']}")
        round_ += 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--state", default=str(ROOT / "out" / "state"), help="state directory (default out/state)")
    args = parser.parse_args(argv)

    picker = random.Random(args.seed)  # noqa: S311 - a repeatable mix, not a secret
    weights = [w for w, _ in KINDS]
    store = StateStore(Path(args.state).resolve())
    env = {"MODEL_MATRIX_PATH": str(ROOT / "events" / "matrix-priced-local.json")}
    outcomes: Counter[tuple[str, str]] = Counter()
    kit = json.loads((ROOT / "events" / "brand-kit.sample.json").read_text("utf-8"))
    with LocalEngine(ROOT, instant=True, env=env) as engine:
        snapshot = store.load(engine)
        if snapshot is not None:  # what waited when the last run stopped ends as `ffo serve` would end it
            settle_lost(engine, snapshot.running)
        for org in ORGS:
            engine.seed_brand_kit(org, kit)
        for number in range(args.requests):
            (name, body, decision) = picker.choices([k for _, k in KINDS], weights)[0]
            org = ORGS[0] if picker.random() < 0.75 else ORGS[1]
            status = run_one(engine, org, json.loads(json.dumps(body)), decision)
            outcomes[(name, status)] += 1
            sys.stdout.write(f"{number + 1:>3}/{args.requests} {org:<7} {name:<26} {status}\n")
        store.save(engine)
    sys.stdout.write(f"\nsaved to {store.directory}\n")
    for (name, status), count in sorted(outcomes.items()):
        sys.stdout.write(f"  {count:>3} x {name} -> {status}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
