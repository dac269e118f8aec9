"""BatchWorker: restarts budget-queued batch requests when the organisation's budget allows.

Reports partial batch failures, so only the messages that still do not fit go back to the queue.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from flashfusion.observability import MetricUnit, logger, metrics, tracer

# A batch where nothing fits the budget yet is normal here, not an invocation error.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def record_handler(record: SQSRecord) -> None:
    # imported here, on the first invocation: the module's import is Powertools alone (issue 16)
    from flashfusion.app import batch
    from flashfusion.wiring import get_deps

    receive_count = int(record.attributes.approximate_receive_count or 1)
    deps = get_deps()
    batch.resume(record.json_body, receive_count, deps, deps.stepfunctions())
    metrics.add_metric(name="BatchRequestsResumed", unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context(log_event=False, clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
