"""Make moto's Retry and Wait sleeps instant (or real) while recording the delays the ASL asked for."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

from moto.stepfunctions.parser.asl.component.common.retry import jitter_strategy_decl, retrier_decl
from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import WaitFunction


@dataclass(frozen=True)
class RetryDelay:
    base_seconds: float
    """The interval after BackoffRate and MaxDelaySeconds, before jitter."""
    slept_seconds: float
    """What the interpreter asked to sleep (after JitterStrategy)."""


@dataclass
class SleepRecorder:
    instant: bool = True
    retries: list[RetryDelay] = field(default_factory=list)
    waits: list[float] = field(default_factory=list)
    _pending_base: threading.local = field(default_factory=threading.local)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def clear(self) -> None:
        with self._lock:
            self.retries.clear()
            self.waits.clear()

    def _jitter(self, original: Any) -> Any:
        recorder = self

        def eval_body(decl: Any, env: Any) -> None:
            recorder._pending_base.value = env.stack[-1] if env.stack else None
            original(decl, env)

        return eval_body

    def _retry_sleep(self, seconds: float) -> None:
        base = getattr(self._pending_base, "value", None)
        self._pending_base.value = None
        with self._lock:
            self.retries.append(
                RetryDelay(base_seconds=float(base if base is not None else seconds), slept_seconds=float(seconds))
            )
        if not self.instant:
            time.sleep(seconds)

    def _wait(self, original: Any) -> Any:
        recorder = self

        def wait_interval(function: Any, env: Any, wait_seconds: int) -> None:
            with recorder._lock:
                recorder.waits.append(float(wait_seconds))
            if not recorder.instant:
                original(function, env, wait_seconds)

        return wait_interval

    @contextmanager
    def installed(self) -> Iterator[SleepRecorder]:
        fake_time = mock.Mock(wraps=time)
        fake_time.sleep = self._retry_sleep
        with ExitStack() as stack:
            stack.enter_context(mock.patch.object(retrier_decl, "time", fake_time))
            stack.enter_context(
                mock.patch.object(
                    jitter_strategy_decl.JitterStrategyDecl,
                    "_eval_body",
                    self._jitter(jitter_strategy_decl.JitterStrategyDecl._eval_body),
                )
            )
            stack.enter_context(
                mock.patch.object(WaitFunction, "_wait_interval", self._wait(WaitFunction._wait_interval))
            )
            yield self
