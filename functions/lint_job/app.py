"""LintJob: lints the uploaded tracks and videos that POST /v1/lint queued, and records each job's outcome.

Reports partial batch failures: a message whose job could not be read (a passing AWS error) goes back to the
queue alone; a job whose lint failed is recorded as failed and its message is done.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from flashfusion.observability import logger, metrics, tracer

processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    # imported here, on the first invocation: the module's import is Powertools alone (issue 16)
    from flashfusion.app import lint_jobs
    from flashfusion.app.lint_jobs import LintJobMessage
    from flashfusion.wiring import get_deps

    message = LintJobMessage.model_validate_json(record.body)
    logger.append_keys(jobId=message.job_id, orgId=message.org_id)
    lint_jobs.run(message, int(record.attributes.approximate_receive_count or 1), get_deps())


@logger.inject_lambda_context(log_event=False, clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
