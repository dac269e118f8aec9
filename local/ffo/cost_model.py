"""`ffo cost`: the monthly AWS bill and vendor spend for N assets a month, from what one asset of each
medium really does on the local engine, the template and the model matrix.

Per medium, one sample request (events/) runs through the real state machine locally and is measured:
- Step Functions state transitions: the StateEntered events of its execution history (the ASL's path);
- Lambda: each invocation's function, with the template's MemorySize, and its local duration; the Generate
  (or Poll) invocation's duration is replaced by the typical time a real vendor keeps it waiting;
- DynamoDB reads and writes, S3 PUTs and GETs, EventBridge events, SQS and SNS calls: every AWS call the
  handlers make (boto3), plus the state machine's own DynamoDB tasks;
- log bytes written (CloudWatch Logs ingestion).
What a local run cannot show (vendor wait, async polls, posts and API calls per asset, stored sizes,
organisations) comes from the assumptions in data/aws_prices.json, printed with the prices.

Vendor spend: the router's own estimate for that request on the model it would pick among the matrix's
vendor models (not the offline ones) at the request's tier.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

PRICES_FILE = Path(__file__).parent / "data" / "aws_prices.json"
SAMPLE_REQUESTS = {
    "text": "events/text-compliant.json",
    "image": "events/image-post.json",
    "video": "events/video-reel.json",
    "music": "events/music-jingle.json",
}
SAMPLE_MIX = {"text": 0.6, "image": 0.3, "video": 0.05, "music": 0.05}
VENDOR_STEPS = ("GenerateFunction", "PollFunction")
READS = {"GetItem", "Query", "BatchGetItem", "Scan", "TransactGetItems"}
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
S3_PUTS = {"PutObject", "CopyObject", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload", "ListObjectsV2"}
S3_GETS = {"GetObject", "HeadObject"}
POLL_LOOP_TRANSITIONS = 3
"""Wait -> Poll -> Choice: what one more round of an async job's polling adds."""


def load_prices(path: Path = PRICES_FILE) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data


def parse_mix(text: str | None) -> dict[str, float]:
    """``text=0.6,image=0.3,...`` (shares or counts; normalised to 1)."""
    if not text:
        return dict(SAMPLE_MIX)
    mix: dict[str, float] = {}
    for part in text.split(","):
        medium, _, share = part.partition("=")
        medium = medium.strip()
        if medium not in SAMPLE_REQUESTS:
            raise ValueError(f"unknown medium {medium!r} (one of {', '.join(SAMPLE_REQUESTS)})")
        mix[medium] = float(share)
        if mix[medium] < 0:
            raise ValueError(f"{medium}: a share cannot be negative")
    total = sum(mix.values())
    if total <= 0:
        raise ValueError("the mix is empty")
    return {m: s / total for m, s in mix.items() if s > 0}


@dataclass
class AssetProfile:
    """What one asset of a medium uses."""

    medium: str
    transitions: int = 0
    lambda_invocations: int = 0
    lambda_gb_seconds: float = 0.0
    calls: Counter[tuple[str, str]] = field(default_factory=Counter)
    state_machine_dynamodb_writes: int = 0
    log_bytes: int = 0
    vendor_usd: float = 0.0
    vendor_model: str = ""
    metrics: set[str] = field(default_factory=set)
    """metric name + dimension names seen in the EMF output (each is a billed custom metric)."""

    def count(self, service: str, operations: set[str]) -> int:
        return sum(n for (s, op), n in self.calls.items() if s == service and op in operations)


@contextmanager
def counting_calls(counter: Counter[tuple[str, str]]) -> Iterator[None]:
    """Count every boto3 API call made in the process (service, operation)."""
    from botocore.client import BaseClient

    original = BaseClient._make_api_call
    lock = threading.Lock()

    def counted(client: Any, operation: str, params: Any) -> Any:
        with lock:
            counter[(client.meta.service_model.service_name, operation)] += 1
        return original(client, operation, params)

    with mock.patch.object(BaseClient, "_make_api_call", counted):
        yield


