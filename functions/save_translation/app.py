"""SaveTranslation: stores a translation as a child version and records the locale's outcome."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from flashfusion.deferred import deferred
from flashfusion.observability import logger, metrics, tracer
from flashfusion.step_handler import run_step

# imported on the first invocation, with what it needs: the module's import is Powertools alone
STEP = deferred("flashfusion.app.translation_steps", "save_translation")


@logger.inject_lambda_context(log_event=False, clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return run_step(event, STEP)
