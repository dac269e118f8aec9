"""Powertools Logger, Tracer and Metrics, created once and shared by every handler in the layer.

Service name, log level and metrics namespace come from the POWERTOOLS_* variables in template.yaml.
"""

from __future__ import annotations

import os

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

SERVICE = "flashfusion"
NAMESPACE = "FlashFusion"
# Powertools reads POWERTOOLS_SERVICE_NAME and POWERTOOLS_METRICS_NAMESPACE when these objects are
# created; a process that imports the layer before they are set (a test collector, a script) would
# otherwise log as "service_undefined" and refuse to publish metrics, for good.
logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME") or SERVICE)
tracer = Tracer(service=os.environ.get("POWERTOOLS_SERVICE_NAME") or SERVICE)
metrics = Metrics(
    namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or NAMESPACE,
    service=os.environ.get("POWERTOOLS_SERVICE_NAME") or SERVICE,
)

__all__ = ["MetricUnit", "logger", "metrics", "tracer"]
