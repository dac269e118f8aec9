"""Lint jobs: ``POST /v1/lint`` of an uploaded track or video, which takes longer than an API call may.

The API checks everything a client can get wrong at once (the body, the kit version, the upload and its size:
400s), pins the kit version, stores a job (queued) and sends its id to the lint job queue; the answer is 202
with the job and where to poll it (``GET /v1/lint/jobs/{jobId}``). LintJobFunction takes the message, marks the
job running, lints the upload exactly as ``lint_only`` lints an image (the workflow's checks and report,
aggregated the same way) and records the outcome: ``succeeded`` with that report, or ``failed`` with a cause a
person can read.

What is retried and what is not: reading the job, the kit or the upload from AWS can fail for a moment, and
such an error goes back to the queue (SQS redelivers it, up to the queue's maxReceiveCount, then the DLQ); on
the last delivery the job is failed with that cause first, so a poller never waits on a dead letter. The lint
itself is deterministic: when it raises, the same bytes would raise again, so the job fails at once.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from flashfusion.app.caller import Caller
from flashfusion.app.deps import Deps, JobQueue
from flashfusion.app.lint_only import (
    ASYNC_UPLOAD_TYPES,
    LintRequest,
    LintResult,
    checked,
    kit_for,
    located_upload,
    report_for,
)
from flashfusion.errors import InvalidRequest, LintJobNotFound
from flashfusion.modelbase import CamelModel
from flashfusion.models import utcnow
from flashfusion.observability import MetricUnit, logger, metrics
from flashfusion.storage.lint_jobs import LintJobRepository

LintJobStatus = Literal["queued", "running", "succeeded", "failed"]
MAX_DELIVERIES = 3
"""The lint job queue's maxReceiveCount (template.yaml, LintJobQueue): the delivery that fails the job."""
MAX_CAUSE = 1_000
"""Characters of a failure's cause kept in the job (a decoder's message can be long)."""
JOB_PATH = "/v1/lint/jobs/{}"
INTERNAL_FIELDS = ("uploadKey", "request")
"""What the job item holds for its worker and the API does not show."""


class LintJob(CamelModel):
    """A lint of an uploaded track or video, as ``GET /v1/lint/jobs/{jobId}`` shows it."""

    job_id: str
    status: LintJobStatus = Field(description="queued, running, then succeeded (see result) or failed (see error)")
    status_url: str = Field(description="where to poll this job (also the Location header of the 202)")
    brand_kit_id: str
    brand_kit_version: int = Field(description="the kit version the job checks against, pinned when it was queued")
    mime_type: str = Field(description="the uploaded file's type")
    created_at: datetime
    updated_at: datetime
    attempts: int = Field(default=0, description="how many times a worker has started on it")
    result: LintResult | None = Field(default=None, description="once succeeded: the same answer as a synchronous lint")
    error: str | None = Field(default=None, description="once failed: why, for a person")


class LintJobMessage(CamelModel):
    """What the queue carries: which job (the job item holds the rest, so a message stays tiny)."""

    org_id: str
    job_id: str


def lint_or_queue(caller: Caller, request: LintRequest, deps: Deps) -> LintResult | LintJob:
    """``POST /v1/lint``: text and images are linted now; an uploaded track or video becomes a queued job."""
    checked(request)
    kit = kit_for(caller.org_id, request, deps)
    if request.upload_id is None:
        return report_for(caller.org_id, kit, request, str(request.text).encode("utf-8"), "text/plain", deps)
    key, mime = located_upload(caller.org_id, request.upload_id, deps)
    if mime not in ASYNC_UPLOAD_TYPES:
        return report_for(caller.org_id, kit, request, deps.assets.read_staged(caller.org_id, key), mime, deps)
    pinned = request.model_copy(update={"brand_kit_version": kit.version})
    return submit(caller.org_id, pinned, key, mime, deps)


