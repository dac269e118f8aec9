"""Helpers the workflow's steps share: the state's required parts, the prompt a model is given, the
per-request metrics and the reservation and asset-id constants.

Split out of ``flashfusion.app.steps`` (which re-exports every name): a step's handler loads its own
module and what that needs, not the other steps' (issue 16).
"""

from __future__ import annotations

import uuid
from typing import TypeVar

from flashfusion.app.operating_metrics import emit_for_request
from flashfusion.models import (
    AssetRequest,
    AttemptRecord,
    Generation,
    Revision,
    WorkflowState,
)
from flashfusion.observability import MetricUnit

ASSET_NAMESPACE = uuid.UUID("6f1d8c43-2b7e-4f55-9a57-2f9b0d6c1e11")


RESERVATION_TRIES = 3


T = TypeVar("T")


def _require(value: T | None, name: str) -> T:
    if value is None:
        raise ValueError(f"workflow state has no {name!r}: the state machine passed the wrong input")
    return value


def _ready(state: WorkflowState) -> Generation:
    generation = _require(state.generation, "generation")
    if not isinstance(generation, Generation):
        raise ValueError("the generation has not finished: the state machine skipped the poll loop")
    return generation


def effective_prompt(request: AssetRequest, revision: Revision) -> str:
    """The prompt a model is given: the request's, plus every round of reviewer feedback so far."""
    if not revision.feedback:
        return request.prompt
    points = "\n".join(f"- {item}" for item in revision.feedback)
    return f"{request.prompt}\n\nReviewer feedback on the previous version (address every point):\n{points}"


def count_call(request: AssetRequest, model: str, calls: list[AttemptRecord]) -> None:
    """The retry rate's two counts, from the request's calls so far (this one last): the request's first
    call makes it a request that generated; its first failed call makes it one that needed a retry."""
    if len(calls) == 1:
        request_metric("GenerationRequests", MetricUnit.Count, 1, request, model)
    if calls and calls[-1].outcome == "failed" and sum(c.outcome == "failed" for c in calls) == 1:
        request_metric("RetriedRequests", MetricUnit.Count, 1, request, model)


def request_metric(name: str, unit: MetricUnit, value: float, request: AssetRequest, model: str | None) -> None:
    """A metric of one request's fact, readable per model, medium and tier (flashfusion.app.operating_metrics)."""
    emit_for_request(name, unit, value, model, request.content_type.value, request.tier.value)
