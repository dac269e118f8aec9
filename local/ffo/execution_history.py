"""An execution's history and status read from moto's Step Functions backend, shaped as boto3 returns them.

``ffo run`` follows an execution by reading its status and whole history after every step, and tests read
histories to check which states ran. Through boto3 each read is serialised by moto and parsed again by
botocore, event by event (~15 ms for a 40-event history, ~0.15 CPU-s of a text run); moto's backend holds
the same events as plain dicts. Its differences from the API's answer are undone here: the event type is
an enum (the API gives its string), the timestamp an ISO 8601 string (the API gives a datetime in the local
time zone, as botocore parses it), and a field without a value is absent from the API's answer.

If the backend cannot be read (moto's internals moved, or another process holds the execution) the reader
answers None and the caller asks the API.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

from dateutil.tz import tzlocal

from ffo.cfn import ACCOUNT_ID

_LOCAL = tzlocal()


def api_history(sfn: Any, arn: str) -> list[dict[str, Any]]:
    """Every event of the execution through the API (``GetExecutionHistory``, page by page)."""
    events: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"executionArn": arn}
    while True:
        page = sfn.get_execution_history(**kwargs)
        events.extend(page["events"])
        if not page.get("nextToken"):
            return events
        kwargs["nextToken"] = page["nextToken"]


def _execution(region: str, arn: str) -> Any:
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    return stepfunctions_parser_backends[ACCOUNT_ID][region].describe_execution(arn)


def _as_api(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _as_api(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_as_api(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    return value


def _event(event: dict[str, Any]) -> dict[str, Any]:
    shaped: dict[str, Any] = _as_api(event)
    stamp = shaped["timestamp"]
    if isinstance(stamp, str):
        stamp = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    shaped["timestamp"] = stamp.astimezone(_LOCAL)
    return shaped


def history(region: str, arn: str) -> list[dict[str, Any]] | None:
    """Every event of the execution, oldest first, as ``GetExecutionHistory`` pages them together."""
    try:
        events = _execution(region, arn).to_history_output()["events"]
        return [_event(event) for event in events]
    except Exception:  # not ours to read (moto changed, or the ARN is unknown): the API answers, or raises
        return None


def status(region: str, arn: str) -> str | None:
    """The execution's status (RUNNING, SUCCEEDED, ...), as ``DescribeExecution`` reports it."""
    try:
        return str(_execution(region, arn).status)
    except Exception:  # as history()
        return None
