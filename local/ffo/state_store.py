"""The local stack's state on disk, so ``ffo serve`` can stop and start again with its data.

moto keeps everything in memory and has no persistence of its own. This dumps what the product
stores, through the same AWS APIs the product uses (so the files do not depend on moto's internals),
and loads it into a fresh engine:

- every item of every DynamoDB table of the template (requests, assets' provenance, reviews,
  campaigns, posts, accounts, brand kits, budgets): low-level DynamoDB JSON;
- every S3 object version of the template's buckets, oldest first, with its type and metadata (the
  bytes in ``blobs/<sha256>``, written once); delete markers too. Restored versions get new version
  ids (nothing in the product stores one);
- Secrets Manager secrets (but the engine's own signing and review-link secrets, re-seeded at start),
  EventBridge Scheduler schedules and groups, SQS messages (a request queued for budget waits there), and which
  one-time schedules the local scheduler clock already fired;
- the executions running at the time (name and input): executions cannot be saved (they are threads
  of moto's interpreter). ``settle_lost`` answers them as Step Functions would answer an execution
  that was stopped: a "Step Functions Execution Status Change" event with status ABORTED goes to the
  template's ExecutionWatch function, which fails the request with the cause, releases its budget
  hold and announces it (a request that already ended is left alone).

``snapshot.json`` is replaced atomically (written beside, then renamed): a crash leaves the previous
snapshot whole.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from ffo import execution_events
from ffo.cfn import ACCOUNT_ID
from ffo.engine import LOCAL_REVIEW_LINK_SECRET, LOCAL_SIGNING_SECRET, LocalEngine

FORMAT = 1
SNAPSHOT = "snapshot.json"
BLOBS = "blobs"
LOST_ERROR = "LocalServerStopped"
LOST_CAUSE = (
    "the local server stopped while this request's workflow ran (ffo serve keeps data across restarts, "
    "not running executions): submit the request again"
)
OBJECT_FIELDS = ("ContentType", "ContentEncoding", "ContentDisposition", "ContentLanguage", "CacheControl")
SCHEDULE_FIELDS = (
    "Name",
    "GroupName",
    "ScheduleExpression",
    "ScheduleExpressionTimezone",
    "Target",
    "FlexibleTimeWindow",
    "State",
    "ActionAfterCompletion",
    "Description",
    "StartDate",
    "EndDate",
    "KmsKeyArn",
)


@dataclass
class Snapshot:
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    objects: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    secrets: list[dict[str, Any]] = field(default_factory=list)
    schedule_groups: list[str] = field(default_factory=list)
    schedules: list[dict[str, Any]] = field(default_factory=list)
    messages: dict[str, list[str]] = field(default_factory=dict)
    fired: list[list[str]] = field(default_factory=list)
    running: list[dict[str, Any]] = field(default_factory=list)
    saved_at: str = ""

    def counts(self) -> dict[str, int]:
        return {
            "items": sum(len(v) for v in self.tables.values()),
            "objects": sum(len(v) for v in self.objects.values()),
            "secrets": len(self.secrets),
            "schedules": len(self.schedules),
            "messages": sum(len(v) for v in self.messages.values()),
            "running": len(self.running),
        }


def _encode_item(item: dict[str, Any]) -> dict[str, Any]:
    """A DynamoDB JSON item with bytes (B, BS) as base64 text, so it can be written as JSON."""
    return {name: _encode(typed) for name, typed in item.items()}


def _encode(typed: dict[str, Any]) -> dict[str, Any]:
    kind, value = next(iter(typed.items()))
    if kind == "B":
        return {kind: base64.b64encode(bytes(value)).decode("ascii")}
    if kind == "BS":
        return {kind: [base64.b64encode(bytes(v)).decode("ascii") for v in value]}
    if kind == "M":
        return {kind: _encode_item(value)}
    if kind == "L":
        return {kind: [_encode(v) for v in value]}
    return typed


def _decode_item(item: dict[str, Any]) -> dict[str, Any]:
    return {name: _decode(typed) for name, typed in item.items()}


def _decode(typed: dict[str, Any]) -> dict[str, Any]:
    kind, value = next(iter(typed.items()))
    if kind == "B":
        return {kind: base64.b64decode(value)}
    if kind == "BS":
        return {kind: [base64.b64decode(v) for v in value]}
    if kind == "M":
        return {kind: _decode_item(value)}
    if kind == "L":
        return {kind: [_decode(v) for v in value]}
    return typed


class StateStore:
    """A state directory (``out/state`` by default) holding one snapshot of the local stack."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @property
    def snapshot_path(self) -> Path:
        return self.directory / SNAPSHOT

    def exists(self) -> bool:
        return self.snapshot_path.is_file()

    # saving ----------------------------------------------------------------------------------
    def save(self, engine: LocalEngine, fired: set[tuple[str, str]] | None = None) -> Snapshot:
        """Dump the engine's state, between two handler invocations (no step is half done)."""
        (self.directory / BLOBS).mkdir(parents=True, exist_ok=True)
        with engine.exclusive():
            snapshot = Snapshot(
                tables=self._dump_tables(engine),
                objects=self._dump_objects(engine),
                secrets=self._dump_secrets(engine),
                schedules=self._dump_schedules(engine),
                schedule_groups=self._dump_schedule_groups(engine),
                messages=self._dump_messages(engine),
                fired=[list(pair) for pair in sorted(fired or set())],
                running=self.running(engine),
                saved_at=datetime.now(UTC).isoformat(),
            )
        data = {"format": FORMAT, **snapshot.__dict__}
        temporary = self.directory / f".{SNAPSHOT}.{os.getpid()}.tmp"
        temporary.write_text(json.dumps(data, separators=(",", ":")), "utf-8")
        os.replace(temporary, self.snapshot_path)
        self._collect_blobs(snapshot)
        return snapshot

    def _dump_tables(self, engine: LocalEngine) -> dict[str, list[dict[str, Any]]]:
        ddb = engine.client("dynamodb")
        tables: dict[str, list[dict[str, Any]]] = {}
        for name in engine.resources.tables:
            items: list[dict[str, Any]] = []
            for page in ddb.get_paginator("scan").paginate(TableName=name):
                items.extend(_encode_item(item) for item in page.get("Items", []))
            tables[name] = items
        return tables

    def _blob(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        path = self.directory / BLOBS / digest
        if not path.is_file():
            temporary = path.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_bytes(data)
            os.replace(temporary, path)
        return digest

    def _dump_objects(self, engine: LocalEngine) -> dict[str, list[dict[str, Any]]]:
        s3 = engine.client("s3")
        objects: dict[str, list[dict[str, Any]]] = {}
        for bucket in engine.resources.buckets:
            entries: list[tuple[str, datetime, bool, int, dict[str, Any]]] = []
            for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
                listed = [(v, False) for v in page.get("Versions", [])]
                listed += [(m, True) for m in page.get("DeleteMarkers", [])]
                for order, (version, marker) in enumerate(listed):
                    entry: dict[str, Any] = {"key": version["Key"], "deleteMarker": marker}
                    if not marker:
                        got = s3.get_object(Bucket=bucket, Key=version["Key"], VersionId=version["VersionId"])
                        entry["blob"] = self._blob(got["Body"].read())
                        entry["metadata"] = got.get("Metadata", {})
                        entry["sse"] = got.get("ServerSideEncryption")
                        entry.update({f: got[f] for f in OBJECT_FIELDS if got.get(f)})
                    # Oldest first; within one timestamp the latest goes last, the rest as listed (newest first).
                    latest = bool(version.get("IsLatest"))
                    entries.append((version["Key"], version["LastModified"], latest, -order, entry))
            entries.sort(key=lambda e: e[:4])
            objects[bucket] = [entry[-1] for entry in entries]
        return objects

    def _dump_secrets(self, engine: LocalEngine) -> list[dict[str, Any]]:
        client = engine.client("secretsmanager")
        secrets: list[dict[str, Any]] = []
        for page in client.get_paginator("list_secrets").paginate():
            for secret in page.get("SecretList", []):
                if secret["Name"] in (LOCAL_SIGNING_SECRET, LOCAL_REVIEW_LINK_SECRET) or secret.get("DeletedDate"):
                    continue
                value = client.get_secret_value(SecretId=secret["ARN"])
                entry: dict[str, Any] = {"Name": secret["Name"]}
                if "SecretString" in value:
                    entry["SecretString"] = value["SecretString"]
                else:
                    entry["SecretBinary"] = base64.b64encode(value["SecretBinary"]).decode("ascii")
                if secret.get("Description"):
                    entry["Description"] = secret["Description"]
                secrets.append(entry)
        return secrets

    def _dump_schedule_groups(self, engine: LocalEngine) -> list[str]:
        groups = engine.client("scheduler").list_schedule_groups()["ScheduleGroups"]
        return sorted(g["Name"] for g in groups if g["Name"] != "default")

    def _dump_schedules(self, engine: LocalEngine) -> list[dict[str, Any]]:
        client = engine.client("scheduler")
        schedules: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {}
        while True:
            page = client.list_schedules(**kwargs)
            for short in page.get("Schedules", []):
                full = client.get_schedule(Name=short["Name"], GroupName=short["GroupName"])
                entry = {f: full[f] for f in SCHEDULE_FIELDS if full.get(f) is not None}
                for moment in ("StartDate", "EndDate"):
                    if isinstance(entry.get(moment), datetime):
                        entry[moment] = entry[moment].isoformat()
                schedules.append(entry)
            if not page.get("NextToken"):
                return schedules
            kwargs["NextToken"] = page["NextToken"]

    def _dump_messages(self, engine: LocalEngine) -> dict[str, list[str]]:
        """The bodies waiting in each queue: received (hidden) until none is left, then made visible again."""
        sqs = engine.client("sqs")
        messages: dict[str, list[str]] = {}
        for logical_id, url in engine.resources.queues.items():
            received: list[dict[str, Any]] = []
            while True:
                batch = sqs.receive_message(
                    QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=60, WaitTimeSeconds=0
                ).get("Messages", [])
                if not batch:
                    break
                received.extend(batch)
            for message in received:
                sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
            messages[logical_id] = [m["Body"] for m in received]
        return messages

    def running(self, engine: LocalEngine) -> list[dict[str, Any]]:
        sfn = engine.client("stepfunctions")
        running: list[dict[str, Any]] = []
        for arn in engine.resources.state_machines.values():
            for page in sfn.get_paginator("list_executions").paginate(stateMachineArn=arn, statusFilter="RUNNING"):
                for execution in page["executions"]:
                    described = sfn.describe_execution(executionArn=execution["executionArn"])
                    running.append(
                        {
                            "name": execution["name"],
                            "executionArn": execution["executionArn"],
                            "stateMachineArn": arn,
                            "input": described.get("input") or "{}",
                            "startDate": described["startDate"].isoformat(),
                        }
                    )
        return running

    def _collect_blobs(self, snapshot: Snapshot) -> None:
        """Remove blobs no version refers to any more (after the snapshot naming the rest is in place)."""
        wanted = {e["blob"] for entries in snapshot.objects.values() for e in entries if e.get("blob")}
        for path in (self.directory / BLOBS).iterdir():
            if path.name not in wanted and not path.name.endswith(".tmp"):
                path.unlink(missing_ok=True)

    # loading ---------------------------------------------------------------------------------
    def read(self) -> Snapshot | None:
        if not self.exists():
            return None
        data = json.loads(self.snapshot_path.read_text("utf-8"))
        if data.pop("format", None) != FORMAT:
            raise SystemExit(f"ffo: {self.snapshot_path} is of another format; `ffo reset` clears it")
        return Snapshot(**data)

    def load(self, engine: LocalEngine) -> Snapshot | None:
        """Put a snapshot's data into a freshly started engine; the snapshot (None if there is none)."""
        snapshot = self.read()
        if snapshot is None:
            return None
        ddb, s3 = engine.client("dynamodb"), engine.client("s3")
        for table, items in snapshot.tables.items():
            if table not in engine.resources.tables:  # the template dropped it
                continue
            for start in range(0, len(items), 25):
                requests = [{"PutRequest": {"Item": _decode_item(item)}} for item in items[start : start + 25]]
                pending: dict[str, Any] = {table: requests}
                while pending:
                    pending = ddb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
        for bucket, entries in snapshot.objects.items():
            if bucket not in engine.resources.buckets:
                continue
            for entry in entries:
                if entry["deleteMarker"]:
                    s3.delete_object(Bucket=bucket, Key=entry["key"])
                    continue
                args: dict[str, Any] = {f: entry[f] for f in OBJECT_FIELDS if entry.get(f)}
                if entry.get("sse"):
                    args["ServerSideEncryption"] = entry["sse"]
                body = (self.directory / BLOBS / entry["blob"]).read_bytes()
                s3.put_object(Bucket=bucket, Key=entry["key"], Body=body, Metadata=entry.get("metadata", {}), **args)
        secrets = engine.client("secretsmanager")
        for secret in snapshot.secrets:
            args = dict(secret)
            if "SecretBinary" in args:
                args["SecretBinary"] = base64.b64decode(args["SecretBinary"])
            secrets.create_secret(**args)
        scheduler = engine.client("scheduler")
        existing = {g["Name"] for g in scheduler.list_schedule_groups()["ScheduleGroups"]}
        for group in snapshot.schedule_groups:
            if group not in existing:
                scheduler.create_schedule_group(Name=group)
        for schedule in snapshot.schedules:
            args = dict(schedule)
            for moment in ("StartDate", "EndDate"):
                if moment in args:
                    args[moment] = datetime.fromisoformat(args[moment])
            scheduler.create_schedule(**args)
        sqs = engine.client("sqs")
        for logical_id, bodies in snapshot.messages.items():
            url = engine.resources.queues.get(logical_id)
            for body in bodies if url else []:
                sqs.send_message(QueueUrl=url, MessageBody=body)
        return snapshot

    def clear(self) -> None:
        """``ffo reset``: the snapshot and its blobs gone (the directory's lock and port file stay)."""
        self.snapshot_path.unlink(missing_ok=True)
        shutil.rmtree(self.directory / BLOBS, ignore_errors=True)


def settle_lost(engine: LocalEngine, running: list[dict[str, Any]], cause: str = LOST_CAUSE) -> list[str]:
    """Announce executions that were lost (the server stopped under them) as ABORTED, the way Step
    Functions announces a stopped execution, to the functions whose EventBridge rule matches
    (ExecutionWatch settles the request). The names of the executions announced."""
    announced: list[str] = []
    for lost in running:
        execution = SimpleNamespace(
            exec_status="ABORTED",
            output=None,
            exec_arn=lost["executionArn"],
            state_machine_arn=lost["stateMachineArn"],
            name=lost["name"],
            start_date=datetime.fromisoformat(lost["startDate"]),
            stop_date=datetime.now(UTC),
            input_data=json.loads(lost.get("input") or "{}"),
            error=LOST_ERROR,
            cause=cause,
        )
        event = execution_events.status_change(execution, engine.region, ACCOUNT_ID)
        for pattern, function in engine.event_rules:
            if execution_events.matches(pattern, event):
                engine.invoke(function, event)
        announced.append(lost["name"])
    return announced
