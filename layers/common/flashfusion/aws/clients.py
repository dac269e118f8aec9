"""boto3 clients, created once per process and reused across invocations (connection reuse)."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

from flashfusion.errors import ItemTooLarge

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=3, read_timeout=10)
# Model calls take tens of seconds and the state machine already retries them: wait long, retry little.
_MODEL_CONFIG = Config(retries={"mode": "standard", "max_attempts": 2}, connect_timeout=5, read_timeout=100)
_CONFIGS = {"bedrock-runtime": _MODEL_CONFIG}


@cache
def client(service: str) -> Any:
    return boto3.client(service, config=_CONFIGS.get(service, _CONFIG))


@cache
def table(name: str) -> Any:
    resource = boto3.resource("dynamodb", config=_CONFIG)
    resource.meta.client.meta.events.register("after-call.dynamodb", typed_item_size)
    return resource.Table(name)


def typed_item_size(parsed: dict[str, Any], model: Any, **_: Any) -> None:
    """DynamoDB's "item size has exceeded the maximum allowed size" as ItemTooLarge (botocore emits
    after-call before it raises the ClientError, so this error is raised instead)."""
    error = parsed.get("Error") or {}
    message = str(error.get("Message", ""))
    if error.get("Code") == "ValidationException" and "exceeded the maximum allowed size" in message:
        raise ItemTooLarge(f"DynamoDB refused {model.name}: {message} (an item is limited to 400 KB)")


def reset() -> None:
    """Forget cached clients (tests and the local engine start new mocked endpoints)."""
    client.cache_clear()
    table.cache_clear()
