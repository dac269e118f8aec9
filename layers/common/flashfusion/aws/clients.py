"""boto3 clients, created once per process and reused across invocations (connection reuse)."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=3, read_timeout=10)
# Model calls take tens of seconds and the state machine already retries them: wait long, retry little.
_MODEL_CONFIG = Config(retries={"mode": "standard", "max_attempts": 2}, connect_timeout=5, read_timeout=100)
_CONFIGS = {"bedrock-runtime": _MODEL_CONFIG}


@cache
def client(service: str) -> Any:
    return boto3.client(service, config=_CONFIGS.get(service, _CONFIG))


@cache
def table(name: str) -> Any:
    return boto3.resource("dynamodb", config=_CONFIG).Table(name)


def reset() -> None:
    """Forget cached clients (tests and the local engine start new mocked endpoints)."""
    client.cache_clear()
    table.cache_clear()