def submit(org_id: str, request: LintRequest, key: str, mime: str, deps: Deps) -> LintJob:
    """Store the job, then queue it. A job that could not be queued is failed at once (with why), so nobody
    polls a job no worker will ever see; the error still reaches the client as a 5xx to retry."""
    jobs, queue = _wired(deps)
    now = utcnow()
    job_id = uuid.uuid4().hex
    job = LintJob(
        job_id=job_id,
        status="queued",
        status_url=JOB_PATH.format(job_id),
        brand_kit_id=request.brand_kit_id,
        brand_kit_version=int(request.brand_kit_version or 0),
        mime_type=mime,
        created_at=now,
        updated_at=now,
    )
    spec = {"uploadKey": key, "request": request.to_json()}
    jobs.create(org_id, job_id, {**job.to_json(), **spec}, now)
    try:
        queue.send(LintJobMessage(org_id=org_id, job_id=job_id).to_json())
    except Exception as error:
        jobs.finish(org_id, job_id, "failed", utcnow(), error=f"the job could not be queued: {_cause(error)}")
        raise
    metrics.add_metric(name="LintJobsQueued", unit=MetricUnit.Count, value=1)
    return job


def get(caller: Caller, job_id: str, deps: Deps) -> LintJob:
    """The caller's organisation's job; another organisation's id is not found (404), as an unknown one."""
    jobs, _ = _wired(deps)
    if not _is_job_id(job_id):
        raise LintJobNotFound(f"lint job {job_id} not found")
    item = jobs.get(caller.org_id, job_id)
    return LintJob.model_validate({k: v for k, v in item.items() if k not in INTERNAL_FIELDS})


def run(message: LintJobMessage, delivery: int, deps: Deps) -> LintJobStatus | None:
    """Lint a queued job (the worker's use case); its final status, or None when it had already finished (a
    duplicate delivery) or expired. Raises what should be retried (see the module's docstring)."""
    jobs, _ = _wired(deps)
    try:
        started = jobs.start(message.org_id, message.job_id, utcnow())
        if started is None:
            logger.info("lint job already finished or gone", extra={"jobId": message.job_id})
            return None
        request = LintRequest.model_validate(started["request"])
        kit = kit_for(message.org_id, request, deps)
        data = deps.assets.read_staged(message.org_id, str(started["uploadKey"]))
    except InvalidRequest as error:  # the kit version was deleted since: not something a retry changes
        return _failed(jobs, message, f"the brand kit cannot be read: {error}")
    except Exception as error:
        if delivery >= MAX_DELIVERIES:
            _failed(jobs, message, f"the job could not be started after {delivery} attempts: {_cause(error)}")
        raise
    try:
        result = report_for(message.org_id, kit, request, data, str(started["mimeType"]), deps)
    except Exception as error:  # deterministic: the same bytes fail the same way
        logger.exception("lint job failed", extra={"jobId": message.job_id})
        return _failed(jobs, message, f"the lint failed: {_cause(error)}")
    jobs.finish(message.org_id, message.job_id, "succeeded", utcnow(), result=result.to_json())
    metrics.add_metric(name="LintJobsSucceeded", unit=MetricUnit.Count, value=1)
    return "succeeded"


def dead_lettered(message: LintJobMessage, deps: Deps) -> bool:
    """A message the queue gave up on (its deliveries spent: the worker timed out or crashed each time, which no
    exception handler sees): its job, if not finished yet, is failed so that pollers stop waiting. Whether it was."""
    jobs, _ = _wired(deps)
    cause = (
        f"the lint did not finish after {MAX_DELIVERIES} attempts (the worker ran out of time or memory); "
        "a shorter or smaller file may pass"
    )
    if not jobs.finish(message.org_id, message.job_id, "failed", utcnow(), error=cause):
        return False
    metrics.add_metric(name="LintJobsFailed", unit=MetricUnit.Count, value=1)
    return True


def _failed(jobs: LintJobRepository, message: LintJobMessage, cause: str) -> LintJobStatus:
    jobs.finish(message.org_id, message.job_id, "failed", utcnow(), error=cause[:MAX_CAUSE])
    metrics.add_metric(name="LintJobsFailed", unit=MetricUnit.Count, value=1)
    return "failed"


def _cause(error: Exception) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _is_job_id(job_id: str) -> bool:
    return len(job_id) == 32 and all(c in "0123456789abcdef" for c in job_id)


def _wired(deps: Deps) -> tuple[LintJobRepository, JobQueue]:
    if deps.lint_jobs is None or deps.lint_job_queue is None:
        raise RuntimeError("lint jobs are not wired in these dependencies")
    return deps.lint_jobs, deps.lint_job_queue
