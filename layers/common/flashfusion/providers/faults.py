"""Provider fault injection for the local engine: throttle N times, fail permanently, time out.

Faults come from the request file and are refused outside local mode (Settings.allow_fault_injection).
The count of faults already raised lives in this process: the local engine runs every handler in one
process, which is the only place faults are allowed.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from flashfusion.errors import (
    ProviderAuthError,
    ProviderError,
    ProviderRejected,
    ProviderThrottled,
    ProviderTimeout,
    ProviderUnavailable,
)
from flashfusion.models import Fault
from flashfusion.providers.base import GeneratedContent, GenerationJob, PendingJob, PollResult

_ERRORS: dict[str, type[ProviderError]] = {
    "throttle": ProviderThrottled,
    "unavailable": ProviderUnavailable,
    "timeout": ProviderTimeout,
    "rejected": ProviderRejected,
    "auth": ProviderAuthError,
}
_MESSAGES = {
    "throttle": "injected fault: rate limited (429)",
    "unavailable": "injected fault: vendor unavailable (503)",
    "timeout": "injected fault: no answer within the timeout",
    "rejected": "injected fault: prompt rejected by content policy (400)",
    "auth": "injected fault: credentials refused (401)",
}

_raised: Counter[tuple[str, str, int]] = Counter()
_lock = threading.Lock()


def reset() -> None:
    with _lock:
        _raised.clear()


class FaultInjectingProvider:
    """Wraps any adapter; a fault strikes when the vendor would be called (generate or submit)."""

    def __init__(self, inner: Any, faults: list[Fault]) -> None:
        self.inner = inner
        self.name: str = inner.name
        self.faults = faults

    def generate(self, job: GenerationJob) -> GeneratedContent:
        self._strike(job)
        result: GeneratedContent = self.inner.generate(job)
        return result

    def submit(self, job: GenerationJob) -> PendingJob:
        self._strike(job)
        result: PendingJob = self.inner.submit(job)
        return result

    def poll(self, job: GenerationJob, pending: PendingJob) -> PollResult:
        if any(f.kind == "stall" and f.model in (None, job.model.id) for f in self.faults):
            return PollResult(status="running", progress=0.0, poll_after_seconds=job.model.poll_seconds)
        result: PollResult = self.inner.poll(job, pending)
        return result

    def _strike(self, job: GenerationJob) -> None:
        for index, fault in enumerate(self.faults):
            if fault.kind == "stall" or fault.model not in (None, job.model.id):
                continue
            key = (job.request_id, job.model.id, index)
            with _lock:
                due = fault.times is None or _raised[key] < fault.times
                if due:
                    _raised[key] += 1
            if due:
                raise _ERRORS[fault.kind](_MESSAGES[fault.kind], provider=self.name, model=job.model.id)
