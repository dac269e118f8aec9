"""boto3 clients, created once per process and reused across invocations (connection reuse).

``reset()`` forgets which clients this process uses (tests and the local engine call it between tests and
when the settings change), but a client built for the same boto3 session and the same ``AWS_*`` environment
is handed out again, as a warm Lambda keeps its clients: building one costs ~10-45 ms (a DynamoDB resource
the most), and every test that calls the API would otherwise build three or four. A client carries no
request data: what a test must not see from the one before lives in the services (moto), not here.
"""

from __future__ import annotations

import os
import threading
from functools import cache
from typing import Any

import boto3
from botocore.config import Config

from flashfusion.errors import ItemTooLarge

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=3, read_timeout=10)
# Model calls take tens of seconds and the state machine already retries them: wait long, retry little.
_MODEL_CONFIG = Config(retries={"mode": "standard", "max_attempts": 2}, connect_timeout=5, read_timeout=100)
_CONFIGS = {"bedrock-runtime": _MODEL_CONFIG}


_KEPT: dict[tuple[str, str, tuple[tuple[str, str], ...]], Any] = {}
"""(kind, service, AWS_* environment) -> a client or resource built for ``_KEPT_SESSION``."""
_KEPT_SESSION: list[Any] = [None]
_KEPT_LOCK = threading.Lock()


def _kept(kind: str, service: str, build: Any) -> Any:
    """The client built earlier for this session and environment, else a new one (kept for next time).

    A new boto3 default session (moto's ``mock_aws`` starts one, so does a new process) or another region,
    endpoint or set of credentials in the environment means new clients, as before."""
    environment = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("AWS_")))
    key = (kind, service, environment)
    with _KEPT_LOCK:
        session = boto3.DEFAULT_SESSION
        if session is not None and session is _KEPT_SESSION[0] and key in _KEPT:
            return _KEPT[key]
    made = build()
    with _KEPT_LOCK:
        if boto3.DEFAULT_SESSION is not _KEPT_SESSION[0]:
            _KEPT.clear()
            _KEPT_SESSION[0] = boto3.DEFAULT_SESSION
        _KEPT[key] = made
    return made


@cache
def client(service: str) -> Any:
    return _kept("client", service, lambda: boto3.client(service, config=_CONFIGS.get(service, _CONFIG)))


def _dynamodb_resource() -> Any:
    resource = boto3.resource("dynamodb", config=_CONFIG)
    resource.meta.client.meta.events.register("after-call.dynamodb", typed_item_size)
    return resource


@cache
def table(name: str) -> Any:
    # a Table is only its name and the resource's client (boto3 builds its class anew each time, ~10 ms);
    # nothing here reads its loaded attributes (DescribeTable), which a kept Table would keep
    return _kept("table", name, lambda: _kept("resource", "dynamodb", _dynamodb_resource).Table(name))


def typed_item_size(parsed: dict[str, Any], model: Any, **_: Any) -> None:
    """DynamoDB's "item size has exceeded the maximum allowed size" as ItemTooLarge (botocore emits
    after-call before it raises the ClientError, so this error is raised instead)."""
    error = parsed.get("Error") or {}
    message = str(error.get("Message", ""))
    if error.get("Code") == "ValidationException" and "exceeded the maximum allowed size" in message:
        raise ItemTooLarge(f"DynamoDB refused {model.name}: {message} (an item is limited to 400 KB)")


def reset(*, forget_built: bool = False) -> None:
    """Forget which clients are in use (tests and the local engine reset between tests); the ones built are
    handed out again for the same session and environment unless ``forget_built``."""
    client.cache_clear()
    table.cache_clear()
    if forget_built:
        with _KEPT_LOCK:
            _KEPT.clear()
            _KEPT_SESSION[0] = None
