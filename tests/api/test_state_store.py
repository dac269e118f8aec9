"""The local state on disk: what `ffo serve` saves comes back whole in a fresh engine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ffo.state_store import StateStore


def test_versions_delete_markers_secrets_schedules_and_queued_messages_come_back(
    fresh_engine: Any, tmp_path: Path
) -> None:
    engine = fresh_engine
    s3, bucket = engine.client("s3"), next(b for b in engine.resources.buckets if "assets" in b)
    s3.put_object(Bucket=bucket, Key="orgs/acme/a.txt", Body=b"first", ContentType="text/plain")
    s3.put_object(Bucket=bucket, Key="orgs/acme/a.txt", Body=b"second", Metadata={"sha": "x"})
    s3.put_object(Bucket=bucket, Key="orgs/acme/gone.bin", Body=b"\x00\x01")
    s3.delete_object(Bucket=bucket, Key="orgs/acme/gone.bin")
    table = next(iter(engine.resources.tables))
    engine.client("dynamodb").put_item(
        TableName=table, Item={"PK": {"S": "T#1"}, "SK": {"S": "x"}, "blob": {"B": b"\xff\x00"}, "n": {"N": "3"}}
    )
    engine.client("secretsmanager").create_secret(Name="flashfusion/local/accounts/acme/a1", SecretString='{"t":1}')
    scheduler = engine.client("scheduler")
    group = next(g["Name"] for g in scheduler.list_schedule_groups()["ScheduleGroups"] if g["Name"] != "default")
    scheduler.create_schedule(
        Name="post-1",
        GroupName=group,
        ScheduleExpression="at(2030-01-01T10:00:00)",
        ScheduleExpressionTimezone="Europe/Paris",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={
            "Arn": "arn:aws:lambda:us-east-1:123456789012:function:PublishFunction",
            "RoleArn": "arn:r",
            "Input": "{}",
        },
        ActionAfterCompletion="DELETE",
    )
    queue = next(iter(engine.resources.queues))
    engine.client("sqs").send_message(QueueUrl=engine.resources.queues[queue], MessageBody=json.dumps({"q": 1}))

    store = StateStore(tmp_path)
    saved = store.save(engine, {(group, "fired-before")})
    assert saved.counts()["messages"] == 1
    # the message is still there for the worker after the save looked at it
    assert engine.client("sqs").receive_message(QueueUrl=engine.resources.queues[queue])["Messages"]
    engine.reset_world()
    loaded = store.load(engine)

    assert loaded is not None
    assert loaded.fired == [[group, "fired-before"]]
    versions = s3.list_object_versions(Bucket=bucket, Prefix="orgs/acme/")
    latest = s3.get_object(Bucket=bucket, Key="orgs/acme/a.txt")
    assert (latest["Body"].read(), latest["Metadata"]) == (b"second", {"sha": "x"})
    bodies = [
        s3.get_object(Bucket=bucket, Key=v["Key"], VersionId=v["VersionId"])["Body"].read()
        for v in versions["Versions"]
        if v["Key"] == "orgs/acme/a.txt"
    ]
    assert sorted(bodies) == [b"first", b"second"]
    assert [m["Key"] for m in versions.get("DeleteMarkers", []) if m["IsLatest"]] == ["orgs/acme/gone.bin"]
    item = engine.client("dynamodb").get_item(TableName=table, Key={"PK": {"S": "T#1"}, "SK": {"S": "x"}})["Item"]
    assert item["blob"]["B"] == b"\xff\x00"
    secret = engine.client("secretsmanager").get_secret_value(SecretId="flashfusion/local/accounts/acme/a1")
    assert secret["SecretString"] == '{"t":1}'
    schedule = scheduler.get_schedule(Name="post-1", GroupName=group)
    assert (schedule["ScheduleExpressionTimezone"], schedule["ActionAfterCompletion"]) == ("Europe/Paris", "DELETE")
    message = engine.client("sqs").receive_message(QueueUrl=engine.resources.queues[queue])["Messages"][0]
    assert json.loads(message["Body"]) == {"q": 1}


def test_a_blob_no_version_refers_to_is_removed(fresh_engine: Any, tmp_path: Path) -> None:
    engine = fresh_engine
    s3, bucket = engine.client("s3"), next(b for b in engine.resources.buckets if "assets" in b)
    s3.put_object(Bucket=bucket, Key="orgs/acme/x.txt", Body=b"kept")
    store = StateStore(tmp_path)
    store.save(engine)
    (tmp_path / "blobs" / ("0" * 64)).write_bytes(b"stray")
    store.save(engine)
    assert [p.read_bytes() for p in (tmp_path / "blobs").iterdir()] == [b"kept"]
