"""Requests whose execution ended without reaching the failure path.

The workflow's own failure path (ReleaseBudget, MarkFailed, EmitFailed) runs for every error a catcher
catches. Some endings skip it: ``States.DataLimitExceeded`` and ``States.Runtime`` (no ``States.ALL``
catches them), the execution's own timeout, and an operator's StopExecution. Step Functions announces
every ending on EventBridge; this use case answers the failed, timed-out and aborted ones: a request
that has no final status yet gets ``failed`` with the cause, its budget holds are released and the
failure is announced, as MarkFailed would have done. A request that ended on purpose is left alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flashfusion.app import result_cache
from flashfusion.app.deps import Deps
from flashfusion.limits import ERROR_MESSAGE_CHARS
from flashfusion.observability import logger

ENDED_WITHOUT_SUCCESS = frozenset({"FAILED", "TIMED_OUT", "ABORTED"})
ENDED = ENDED_WITHOUT_SUCCESS | {"SUCCEEDED"}
_DEFAULT_ERRORS = {"TIMED_OUT": "States.Timeout", "ABORTED": "ExecutionAborted", "FAILED": "ExecutionFailed"}


@dataclass(frozen=True)
class EndedExecution:
    execution_arn: str
    status: str
    org_id: str
    request_id: str
    error: str
    cause: str
    candidate_id: str | None = None

    @classmethod
    def from_event(cls, detail: dict[str, Any]) -> EndedExecution | None:
        """From a "Step Functions Execution Status Change" event's detail; None if it is not a request's."""
        status = str(detail.get("status", ""))
        try:
            request = json.loads(detail.get("input") or "{}").get("request") or {}
        except (TypeError, ValueError, AttributeError):
            return None
        org_id, request_id = request.get("orgId"), request.get("requestId")
        if status not in ENDED or not isinstance(org_id, str) or not isinstance(request_id, str):
            return None
        error = str(detail.get("error") or _DEFAULT_ERRORS.get(status, ""))
        cause = str(detail.get("cause") or f"the workflow execution ended {status.lower().replace('_', ' ')}")
        speculative = request.get("speculative")
        candidate_id = speculative.get("candidateId") if isinstance(speculative, dict) else None
        return cls(
            str(detail.get("executionArn", "")),
            status,
            org_id,
            request_id,
            error,
            cause[:ERROR_MESSAGE_CHARS],
            candidate_id if isinstance(candidate_id, str) else None,
        )


def settle(ended: EndedExecution, deps: Deps) -> bool:
    """Fail the request if it is still open; True if this call did it (so it is announced once)."""
    if ended.status not in ENDED_WITHOUT_SUCCESS:
        return False
    released = deps.budgets.release_request(ended.org_id, ended.request_id)
    # a speculative request holds on its own ledger (flashfusion.app.prefetch)
    released += result_cache.speculative_ledger(deps).release_request(ended.org_id, ended.request_id)
    failed = deps.requests.fail_if_open(ended.org_id, ended.request_id, ended.error, ended.cause)
    if failed and ended.candidate_id:  # a speculative request: its candidate will never serve
        result_cache.repository(deps).candidate_failed(ended.org_id, ended.candidate_id)
    if not failed:
        return False
    logger.warning(
        "execution ended outside the failure path",
        extra={"requestId": ended.request_id, "status": ended.status, "error": ended.error, "released": released},
    )
    deps.emit(
        "AssetRequestFailed",
        {"orgId": ended.org_id, "requestId": ended.request_id, "error": ended.error, "cause": ended.cause},
    )
    return True
