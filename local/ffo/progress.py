"""Turn a Step Functions execution history into lines a person can follow as the workflow runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ffo.sleeps import RetryDelay
from flashfusion.errors import readable_cause


@dataclass
class ProgressPrinter:
    """Fed history events in order; prints entered / retried / caught / exited lines with durations."""

    emit: Callable[[str], None]
    retry_delays: Callable[[], list[RetryDelay]] = list
    _entered: dict[str, datetime] = field(default_factory=dict)
    _current: str | None = None
    _failure: tuple[str, str] | None = None
    _attempt: int = 0
    _retries_seen: int = 0
    seen: int = 0

    def feed(self, events: list[dict[str, Any]]) -> None:
        for event in events[self.seen :]:
            self._one(event)
        self.seen = len(events)

    def _one(self, event: dict[str, Any]) -> None:
        kind: str = event["type"]
        at: datetime = event["timestamp"]
        if kind.endswith("StateEntered"):
            name = event["stateEnteredEventDetails"]["name"]
            self._current, self._failure, self._attempt = name, None, 1
            self._entered[name] = at
            self.emit(f"  -> {name}")
        elif kind.endswith("StateExited"):
            name = event["stateExitedEventDetails"]["name"]
            took = (at - self._entered.get(name, at)).total_seconds() * 1000
            if self._failure:
                error, message = self._failure
                self.emit(f"  !! {name} caught {error}: {message} ({took:.0f} ms)")
            else:
                self.emit(f"  <- {name} ({took:.0f} ms)")
            self._failure = None
        elif kind in ("LambdaFunctionFailed", "TaskFailed", "LambdaFunctionTimedOut", "TaskTimedOut"):
            details: dict[str, Any] = next((v for k, v in event.items() if k.endswith("EventDetails")), {})
            self._failure = (details.get("error", kind), readable_cause(details.get("cause", "")))
        elif kind in ("LambdaFunctionScheduled", "TaskScheduled") and self._failure:
            error, message = self._failure
            delays = self.retry_delays()
            delay = delays[self._retries_seen] if self._retries_seen < len(delays) else None
            self._retries_seen += 1
            self._attempt += 1
            wait = (
                f"; retry after {delay.slept_seconds:.2f} s (backoff {delay.base_seconds:g} s, jittered)"
                if delay
                else ""
            )
            self.emit(f"  ~~ {self._current} failed with {error}: {message}{wait} -> attempt {self._attempt}")
            self._failure = None
        elif kind == "ExecutionFailed":
            details = event.get("executionFailedEventDetails", {})
            self.emit(f"execution FAILED: {details.get('error')}: {readable_cause(details.get('cause', ''))}")
        elif kind == "ExecutionSucceeded":
            self.emit("execution SUCCEEDED")
        elif kind in ("ExecutionTimedOut", "ExecutionAborted"):
            self.emit(f"execution {kind.removeprefix('Execution').upper()}")
