"""The operating numbers as CloudWatch metrics (EMF), emitted by the steps as the facts happen.

Each is the EMF twin of a fact ``flashfusion.metrics.definitions`` counts, so the dashboard's metric math
reads the same numbers ``ffo report`` and ``GET /v1/metrics`` compute from the records:

=====================  ===========================================  ===================================
metric                 one datum per                                 dashboard
=====================  ===========================================  ===================================
GenerationLatency      successful vendor call (ms)                   p50 / p95 / p99 per model
GenerationCostUSD      successful vendor call (billed USD)           Sum / AssetsSaved = cost per asset
ProviderErrors         failed vendor call                            failed calls
GenerationRequests     request, at its first vendor call             retry-rate denominator
RetriedRequests        request, at its first failed vendor call      retry-rate numerator
FirstLintCompliant     request, at its first lint (1 or 0)           Average = brand compliance rate
HumanInterventions     request, when its first review opens          / SampleCount(FirstLintCompliant)
Fallbacks              hop to the next model (the model that failed)
AssetsSaved            request whose result was saved
RequestsSubmitted      request accepted by the API (medium, tier)
RequestsFailed         request on the failure path
BudgetUsedPercent      settled call: the org's spent / limit        (budget_alerts: the alarm's too)
ReviewBacklog          review opened or ended: the org's pending
=====================  ===========================================  ===================================

Dimension sets: ``service`` alone (the total), ``model, medium, tier`` together and each alone, so any of
them reads without a SEARCH; org-level gauges carry ``org``. ``LintCompliant`` (every lint round) stays as
it was: it is not the compliance rate.
"""

from __future__ import annotations

from aws_lambda_powertools.metrics.provider.cloudwatch_emf.cloudwatch import AmazonCloudWatchEMFProvider

from flashfusion.observability import MetricUnit, metrics

REQUEST_DIMENSIONS = ("model", "medium", "tier")


def emit(name: str, unit: MetricUnit, value: float, **dimensions: str) -> None:
    """One datum, under the service alone, all its dimensions together, and each dimension alone."""
    provider = AmazonCloudWatchEMFProvider(namespace=metrics.namespace, service=metrics.service)
    provider.add_metric(name=name, unit=unit, value=value)
    present = {k: v for k, v in dimensions.items() if v}
    if len(present) > 1:
        provider.add_dimensions(**present)
    for key, value_ in present.items():
        provider.add_dimensions(**{key: value_})
    provider.flush_metrics()


def emit_for_request(name: str, unit: MetricUnit, value: float, model: str | None, medium: str, tier: str) -> None:
    emit(name, unit, value, model=model or "", medium=medium, tier=tier)


def emit_for_org(name: str, unit: MetricUnit, value: float, org_id: str) -> None:
    emit(name, unit, value, org=org_id)
