"""Run a function's real handler in this process, the way the Lambda runtime would."""

from __future__ import annotations

import importlib.util
import io
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, TextIO

Handler = Callable[[Any, Any], Any]


@dataclass
class LocalLambdaContext:
    """The attributes of the Lambda context object that Powertools and handlers read."""

    function_name: str
    memory_limit_in_mb: int = 512
    timeout_seconds: int = 30
    region: str = "us-east-1"
    account_id: str = "123456789012"
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    _deadline: float = field(default=0.0, repr=False)

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.timeout_seconds
        self.invoked_function_arn = f"arn:aws:lambda:{self.region}:{self.account_id}:function:{self.function_name}"
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = f"local/{self.aws_request_id}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class ThreadRoutedStream(io.TextIOBase):
    """stdout that sends what a handler prints (logs, EMF metrics) to that invocation's buffer.

    Handlers run on moto's interpreter threads while the CLI prints progress on the main thread; a
    plain redirect_stdout would swallow both.
    """

    def __init__(self, fallback: TextIO) -> None:
        self.fallback = fallback
        self._local = threading.local()

    @contextmanager
    def capture(self) -> Iterator[io.StringIO]:
        buffer = io.StringIO()
        previous = getattr(self._local, "buffer", None)
        self._local.buffer = buffer
        try:
            yield buffer
        finally:
            self._local.buffer = previous

    def write(self, text: str) -> int:
        target = getattr(self._local, "buffer", None) or self.fallback
        return target.write(text)

    def flush(self) -> None:
        if not self.fallback.closed:
            self.fallback.flush()


def load_handler(code_dir: Path, handler: str, module_name: str) -> Handler:
    """Load ``module.function`` from ``code_dir`` under a unique module name (every step has an app.py)."""
    module_file, function = handler.rsplit(".", 1)
    path = code_dir / f"{module_file.replace('.', '/')}.py"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(f"cannot load handler {handler!r} from {path}")
    module: ModuleType = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    loaded: Handler = getattr(module, function)
    return loaded


@dataclass
class Invocation:
    function: str
    ok: bool
    duration_ms: float
    logs: str
    error_type: str | None = None


def invoke(
    handler: Handler, event: Any, context: LocalLambdaContext, stream: ThreadRoutedStream
) -> tuple[Any, Invocation]:
    """Call the handler; an exception becomes the Lambda runtime's error payload."""
    started = time.perf_counter()
    with stream.capture() as logs:
        try:
            result = handler(event, context)
            ok, error_type = True, None
        except Exception as error:
            result = {
                "errorType": type(error).__name__,
                "errorMessage": str(error),
                "stackTrace": traceback.format_tb(error.__traceback__),
            }
            ok, error_type = False, type(error).__name__
    duration = (time.perf_counter() - started) * 1000
    return result, Invocation(context.function_name, ok, duration, logs.getvalue(), error_type)
