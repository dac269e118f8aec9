"""What AWS enforces and moto does not (or not the same way), applied to the local engine.

A defect that only AWS refuses hides locally until the first deploy: a state output over 256 KB, a
handler past its timeout, an invoke payload over 6 MB. These patches make the local engine refuse the
same things, with the error names AWS uses:

- Step Functions' payload quota is 256 KiB of the JSON as UTF-8 (moto measures ``json.dumps`` with
  ASCII escapes and spaces, so a state of emoji fails locally and fits in AWS). It applies to a state's
  output, a task's result, and a task's input after ``Parameters``.
- ``States.DataLimitExceeded`` and ``States.Runtime`` are terminal: ``States.ALL`` (and
  ``States.TaskFailed``) do not catch them; only a Catcher or Retrier naming them does (moto's
  ``States.ALL`` catches everything, which hid issue 11's stuck requests).
- Lambda: 6 MB (6,291,456 bytes) for a synchronous invoke's request and for its response; a handler
  running past its function's ``Timeout`` fails with ``Sandbox.Timedout``.

DynamoDB's 400 KB item and key sizes are not here: moto refuses oversized items itself, and
``flashfusion.storage.keys`` checks key sizes before every call.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from unittest import mock

from moto.stepfunctions.parser import quotas
from moto.stepfunctions.parser.asl.component.common.error_name import error_equals_decl
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import StatesErrorName
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import StatesErrorNameType
from moto.stepfunctions.parser.asl.component.state import state as state_module
from moto.stepfunctions.parser.asl.component.state.exec.state_task import state_task_lambda
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import state_task_service
from moto.stepfunctions.parser.asl.utils.encoding import _DateTimeEncoder

STATE_PAYLOAD_BYTES = 256 * 1024
"""Step Functions: the maximum input or output of a task, state or execution, as UTF-8."""
LAMBDA_SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024
"""Lambda: a synchronous invoke's request and response payloads."""
TERMINAL_STATES_ERRORS = frozenset(
    {StatesErrorNameType.StatesStatesDataLimitExceeded, StatesErrorNameType.StatesRuntime}
)
"""Errors that States.ALL does not catch (Step Functions developer guide, "Error names")."""


def payload_bytes(value: Any) -> int:
    """The size Step Functions counts: the value's JSON (compact, unescaped) as UTF-8."""
    text = (
        value
        if isinstance(value, str)
        else json.dumps(value, cls=_DateTimeEncoder, separators=(",", ":"), ensure_ascii=False)
    )
    return len(text.encode("utf-8"))


def is_within_size_quota(value: Any) -> bool:
    return payload_bytes(value) <= STATE_PAYLOAD_BYTES


def _error_equals(original: Callable[[Any, Any], None]) -> Callable[[Any, Any], None]:
    def eval_body(decl: Any, env: Any) -> None:
        error_name = env.stack[-1]
        terminal = isinstance(error_name, StatesErrorName) and error_name.typ in TERMINAL_STATES_ERRORS
        if not terminal:
            original(decl, env)
            return
        env.stack.pop()
        env.stack.append(error_name in decl.error_names)  # only a Catcher naming it catches it

    return eval_body


def _lambda_parameters(original: Callable[[Any, Any], dict[str, Any]]) -> Callable[[Any, Any], dict[str, Any]]:
    def eval_parameters(task: Any, env: Any) -> dict[str, Any]:
        parameters = original(task, env)
        task._verify_size_quota(env=env, value=parameters["Payload"])
        return parameters

    return eval_parameters


def _service_parameters(original: Callable[..., None]) -> Callable[..., None]:
    def before_eval_execution(
        task: Any, env: Any, resource_runtime_part: Any, raw_parameters: dict[str, Any], state_credentials: Any
    ) -> None:
        task._verify_size_quota(env=env, value=raw_parameters)
        original(task, env, resource_runtime_part, raw_parameters, state_credentials)

    return before_eval_execution


@contextmanager
def step_functions_limits() -> Iterator[None]:
    """Step Functions' payload quota measured as AWS measures it, and its terminal errors left uncaught."""
    with ExitStack() as stack:
        for module in (quotas, state_module, state_task_lambda, state_task_service):
            stack.enter_context(mock.patch.object(module, "is_within_size_quota", is_within_size_quota))
        decl = error_equals_decl.ErrorEqualsDecl
        stack.enter_context(mock.patch.object(decl, "_eval_body", _error_equals(decl._eval_body)))
        lambda_task = state_task_lambda.StateTaskLambda
        stack.enter_context(
            mock.patch.object(lambda_task, "_eval_parameters", _lambda_parameters(lambda_task._eval_parameters))
        )
        service_task = state_task_service.StateTaskService
        stack.enter_context(
            mock.patch.object(
                service_task, "_before_eval_execution", _service_parameters(service_task._before_eval_execution)
            )
        )
        yield


def request_too_large(size: int) -> dict[str, Any]:
    """Lambda's answer to a synchronous invoke over 6 MB: the function never runs."""
    return {
        "errorType": "RequestEntityTooLargeException",
        "errorMessage": f"Request must be smaller than {LAMBDA_SYNC_PAYLOAD_BYTES} bytes for the InvokeFunction "
        f"operation (this one: {size} bytes)",
    }


def response_too_large(size: int) -> dict[str, Any]:
    """Lambda's answer when a function returns more than 6 MB: the result is lost."""
    return {
        "errorType": "Function.ResponseSizeTooLarge",
        "errorMessage": f"Response payload size ({size} bytes) exceeded maximum allowed payload size "
        f"({LAMBDA_SYNC_PAYLOAD_BYTES} bytes).",
    }


def timed_out(request_id: str, timeout_seconds: float, took_seconds: float) -> dict[str, Any]:
    """Lambda's answer when a function runs past its timeout (the runtime stops it there)."""
    return {
        "errorType": "Sandbox.Timedout",
        "errorMessage": f"RequestId: {request_id} Error: Task timed out after {timeout_seconds:.2f} seconds "
        f"(locally it ran {took_seconds:.2f} s of CPU)",
    }
