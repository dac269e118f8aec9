"""Powertools Logger, Tracer and Metrics, created once and shared by every handler in the layer.

Service name, log level and metrics namespace come from the POWERTOOLS_* variables in template.yaml.
"""

from __future__ import annotations

import os

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

SERVICE = "flashfusion"
# Powertools reads POWERTOOLS_SERVICE_NAME when the logger is created; a process that imports the layer
# before that variable is set (a test collector, a script) would log as "service_undefined" for good.
logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME") or SERVICE)
tracer = Tracer()
metrics = Metrics()

__all__ = ["MetricUnit", "logger", "metrics", "tracer"]
