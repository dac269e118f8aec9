"""A small AWS world under moto for the campaign tests: the app table of template.yaml, the assets
bucket, a schedule group, the publish DLQ, and repositories and use-case deps over them."""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

from ffo.cfn import load_template
from flashfusion.app.posts import SchedulingDeps, make_post
from flashfusion.app.publishing import PublishDeps
from flashfusion.aws.scheduler import PostScheduler, ScheduleTarget
from flashfusion.models import AssetRef, AssetRequest, Cost, Provenance, RequestStatus, prompt_hash
from flashfusion.publishers.base import PublishContent, PublishResult
from flashfusion.scheduling.models import PlatformAccount, Post
from flashfusion.storage import keys
from flashfusion.storage.campaigns import AccountRepository, CampaignRepository, PostRepository
from flashfusion.storage.dynamo import ProvenanceRepository, RequestRepository
from tests.helpers import ORG, ROOT

TEMPLATE = load_template(ROOT / "template.yaml")
TABLE = "ffo-campaigns-table"
BUCKET = "ffo-campaigns-assets"
GROUP = "ffo-posts"
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:PublishFunction"
ROLE_ARN = "arn:aws:iam::123456789012:role/scheduler"


class FakePublisher:
    """Records each publish; ``delay`` keeps a call in progress; ``errors`` are raised in order first."""

    platform = "outbox"

    def __init__(self, delay: float = 0.0, errors: list[Exception] | None = None) -> None:
        self.calls: list[tuple[str, dict[str, str], PublishContent]] = []
        self.delay = delay
        self.errors = list(errors or [])
        self.lock = threading.Lock()

    def publish(self, account: PlatformAccount, credentials: dict[str, str], content: PublishContent) -> PublishResult:
        with self.lock:
            if self.errors:
                raise self.errors.pop(0)
            self.calls.append((account.account_id, credentials, content))
            number = len(self.calls)
        time.sleep(self.delay)
        return PublishResult(platform_post_id=f"pp-{number}", url=f"https://example.test/p/{number}")


@dataclass
class World:
    table: Any
    s3: Any
    scheduler_client: Any
    sqs: Any
    dlq_url: str
    dlq_arn: str
    clock: list[datetime] = field(default_factory=lambda: [NOW])
    publisher: FakePublisher = field(default_factory=FakePublisher)
    credentials_read: list[tuple[str, str]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)

    def now(self) -> datetime:
        return self.clock[0]

    @property
    def scheduling(self) -> SchedulingDeps:
        return SchedulingDeps(
            campaigns=CampaignRepository(self.table),
            posts=PostRepository(self.table),
            accounts=AccountRepository(self.table),
            scheduler=PostScheduler(self.scheduler_client, ScheduleTarget(FUNCTION_ARN, ROLE_ARN, self.dlq_arn, GROUP)),
            clock=self.now,
        )

    def publish_deps(self, enabled: frozenset[str] = frozenset({"outbox", "x", "linkedin"})) -> PublishDeps:
        world = self

        class Events:
            def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
                world.events.extend(Entries)
                return {"FailedEntryCount": 0, "Entries": [{"EventId": "e"} for _ in Entries]}

        def credentials(org_id: str, account_id: str) -> dict[str, str]:
            self.credentials_read.append((org_id, account_id))
            return {"accessToken": f"token-{account_id}"}

        return PublishDeps(
            scheduling=self.scheduling,
            table=self.table,
            provenance=ProvenanceRepository(self.table),
            requests=RequestRepository(self.table),
            s3=self.s3,
            bucket=BUCKET,
            events=Events(),
            event_bus="default",
            enabled_publishers=enabled,
            publisher_for=lambda platform: self.publisher,
            credentials=credentials,
            idempotency_client=boto3.client("dynamodb", region_name="us-east-1"),
        )

    # seeding ---------------------------------------------------------------------------------
    def account(self, account_id: str = "acct-x", platform: str = "x", org: str = ORG) -> PlatformAccount:
        account = PlatformAccount(account_id=account_id, platform=platform, handle=f"@{account_id}")  # type: ignore[arg-type]
        AccountRepository(self.table).put(org, account)
        return account

    def asset(
        self, text: str = "Spring hiking, ready when you are.", org: str = ORG, lint_passed: bool = True
    ) -> AssetRef:
        """A saved text asset: its S3 object, its provenance record and its succeeded request."""
        asset_id = uuid.uuid4().hex[:12]
        request = AssetRequest(
            content_type="text",  # type: ignore[arg-type]
            prompt="Write a post",
            brand_kit_id="aurora-core",
            request_id=str(uuid.uuid4()),
            org_id=org,
            user_id="user-1",
        )
        requests = RequestRepository(self.table)
        requests.create(request, "hash")
        key = keys.asset_object_key(org, asset_id, 1, "txt")
        self.s3.put_object(Bucket=BUCKET, Key=key, Body=text.encode("utf-8"))
        ProvenanceRepository(self.table).put(
            Provenance(
                asset_id=asset_id,
                version=1,
                org_id=org,
                request_id=request.request_id,
                content_type="text",  # type: ignore[arg-type]
                model="local/text-standard",
                provider="local",
                vendor_model="offline",
                offline=True,
                prompt_hash=prompt_hash("Write a post"),
                dataset_tag="offline-v1",
                generated_at=NOW - timedelta(hours=1),
                brand_kit_id="aurora-core",
                brand_kit_version=1,
                lint_passed=lint_passed,
                cost=Cost(),
                latency_ms=5,
                output_hash=hashlib.sha256(text.encode()).hexdigest(),
                bucket=BUCKET,
                key=key,
            )
        )
        ref = AssetRef(
            asset_id=asset_id, version=1, bucket=BUCKET, key=key, model="local/text-standard", mime_type="text/plain"
        )
        requests.set_saved(org, request.request_id, ref, RequestStatus.SUCCEEDED)
        return ref

    def post(
        self,
        asset: AssetRef,
        account: PlatformAccount,
        at: datetime | None = None,
        org: str = ORG,
        caption: str | None = None,
    ) -> Post:
        return make_post(
            org_id=org,
            post_id=uuid.uuid4().hex,
            asset_id=asset.asset_id,
            asset_version=asset.version,
            platform=account.platform,
            account_id=account.account_id,
            at=at or self.now() + timedelta(hours=2),
            time_zone="Europe/Paris",
            caption=caption,
            now=self.now(),
        )

    def schedules(self) -> list[dict[str, Any]]:
        names = [s["Name"] for s in self.scheduler_client.list_schedules(GroupName=GROUP)["Schedules"]]
        return [self.scheduler_client.get_schedule(Name=n, GroupName=GROUP) for n in names]


def build_world() -> World:
    props = TEMPLATE["Resources"]["AppTable"]["Properties"]
    ddb = boto3.resource("dynamodb", region_name="us-east-1")
    table = ddb.create_table(
        TableName=TABLE,
        AttributeDefinitions=props["AttributeDefinitions"],
        KeySchema=props["KeySchema"],
        BillingMode=props["BillingMode"],
        GlobalSecondaryIndexes=props["GlobalSecondaryIndexes"],
    )
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket=BUCKET)
    scheduler = boto3.client("scheduler", region_name="us-east-1")
    scheduler.create_schedule_group(Name=GROUP)
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(QueueName="ffo-publish-dlq")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return World(table=table, s3=s3, scheduler_client=scheduler, sqs=sqs, dlq_url=url, dlq_arn=arn)
