"""What every workflow step handler does around its step: parse, correlate, call, dump, and keep the
state bounded (flashfusion.limits): a result that would take the state past its budget is refused with
a catchable error, and an error's message is cut before Step Functions copies it into the state."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

from flashfusion import tracing
from flashfusion.errors import StateTooLarge
from flashfusion.limits import ERROR_MESSAGE_CHARS, STATE_BUDGET_BYTES, json_bytes
from flashfusion.observability import logger

if TYPE_CHECKING:  # pydantic, the models and the wiring load on the first invocation, not at the handler's import
    from pydantic import BaseModel

    from flashfusion.models import WorkflowState
    from flashfusion.wiring import Deps

    Step = Callable[[WorkflowState, Deps], BaseModel | dict[str, Any]]


def run_step(event: dict[str, Any], step: Step, deps: Callable[[], Deps] | None = None) -> dict[str, Any]:
    """Parse the state, run ``step`` with the dependencies (``deps()``, by default the wiring's), and
    return its result as the JSON the state machine gets. ``step`` may be a ``flashfusion.deferred``
    reference: the handler module then imports neither the step nor what it needs."""
    from pydantic import BaseModel

    from flashfusion.models import WorkflowState

    if deps is None:
        from flashfusion.wiring import get_deps

        deps = get_deps
    state = WorkflowState.model_validate(event)
    request = state.request
    logger.set_correlation_id(request.request_id)
    # requestId beside correlation_id: the Logs Insights queries find a request by either name
    logger.append_keys(orgId=request.org_id, requestId=request.request_id, step=step.__name__)
    tracing.bind_request(request.request_id, request.org_id)
    try:
        with tracing.span(f"step {step.__name__}", {"flashfusion.step": step.__name__}):
            result = step(state, deps())
    except Exception as error:
        raise_bounded(error)
    dumped = (
        result.model_dump(mode="json", by_alias=True, exclude_none=True) if isinstance(result, BaseModel) else result
    )
    check_state_budget(step.__name__, event, dumped, replaces_state=isinstance(result, WorkflowState))
    return dumped


def check_state_budget(step: str, event: dict[str, Any], result: Any, *, replaces_state: bool = False) -> None:
    """Refuse (catchably) a result that would leave the state over STATE_BUDGET_BYTES.

    The handler does not know its ResultPath: the next state is taken as the input plus the result (an
    overestimate by what the result replaces), or the result alone when it is the whole state.
    """
    added = json_bytes(result)
    size = added if replaces_state else json_bytes(event) + added
    if size > STATE_BUDGET_BYTES:
        raise StateTooLarge(
            f"{step} would leave about {size:,} bytes in the workflow state ({added:,} of them its own result); "
            f"the budget is {STATE_BUDGET_BYTES:,} bytes, under Step Functions' 256 KiB"
        )


def raise_bounded(error: Exception) -> NoReturn:
    """Re-raise ``error`` with its message cut to ERROR_MESSAGE_CHARS, under the same error name.

    Step Functions copies the message into the state ($.error.Cause) and the request record: a vendor's
    500-KB HTML error page must not take the state past its limit.
    """
    message = str(error)
    if len(message) <= ERROR_MESSAGE_CHARS:
        raise error
    cut = message[:ERROR_MESSAGE_CHARS] + f"… ({len(message) - ERROR_MESSAGE_CHARS:,} more characters cut)"
    error.args = (cut,)
    if len(str(error)) <= len(cut):
        raise error
    # an exception whose str() ignores args (a pydantic ValidationError): the same name, the cut message
    bounded = type(type(error).__name__, (Exception,), {"__module__": type(error).__module__})(cut)
    raise bounded from error
