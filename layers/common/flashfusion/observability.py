"""Powertools Logger, Tracer and Metrics, created once and shared by every handler in the layer.

Service name, log level and metrics namespace come from the POWERTOOLS_* variables in template.yaml.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

logger = Logger()
tracer = Tracer()
metrics = Metrics()

__all__ = ["MetricUnit", "logger", "metrics", "tracer"]
