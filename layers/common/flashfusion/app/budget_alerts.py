"""After spending settles: the organisation's share of its monthly budget as a metric, and an event the
first time a month passes each threshold (80 %, 100 %).

The metric ``BudgetUsedPercent`` (dimension ``OrgId``) is what the template's budget alarm reads (one
Metrics Insights query over every organisation); the event ``BudgetThresholdReached`` is what the
notification function tells the organisation's chat and the operators' topic.
"""

from __future__ import annotations

from aws_lambda_powertools.metrics import single_metric

from flashfusion.app.deps import Deps
from flashfusion.observability import MetricUnit, logger, metrics

THRESHOLDS_PERCENT = (80, 100)
BUDGET_THRESHOLD_EVENT = "BudgetThresholdReached"
USED_METRIC = "BudgetUsedPercent"


def used_percent(spent_usd: float, limit_usd: float) -> float:
    """Spent as a share of the limit; a zero limit with any spending is past every threshold."""
    if limit_usd <= 0:
        return 100.0 if spent_usd > 0 else 0.0
    return round(100.0 * spent_usd / limit_usd, 2)


def after_spend(deps: Deps, org_id: str) -> list[int]:
    """Measure the month and announce each threshold it passed for the first time; which ones."""
    status = deps.budgets.status(org_id)
    percent = used_percent(status.spent_usd, status.limit_usd)
    # Exactly {service, OrgId}, whatever the environment: the alarm's query names this schema.
    with single_metric(
        name=USED_METRIC,
        unit=MetricUnit.Percent,
        value=percent,
        namespace=metrics.namespace,
        default_dimensions={"service": metrics.service or "flashfusion"},
    ) as metric:
        metric.add_dimension(name="OrgId", value=org_id)
    announced = []
    for threshold in THRESHOLDS_PERCENT:
        if percent >= threshold and deps.budgets.mark_threshold(org_id, status.month, threshold):
            announced.append(threshold)
            logger.warning("budget threshold passed", extra={"orgId": org_id, "thresholdPercent": threshold})
            deps.emit(
                BUDGET_THRESHOLD_EVENT,
                {
                    "orgId": org_id,
                    "month": status.month,
                    "thresholdPercent": threshold,
                    "usedPercent": percent,
                    "spentUsd": round(status.spent_usd, 6),
                    "limitUsd": round(status.limit_usd, 6),
                },
            )
    return announced
