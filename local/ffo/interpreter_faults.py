"""The interpreter's own faults, told apart from the functions' failures.

moto turns any Python exception raised while it evaluates a Lambda task (its own ``IndexError``
included) into ``States.TaskFailed`` with only ``str(error)`` as the cause. A handler's failure comes
back as the Lambda error payload and is the workflow's business; anything else is a fault in the
engine or in moto, and its traceback is logged here so that a rare one can be traced to its line.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from unittest import mock

from botocore.exceptions import ClientError
from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import FailureEventException
from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_lambda import (
    StateTaskServiceLambda,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.state_task_lambda import StateTaskLambda

LOG = logging.getLogger("ffo.engine")
EXPECTED = (FailureEventException, ClientError, lambda_eval_utils.LambdaFunctionErrorException, TimeoutError)
"""What a Lambda task fails with in the normal course: the function's error, an API error, a timeout."""


def _logged(original: Callable[[Any, Any, Exception], Any]) -> Callable[[Any, Any, Exception], Any]:
    def from_error(state: Any, env: Any, ex: Exception) -> Any:
        if not isinstance(ex, EXPECTED):
            where = "".join(traceback.format_exception(ex))
            LOG.error("interpreter fault in state %s (not the function's failure):\n%s", state.name, where)
        return original(state, env, ex)

    return from_error


@contextmanager
def logged() -> Iterator[None]:
    with ExitStack() as stack:
        for task in (StateTaskLambda, StateTaskServiceLambda):
            stack.enter_context(mock.patch.object(task, "_from_error", _logged(task._from_error)))
        yield
