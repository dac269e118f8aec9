"""The publish path's work per post, printed, never asserted: `python tests/bench/bench_publish.py`.

Counts, per published post, the DynamoDB reads and writes, the other AWS calls (S3, Secrets Manager,
EventBridge, Scheduler) and the platform HTTP calls, for:

1. the outbox publisher (the embedded default: no platform HTTP call);
2. the real X adapter (respx stands in for api.x.com: text post, then an image post with its upload);
3. a duplicate fire of an already published post.

AWS calls are counted by wrapping botocore's ``BaseClient._make_api_call`` (moto answers them);
HTTP calls are respx's call count. The first post of an account also reads its secret; Powertools
caches it for 5 minutes, so the steady state has no Secrets Manager call.
"""

from __future__ import annotations

import json
import os
import sys
import time
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

import boto3
import httpx
import respx
from botocore.client import BaseClient
from moto import mock_aws

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "FlashFusion")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
    os.environ.setdefault(name, "testing")

warnings.filterwarnings("ignore", message="Couldn't determine the remaining time left")

POSTS = int(os.environ.get("BENCH_POSTS", "20"))
READS = {"GetItem", "Query", "Scan", "BatchGetItem"}
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f0000003010100c9fe92ef0000000049454e44ae426082"
)


class Calls:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def record(self, service: str, operation: str) -> None:
        if service == "dynamodb":
            self.counts[
                "dynamodb reads" if operation in READS else "dynamodb writes" if operation in WRITES else service
            ] += 1
        else:
            self.counts[f"{service} {operation}"] += 1

    def take(self) -> Counter[str]:
        taken, self.counts = self.counts, Counter()
        return taken


def per_post(counts: Counter[str], posts: int, http: int) -> str:
    parts = [f"{name} {value / posts:.2f}" for name, value in sorted(counts.items())]
    parts.append(f"platform HTTP {http / posts:.2f}")
    return ", ".join(parts)


def main() -> None:
    calls = Calls()
    with mock_aws():
        original = BaseClient._make_api_call

        def counted(client: Any, operation: str, params: Any) -> Any:  # every client, whichever session made it
            calls.record(client.meta.service_model.service_name, operation)
            return original(client, operation, params)

        BaseClient._make_api_call = counted  # type: ignore[method-assign]
        from flashfusion.app.posts import schedule
        from flashfusion.app.publishing import publish
        from flashfusion.aws.secrets import account_credentials
        from flashfusion.publishers import publisher_for
        from tests.unit.campaigns.world import ORG, build_world

        world = build_world()
        boto3.client("secretsmanager").create_secret(
            Name=f"bench/accounts/{ORG}/acct-x", SecretString=json.dumps({"accessToken": "bench-token"})
        )
        boto3.client("secretsmanager").create_secret(
            Name=f"bench/accounts/{ORG}/acct-outbox", SecretString=json.dumps({"accessToken": "unused"})
        )
        out = ROOT / "out" / "bench-outbox"

        def deps(platform_publisher: Any) -> Any:
            base = world.publish_deps(enabled=frozenset({"outbox", "x"}))
            base.credentials = account_credentials("bench/accounts")
            base.events = boto3.client("events")
            base.publisher_for = platform_publisher
            return base

        def run(label: str, platform: str, publisher: Any, caption: str | None = None, image: bool = False) -> None:
            account = world.account(f"acct-{platform}", platform)
            posts = []
            for _ in range(POSTS):
                asset = world.asset("Spring hiking, ready when you are.")
                if image:  # the same asset as a PNG image
                    world.s3.put_object(Bucket="ffo-campaigns-assets", Key=asset.key.replace(".txt", ".png"), Body=PNG)
                    prov = deps(publisher).provenance.get(ORG, asset.asset_id, 1)
                    world.table.update_item(
                        Key={"PK": f"ORG#{ORG}", "SK": f"ASSET#{asset.asset_id}#V#000001"},
                        UpdateExpression="SET #k = :k",
                        ExpressionAttributeNames={"#k": "key"},
                        ExpressionAttributeValues={":k": prov.key.replace(".txt", ".png")},
                    )
                posts.append(schedule(world.post(asset, account, caption=caption), world.scheduling)[0])
            with respx.mock(assert_all_called=False) as router:
                router.post("https://api.x.com/2/tweets").mock(
                    return_value=httpx.Response(201, json={"data": {"id": "1850000000000000001", "text": "t"}})
                )
                router.post("https://api.x.com/2/media/upload").mock(
                    return_value=httpx.Response(200, json={"data": {"id": "1850000000000000009", "media_key": "3_1"}})
                )
                calls.take()
                started = time.perf_counter()
                first = publish(ORG, posts[0].post_id, deps(publisher))
                first_counts, first_http = calls.take(), router.calls.call_count
                for post in posts[1:]:
                    outcome = publish(ORG, post.post_id, deps(publisher))
                    assert outcome.outcome == "published", outcome
                elapsed = time.perf_counter() - started
                rest, rest_http = calls.take(), router.calls.call_count - first_http
                duplicate = publish(ORG, posts[0].post_id, deps(publisher))
                dup_counts, dup_http = calls.take(), router.calls.call_count - first_http - rest_http
            assert first.outcome == "published", first
            print(f"{label}:")
            print(f"  first post:   {per_post(first_counts, 1, first_http)}")
            print(f"  steady state: {per_post(rest, POSTS - 1, rest_http)}")
            print(f"  duplicate fire ({duplicate.outcome}): {per_post(dup_counts, 1, dup_http)}")
            print(f"  {elapsed / POSTS * 1000:.1f} ms per post against moto (in-process)")

        run("outbox publisher", "outbox", lambda platform: publisher_for(platform, outbox_dir=out))
        run("X adapter, text post", "x", lambda platform: publisher_for(platform))
        run("X adapter, image post", "x", lambda platform: publisher_for(platform), caption="Trail-ready", image=True)


if __name__ == "__main__":
    main()
