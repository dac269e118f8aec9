"""POST /v1/lint of an uploaded track or video: 202 with a job, LintJobFunction (the template's SQS consumer of
LintJobQueue, run by the local engine) lints it, GET /v1/lint/jobs/{jobId} shows it queued, running, then
succeeded with the synchronous path's report or failed with a readable cause; other organisations find nothing."""

from __future__ import annotations

import io
import math
import struct
import wave
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.api.test_api import json_error, problems
from tests.api.test_lint_api import FUNCTION, KIT, lint, rules, upload
from tests.helpers import ORG, OTHER_ORG, body_of, claims

QUEUE = "LintJobQueue"


def tone(seconds: float = 1.5, rate: int = 16_000, hz: float = 440.0, level: float = 0.3) -> bytes:
    """A mono 16-bit PCM WAV of a sine tone."""
    frames = b"".join(
        struct.pack("<h", round(level * 32767 * math.sin(2 * math.pi * hz * n / rate)))
        for n in range(int(seconds * rate))
    )
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(frames)
    return out.getvalue()


def queued(engine: Any, data: bytes, mime: str, org: str = ORG, **options: Any) -> dict[str, Any]:
    response = lint(engine, {"brandKitId": KIT, "uploadId": upload(engine, data, mime, org=org), **options}, org=org)
    assert response["statusCode"] == 202, response
    job: dict[str, Any] = body_of(response)
    assert response["headers"]["Location"] == job["statusUrl"] == f"/v1/lint/jobs/{job['jobId']}"
    return job


def poll(engine: Any, job: dict[str, Any], org: str = ORG) -> dict[str, Any]:
    response = engine.api("GET", job["statusUrl"], None, claims(org), function=FUNCTION)
    assert response["statusCode"] == 200, response
    body: dict[str, Any] = body_of(response)
    return body


def test_an_uploaded_track_is_linted_as_a_job(engine: Any) -> None:
    job = queued(engine, tone(), "audio/wav", channel="instagram")
    assert (job["status"], job["brandKitId"], job["brandKitVersion"], job["mimeType"]) == (
        "queued",
        KIT,
        1,
        "audio/wav",
    )
    assert poll(engine, job)["status"] == "queued"  # nothing runs until the queue's consumer does

    delivered = engine.deliver(QUEUE)

    assert (len(delivered["succeeded"]), delivered["failed"]) == (1, [])
    done = poll(engine, job)
    assert done["status"] == "succeeded", done
    assert done["attempts"] == 1
    result = done["result"]
    assert (result["brandKitId"], result["brandKitVersion"], result["mimeType"]) == (KIT, 1, "audio/wav")
    checked = set(result["report"]["rulesChecked"])
    assert any(rule.startswith("audio.") for rule in checked), checked  # the audio checks ran
    assert not {"colors.palette", "voice.required-term"} & checked
    assert engine.deliver(QUEUE) == {"succeeded": [], "failed": []}  # the message is gone


def test_the_kit_version_is_pinned_when_the_job_is_queued(engine: Any, sample_kit: dict[str, Any]) -> None:
    job = queued(engine, tone(), "audio/wav")
    engine.seed_brand_kit(ORG, {**sample_kit, "version": 2})  # a new version lands while the job waits

    engine.deliver(QUEUE)

    assert poll(engine, job)["result"]["brandKitVersion"] == 1


def test_a_video_that_cannot_be_decoded_is_a_report_as_in_the_workflow(engine: Any) -> None:
    job = queued(engine, b"\x00\x00\x00\x18ftypmp42 but nothing else", "video/mp4")
    engine.deliver(QUEUE)

    done = poll(engine, job)
    assert done["status"] == "succeeded", done
    assert done["result"]["report"]["compliant"] is False
    assert rules(done["result"]["report"], "error") == {"video.decodable"}


