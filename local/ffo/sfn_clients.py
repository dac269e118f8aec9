"""One boto3 client per service for moto's Step Functions interpreter, instead of one per Task state.

moto's interpreter calls ``boto_client_for(region, service)`` for every Lambda invoke and every service
integration (DynamoDB updateItem, EventBridge putEvents, SQS sendMessage) it runs: a new boto3 client each
time (~12 ms, the client's endpoint rules and hooks built again), several times a run. The clients it makes
differ only by region and service (fixed test credentials, the same config), and a boto3 client may be used
from many threads, so one per (region, service) serves every state of every execution alike.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from types import ModuleType
from typing import Any
from unittest import mock

from moto.stepfunctions.parser.asl.utils import boto_client

_PARSER = "moto.stepfunctions.parser."


@contextmanager
def shared() -> Iterator[dict[tuple[str, str], Any]]:
    """While active, the interpreter's ``boto_client_for`` hands out one client per (region, service)."""
    real = boto_client.boto_client_for
    clients: dict[tuple[str, str], Any] = {}
    lock = threading.Lock()

    def boto_client_for(region: str, service: str, state_credentials: Any = None) -> Any:
        # moto's own ignores state_credentials (its clients all use the same test keys): so may the cache
        with lock:
            if (region, service) not in clients:
                clients[(region, service)] = real(region, service, state_credentials)
            return clients[(region, service)]

    with ExitStack() as stack:
        for module in _importers(real):
            stack.enter_context(mock.patch.object(module, "boto_client_for", boto_client_for))
        yield clients


_found: tuple[int, list[ModuleType]] = (-1, [])
"""(how many modules were loaded, the parser modules holding the function) at the last look."""


def _importers(real: Any) -> list[ModuleType]:
    """Every parser module that imported the function by name (the Lambda task, each service integration).

    sys.modules is looked through again only when modules were loaded since the last look: a test process
    holds thousands, and the engine asks at every resume (once per test)."""
    global _found
    loaded = len(sys.modules)
    if _found[0] != loaded:
        modules = [module for name, module in list(sys.modules.items()) if name.startswith(_PARSER)]
        _found = (loaded, [module for module in modules if hasattr(module, "boto_client_for")])
    return [module for module in _found[1] if getattr(module, "boto_client_for", None) is real]
