"""EventBridge's "Step Functions Execution Status Change" events, delivered locally.

moto ends executions but emits no events. Here an ending execution is turned into the event AWS
publishes (same source, detail type and detail fields) and handed to every template function whose
EventBridgeRule pattern matches it, as EventBridge would invoke it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from unittest import mock

from moto.events.models import EventsBackend
from moto.stepfunctions.parser.backend.execution import BaseExecutionWorkerCommunication

DETAIL_TYPE = "Step Functions Execution Status Change"


def rules(template: dict[str, Any], resolve: Callable[[Any], Any]) -> list[tuple[dict[str, Any], str]]:
    """(pattern, function logical id) of every EventBridgeRule event of the template's functions."""
    found: list[tuple[dict[str, Any], str]] = []
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        for event in resource["Properties"].get("Events", {}).values():
            if event.get("Type") == "EventBridgeRule":
                found.append((resolve(event["Properties"]["Pattern"]), logical_id))
    return found


def matches(pattern: dict[str, Any], event: dict[str, Any]) -> bool:
    """EventBridge's exact-value matching: every pattern key present, its value one of the listed ones."""
    for key, wanted in pattern.items():
        value = event.get(key)
        if isinstance(wanted, dict):
            if not isinstance(value, dict) or not matches(wanted, value):
                return False
        elif isinstance(wanted, list) and value not in wanted:
            return False
    return True


def _millis(moment: datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp() * 1000)


def status_change(execution: Any, region: str, account: str) -> dict[str, Any]:
    status = getattr(execution.exec_status, "value", str(execution.exec_status))
    output = execution.output
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": DETAIL_TYPE,
        "source": "aws.states",
        "account": account,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [execution.exec_arn],
        "detail": {
            "executionArn": execution.exec_arn,
            "stateMachineArn": execution.state_machine_arn,
            "name": execution.name,
            "status": status,
            "startDate": _millis(execution.start_date),
            "stopDate": _millis(execution.stop_date),
            "input": json.dumps(execution.input_data),
            "output": None if output is None else json.dumps(output),
            "error": execution.error,
            "cause": execution.cause,
        },
    }


@contextmanager
def delivered(on_ended: Callable[[Any], None], on_ending: Callable[[Any], None] | None = None) -> Iterator[None]:
    """Call ``on_ended(execution)`` whenever an execution ends (on the thread that ran it).

    moto ends a stopped execution that waits for a task token only when the token times out; the
    event is announced then (AWS would announce it at once).
    """
    original = BaseExecutionWorkerCommunication.terminated

    def terminated(communication: Any) -> None:
        if on_ending is not None:  # before the status shows, so a waiter can wait for the delivery too
            on_ending(communication.execution)
        original(communication)
        on_ended(communication.execution)

    with mock.patch.object(BaseExecutionWorkerCommunication, "terminated", terminated):
        yield


@contextmanager
def put_events_seen(on_event: Callable[[dict[str, Any]], None]) -> Iterator[None]:
    """Call ``on_event(event)`` for every entry put on a bus, as EventBridge hands it to a rule's target."""
    original = EventsBackend.put_events

    def put_events(backend: Any, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = original(backend, entries)
        for entry in entries:
            try:
                detail = json.loads(entry.get("Detail") or "{}")
            except ValueError:
                continue
            on_event(
                {
                    "version": "0",
                    "id": str(uuid.uuid4()),
                    "detail-type": entry.get("DetailType"),
                    "source": entry.get("Source"),
                    "account": backend.account_id,
                    "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "region": backend.region_name,
                    "resources": entry.get("Resources", []),
                    "detail": detail,
                }
            )
        return result

    with mock.patch.object(EventsBackend, "put_events", put_events):
        yield