def test_a_lint_that_fails_marks_the_job_failed_with_its_cause(engine: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from flashfusion.app import lint_jobs

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the decoder ran out of patience")

    job = queued(engine, tone(), "audio/wav")
    monkeypatch.setattr(lint_jobs, "report_for", broken)

    delivered = engine.deliver(QUEUE)

    assert delivered["failed"] == []  # recorded as failed: retrying the same bytes would fail the same way
    done = poll(engine, job)
    assert done["status"] == "failed"
    assert done["error"] == "the lint failed: RuntimeError: the decoder ran out of patience"
    assert "result" not in done


def test_a_passing_aws_error_is_retried_then_fails_the_job_on_the_last_delivery(
    engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flashfusion.app import lint_jobs
    from flashfusion.wiring import get_deps

    job = queued(engine, tone(), "audio/wav")
    deps = get_deps()

    def unavailable(org_id: str, key: str) -> bytes:
        raise ConnectionError("S3 is briefly unreachable")

    monkeypatch.setattr(deps.assets, "read_staged", unavailable)
    for delivery in range(1, lint_jobs.MAX_DELIVERIES):
        assert len(engine.deliver(QUEUE)["failed"]) == 1, delivery  # back to the queue
        assert poll(engine, job)["status"] == "running"
    assert len(engine.deliver(QUEUE)["failed"]) == 1  # the last delivery: to the DLQ, and the job says why

    done = poll(engine, job)
    assert done["status"] == "failed"
    assert done["attempts"] == lint_jobs.MAX_DELIVERIES
    assert "after 3 attempts: ConnectionError: S3 is briefly unreachable" in done["error"]
    assert engine.deliver(QUEUE) == {"succeeded": [], "failed": []}  # redriven to the dead-letter queue
    dead = engine.client("sqs").receive_message(QueueUrl=engine.resources.queues["LintJobDeadLetterQueue"])
    assert [m["Body"] for m in dead.get("Messages", [])] == [f'{{"orgId":"{ORG}","jobId":"{job["jobId"]}"}}']


def test_a_duplicate_delivery_does_not_run_a_finished_job_again(engine: Any) -> None:
    from flashfusion.app import lint_jobs
    from flashfusion.app.lint_jobs import LintJobMessage
    from flashfusion.wiring import get_deps

    job = queued(engine, tone(), "audio/wav")
    engine.deliver(QUEUE)
    finished = poll(engine, job)

    again = lint_jobs.run(LintJobMessage(org_id=ORG, job_id=job["jobId"]), 1, get_deps())

    assert again is None
    assert poll(engine, job) == finished


def test_another_organisation_s_job_is_not_found(engine: Any) -> None:
    job = queued(engine, tone(), "audio/wav")
    engine.deliver(QUEUE)

    theirs = engine.api("GET", job["statusUrl"], None, claims(OTHER_ORG), function=FUNCTION)

    assert json_error(theirs, 404)["code"] == "not_found"
    unknown = engine.api("GET", f"/v1/lint/jobs/{'0' * 32}", None, claims(), function=FUNCTION)
    assert json_error(unknown, 404)["code"] == "not_found"
    malformed = engine.api("GET", "/v1/lint/jobs/..%2F..%2Fetc", None, claims(), function=FUNCTION)
    assert json_error(malformed, 404)["code"] == "not_found"
    assert poll(engine, job)["status"] == "succeeded"  # unchanged by their attempt


def test_another_organisation_s_upload_queues_nothing(engine: Any) -> None:
    theirs = upload(engine, tone(), "audio/wav", org=OTHER_ORG)

    error = json_error(lint(engine, {"brandKitId": KIT, "uploadId": theirs}), 400)

    assert "uploadId" in problems(error)
    assert engine.deliver(QUEUE) == {"succeeded": [], "failed": []}


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"brandKitId": "no-such-kit"}, {"brandKitId"}),
        ({"brandKitId": KIT, "brandKitVersion": 9}, {"brandKitId", "brandKitVersion"}),
        ({"brandKitId": KIT, "locale": "English"}, {"locale"}),
        ({"brandKitId": KIT, "text": "also text"}, {"text", "uploadId"}),
    ],
)
def test_bad_input_is_a_400_and_queues_nothing(engine: Any, body: dict[str, Any], fields: set[str]) -> None:
    uploaded = upload(engine, tone(), "audio/wav")

    error = json_error(lint(engine, {"uploadId": uploaded, **body}), 400)

    assert fields <= set(problems(error)), error
    assert engine.deliver(QUEUE) == {"succeeded": [], "failed": []}


def test_a_track_over_the_size_limit_is_refused_before_it_is_queued(
    engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flashfusion.app import lint_only

    monkeypatch.setattr(lint_only, "MAX_MEDIA_UPLOAD_BYTES", 1024)
    error = json_error(lint(engine, {"brandKitId": KIT, "uploadId": upload(engine, tone(), "audio/wav")}), 400)

    assert "larger than" in problems(error)["uploadId"]
    assert engine.deliver(QUEUE) == {"succeeded": [], "failed": []}


def test_the_upload_ticket_says_how_large_a_track_may_be(engine: Any) -> None:
    from flashfusion.app.lint_only import MAX_LINT_UPLOAD_BYTES, MAX_MEDIA_UPLOAD_BYTES

    tickets = {
        mime: body_of(engine.api("POST", "/v1/lint/uploads", {"mimeType": mime}, claims(), function=FUNCTION))
        for mime in ("audio/mpeg", "video/mp4", "image/png")
    }
    assert tickets["audio/mpeg"]["maxBytes"] == tickets["video/mp4"]["maxBytes"] == MAX_MEDIA_UPLOAD_BYTES
    assert tickets["image/png"]["maxBytes"] == MAX_LINT_UPLOAD_BYTES


def test_a_dead_lettered_job_is_failed_for_its_poller(engine: Any) -> None:
    """The worker timed out or crashed on every delivery (no exception handler ran): the message lands in the
    dead-letter queue, whose consumer fails the job; a job that had already finished keeps its outcome."""
    from flashfusion.wiring import get_deps

    stuck = queued(engine, tone(), "audio/wav")
    done = queued(engine, tone(), "audio/wav")
    sqs = engine.client("sqs")
    queue = engine.resources.queues[QUEUE]
    for message in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]:
        sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])  # as the redrive takes them
    deps = get_deps()
    assert deps.lint_jobs is not None
    now = datetime.now(UTC)
    assert deps.lint_jobs.start(ORG, stuck["jobId"], now) is not None  # a worker started, then died
    deps.lint_jobs.finish(ORG, done["jobId"], "failed", now, error="earlier cause")
    dead_letters = engine.resources.queues["LintJobDeadLetterQueue"]
    for job in (stuck, done):
        sqs.send_message(QueueUrl=dead_letters, MessageBody=f'{{"orgId":"{ORG}","jobId":"{job["jobId"]}"}}')

    delivered = engine.deliver("LintJobDeadLetterQueue")

    assert (len(delivered["succeeded"]), delivered["failed"]) == (2, [])
    failed = poll(engine, stuck)
    assert failed["status"] == "failed"
    assert failed["error"].startswith("the lint did not finish after 3 attempts")
    assert poll(engine, done)["error"] == "earlier cause"