def _emf_metrics(logs: str) -> set[str]:
    found: set[str] = set()
    for line in logs.splitlines():
        if not line.startswith('{"_aws"'):
            continue
        blob = json.loads(line)
        for directive in blob["_aws"]["CloudWatchMetrics"]:
            for metric in directive["Metrics"]:
                for dimensions in directive["Dimensions"] or [[]]:
                    values = ",".join(f"{d}={blob.get(d)}" for d in sorted(dimensions))
                    found.add(f"{metric['Name']}[{values}]")
    return found


def measure(
    engine: Any, medium: str, body: Mapping[str, Any], caller: Mapping[str, Any], prices: dict[str, Any]
) -> AssetProfile:
    """Run one request of ``medium`` on ``engine`` and measure what it used."""
    from ffo.engine import http_api_event

    assumptions = prices["assumptions"]
    profile = AssetProfile(medium)
    first = len(engine.invocations)
    claims = {"org_id": caller.get("orgId", "acme"), "sub": caller.get("userId", "cost")}
    with counting_calls(profile.calls):
        result, _ = engine.invoke("ApiFunction", http_api_event("POST", "/v1/assets", dict(body), claims))
        answer = json.loads(result.get("body") or "{}")
        if result["statusCode"] != 202:
            raise RuntimeError(f"the {medium} sample was refused: {answer}")
        arn = engine.execution_arn(answer["requestId"])
        execution = engine.wait_for_execution(arn, timeout=180)
    if execution["status"] != "SUCCEEDED":
        raise RuntimeError(f"the {medium} sample ended {execution['status']}")
    # the engine's own waiting and the interpreter's invokes are not the product's calls
    for noise in [
        k for k in profile.calls if k[0] in ("lambda", "sts") or k[1] in ("DescribeExecution", "GetExecutionHistory")
    ]:
        del profile.calls[noise]
    history = engine.history(arn)
    profile.transitions = sum(1 for e in history if e["type"].endswith("StateEntered"))
    profile.state_machine_dynamodb_writes = sum(
        1
        for e in history
        if e["type"] == "TaskScheduled" and e["taskScheduledEventDetails"]["resourceType"] == "dynamodb"
    )
    vendor_wait = float(assumptions["vendorWaitSeconds"].get(medium, 0))
    for invocation in engine.invocations[first:]:
        memory_gb = engine.resources.functions[invocation.function].memory / 1024
        seconds = invocation.duration_ms / 1000
        if invocation.function in VENDOR_STEPS:
            seconds = max(seconds, vendor_wait)
        profile.lambda_invocations += 1
        profile.lambda_gb_seconds += memory_gb * seconds
        profile.log_bytes += len(invocation.logs.encode("utf-8"))
        profile.metrics |= _emf_metrics(invocation.logs)
    polls = int(assumptions["asyncPollsPerAsset"].get(medium, 0))
    if polls:
        poll_memory = engine.resources.functions["PollFunction"].memory / 1024
        profile.transitions += polls * POLL_LOOP_TRANSITIONS
        profile.lambda_invocations += polls
        profile.lambda_gb_seconds += polls * poll_memory * 0.5
        profile.calls[("dynamodb", "UpdateItem")] += polls
    profile.vendor_model, profile.vendor_usd = vendor_estimate(dict(body))
    return profile


def vendor_estimate(body: dict[str, Any]) -> tuple[str, float]:
    """The model the router would pick among the vendor models for this request, and its estimate."""
    from flashfusion.models import AssetSubmission
    from flashfusion.routing import router
    from flashfusion.routing.matrix import load_matrix_file

    matrix = load_matrix_file()
    vendors = frozenset(m.provider for m in matrix.models if m.provider not in ("local", "generic-http"))
    query = router.query_for(AssetSubmission.model_validate(body), vendors, None)
    decision = router.route(matrix, query)
    return decision.model, float(decision.estimated_cost_usd)


@dataclass(frozen=True)
class Line:
    service: str
    what: str
    usd: float


