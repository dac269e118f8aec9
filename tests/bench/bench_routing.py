"""Routing and budget figures, printed, never asserted: `make bench`.

1. Router decisions (pure, no I/O) over many generated requests: median and p99 per decision.
2. A budget reservation + settlement round trip against moto's DynamoDB: median and p99.
3. `ffo run` wall time for each medium (a fresh process each time, as a person runs it).
"""

from __future__ import annotations

import contextlib
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

import boto3
from moto import mock_aws

from ffo.cfn import load_template
from flashfusion.errors import BudgetExceeded, NoModelAvailable
from flashfusion.models import AssetSubmission, ContentType, Latency, Tier
from flashfusion.routing import router
from flashfusion.routing.matrix import load_matrix_file
from flashfusion.storage.budgets import BudgetRepository

ROOT = Path(__file__).resolve().parents[2]
DECISIONS = int(os.environ.get("BENCH_DECISIONS", "20000"))
ROUND_TRIPS = int(os.environ.get("BENCH_ROUND_TRIPS", "500"))
RUNS = int(os.environ.get("BENCH_RUN_RUNS", "3"))
PROVIDERS = frozenset({"openai", "gemini", "bedrock", "runway", "replicate", "elevenlabs", "local"})


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def router_queries(count: int) -> list[router.RouteQuery]:
    """``count`` router queries over every medium, tier and latency, prompt length and remaining budget
    (seeded: the same queries in every run)."""
    rng = random.Random(7)
    queries = []
    for _ in range(count):
        submission = AssetSubmission.model_validate(
            {
                "contentType": rng.choice(list(ContentType)),
                "prompt": "x" * rng.randint(10, 3000),
                "tier": rng.choice(list(Tier)),
                "latency": rng.choice(list(Latency)),
                "brandKitId": "kit",
            }
        )
        queries.append(router.query_for(submission, PROVIDERS, rng.choice([None, 0.0, 0.01, 0.5, 100.0])))
    return queries


def bench_router() -> None:
    matrix = load_matrix_file()
    queries = router_queries(DECISIONS)
    samples = []
    for query in queries:
        started = time.perf_counter_ns()
        with contextlib.suppress(BudgetExceeded, NoModelAvailable):  # refusals are decisions too
            router.route(matrix, query)
        samples.append((time.perf_counter_ns() - started) / 1000)
    print(f"router decision, {DECISIONS} requests over {len(matrix.models)} models (all media, 7 providers):")
    print(f"  median {statistics.median(samples):.1f} us, p99 {percentile(samples, 0.99):.1f} us")


def bench_budget() -> None:
    props = load_template(ROOT / "template.yaml")["Resources"]["AppTable"]["Properties"]
    with mock_aws():
        table = boto3.resource("dynamodb", region_name="us-east-1").create_table(
            TableName="bench",
            AttributeDefinitions=props["AttributeDefinitions"],
            KeySchema=props["KeySchema"],
            GlobalSecondaryIndexes=props["GlobalSecondaryIndexes"],
            BillingMode="PAY_PER_REQUEST",
        )
        budgets = BudgetRepository(table, default_limit_usd=1_000_000)
        samples = []
        for i in range(ROUND_TRIPS):
            started = time.perf_counter()
            budgets.reserve("bench-org", f"r{i}", 0.05)
            budgets.settle("bench-org", f"r{i}", 0.04)
            samples.append((time.perf_counter() - started) * 1000)
    print(f"budget reserve + settle round trip against moto, {ROUND_TRIPS} times:")
    print(f"  median {statistics.median(samples):.2f} ms, p99 {percentile(samples, 0.99):.2f} ms")


def bench_runs() -> None:
    ffo = Path(sys.executable).with_name("ffo")
    print(f"`ffo run` wall time per medium, fresh process, median of {RUNS}:")
    for event in ("text-compliant.json", "image-post.json", "video-reel.json", "music-jingle.json"):
        walls = []
        for _ in range(RUNS):
            started = time.perf_counter()
            subprocess.run(
                [str(ffo), "run", f"events/{event}", "--out", str(ROOT / "out" / "bench")],
                cwd=ROOT,
                capture_output=True,
                check=True,
            )
            walls.append(time.perf_counter() - started)
        print(f"  {event:<22} {statistics.median(walls):.2f} s (min {min(walls):.2f}, max {max(walls):.2f})")


if __name__ == "__main__":
    bench_router()
    bench_budget()
    bench_runs()
