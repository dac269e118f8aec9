"""What every workflow step handler does around its step: parse, correlate, call, dump."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from flashfusion.models import WorkflowState
from flashfusion.observability import logger
from flashfusion.wiring import Deps, get_deps


def run_step(
    event: dict[str, Any], step: Callable[[WorkflowState, Deps], BaseModel | dict[str, Any]]
) -> dict[str, Any]:
    state = WorkflowState.model_validate(event)
    logger.set_correlation_id(state.request.request_id)
    logger.append_keys(orgId=state.request.org_id, step=step.__name__)
    result = step(state, get_deps())
    if isinstance(result, BaseModel):
        return result.model_dump(mode="json", by_alias=True, exclude_none=True)
    return result