def monthly_bill(
    profiles: Mapping[str, AssetProfile],
    mix: Mapping[str, float],
    assets: int,
    prices: dict[str, Any],
    alarms: int,
    dashboards: int,
) -> list[Line]:
    """The month's lines: per-asset use times assets of each medium, plus the fixed monthly items."""
    p = {name: float(entry["usd"]) for name, entry in prices["prices"].items()}
    a = prices["assumptions"]

    def per_month(value: Any) -> float:
        return sum(float(value(profiles[m])) * share * assets for m, share in mix.items())

    transitions = per_month(lambda x: x.transitions)
    gb_seconds = per_month(lambda x: x.lambda_gb_seconds)
    posts = assets * float(a["postsPerAsset"])
    publish_memory_gb = 512 / 1024
    invocations = per_month(lambda x: x.lambda_invocations) + posts
    gb_seconds += posts * publish_memory_gb * float(a["publishSeconds"])
    reads = per_month(lambda x: x.count("dynamodb", READS)) + posts * 3
    writes = per_month(lambda x: x.count("dynamodb", WRITES) + x.state_machine_dynamodb_writes) + posts * 2
    stored_gb = sum(float(a["assetBytes"][m]) * share * assets for m, share in mix.items()) / 1e9
    puts = per_month(lambda x: x.count("s3", S3_PUTS))
    gets = per_month(lambda x: x.count("s3", S3_GETS)) + posts
    events = per_month(lambda x: x.calls[("events", "PutEvents")])
    sqs = per_month(lambda x: sum(n for (s, _), n in x.calls.items() if s == "sqs"))
    log_gb = per_month(lambda x: x.log_bytes) / 1e9
    metrics = set().union(*(x.metrics for x in profiles.values()))
    # one BudgetUsedPercent series per organisation; the request-independent ones once
    custom_metrics = len({m for m in metrics if not m.startswith("BudgetUsedPercent")}) + int(a["organisations"])
    api = assets * float(a["apiRequestsPerAsset"])
    log_price = p["cloudWatchLogsPerGbIngested"] + p["cloudWatchLogsPerGbMonthStored"] * float(a["logRetentionMonths"])
    sfn_price = p["stepFunctionsStandardPerTransition"]
    return [
        Line("Step Functions", f"{transitions:,.0f} state transitions", transitions * sfn_price),
        Line("Lambda", f"{invocations:,.0f} invocations", invocations * p["lambdaPerRequest"]),
        Line("Lambda", f"{gb_seconds:,.0f} GB-seconds (arm64)", gb_seconds * p["lambdaArmPerGbSecond"]),
        Line("DynamoDB", f"{writes:,.0f} writes, {reads:,.0f} reads (on demand)",
             writes * p["dynamodbPerWriteRequestUnit"] + reads * p["dynamodbPerReadRequestUnit"]),
        Line("S3", f"{stored_gb:,.2f} GB added, {puts:,.0f} PUT, {gets:,.0f} GET",
             stored_gb * p["s3StandardPerGbMonth"] + puts * p["s3PerPutRequest"] + gets * p["s3PerGetRequest"]),
        Line("EventBridge Scheduler", f"{posts:,.0f} schedule invocations", posts * p["schedulerPerInvocation"]),
        Line("EventBridge", f"{events:,.0f} custom events", events * p["eventBridgePerCustomEvent"]),
        Line("API Gateway", f"{api:,.0f} HTTP API requests", api * p["httpApiPerRequest"]),
        Line("SQS", f"{sqs:,.0f} requests", sqs * p["sqsPerRequest"]),
        Line("CloudWatch", f"{log_gb:,.3f} GB logs ingested and kept {a['logRetentionMonths']} month(s)",
             log_gb * log_price),
        Line("CloudWatch", f"{custom_metrics} custom metrics (EMF), {alarms} alarms, {dashboards} dashboard(s)",
             custom_metrics * p["cloudWatchPerMetricMonth"] + alarms * p["cloudWatchPerAlarmMonth"]
             + dashboards * p["cloudWatchPerDashboardMonth"]),
        Line("X-Ray", f"{assets:,.0f} traces", assets * p["xrayPerTraceRecorded"]),
    ]  # fmt: skip


def vendor_spend(profiles: Mapping[str, AssetProfile], mix: Mapping[str, float], assets: int) -> list[Line]:
    return [
        Line(
            "Vendors",
            f"{share * assets:,.0f} {m} on {profiles[m].vendor_model}",
            profiles[m].vendor_usd * share * assets,
        )
        for m, share in mix.items()
    ]
