"""One botocore data loader per process, shared by every boto3/botocore session.

moto's ``mock_aws`` resets ``boto3.DEFAULT_SESSION`` each time it starts, and every new session
builds its own loader, so each test (and each engine resume) read and parsed the service models'
JSON again (~20-100 ms a service). The models are read-only data; one loader serves them all.

Likewise each new client builds a method per API operation (~10-25 ms for DynamoDB or S3), and the
tests make new clients for every test (the layer's client cache is cleared with its settings): the
methods depend only on the service model, so they are built once per service and API version.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import botocore.client
import botocore.loaders
import botocore.session


class _SearchPaths(list[str]):
    """boto3.Session appends its data directory to its loader's paths: once is enough when shared."""

    def append(self, path: str) -> None:
        if path not in self:
            super().append(path)


_LOADERS: dict[str | None, botocore.loaders.Loader] = {}
_LOCK = threading.RLock()
_create_loader = botocore.loaders.create_loader


def _serialised(method: Callable[..., Any]) -> Callable[..., Any]:
    """One loader now serves every thread (the engine's handlers, race tests): its caches are plain dicts."""

    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        with _LOCK:
            return method(*args, **kwargs)

    return call


def shared_loader(search_path_string: str | None = None) -> botocore.loaders.Loader:
    with _LOCK:
        if search_path_string not in _LOADERS:
            loader = _create_loader(search_path_string)
            loader._search_paths = _SearchPaths(loader.search_paths)
            for name in ("load_service_model", "load_data", "load_data_with_path", "list_available_services"):
                setattr(loader, name, _serialised(getattr(loader, name)))
            _LOADERS[search_path_string] = loader
        return _LOADERS[search_path_string]


_METHODS: dict[tuple[str, str], dict[str, Any]] = {}
_create_methods = botocore.client.ClientCreator._create_methods


def _shared_methods(creator: botocore.client.ClientCreator, service_model: Any) -> dict[str, Any]:
    key = (service_model.service_name, service_model.api_version)
    with _LOCK:
        if key not in _METHODS:
            _METHODS[key] = _create_methods(creator, service_model)
        return dict(_METHODS[key])  # a copy: boto3 adds its own methods to the class attributes


def sharing() -> bool:
    """Whether new botocore sessions share a loader now (``shared_loaders`` is active)."""
    return botocore.session.create_loader is shared_loader


_MOTO_LOADER: list[Any] = []


def _shared_moto_loader() -> Any:
    """moto reads each service's model (for its responses) with a loader of its own, made anew for every
    service: each one lists botocore's ~440 service folders again (~20 ms) before it loads a file."""
    from moto.core.loaders import create_loader

    with _LOCK:
        if not _MOTO_LOADER:
            loader = create_loader()
            for name in ("load_service_model", "load_data", "load_data_with_path", "list_available_services"):
                setattr(loader, name, _serialised(getattr(loader, name)))
            _MOTO_LOADER.append(loader)
        return _MOTO_LOADER[0]


@contextmanager
def shared_loaders() -> Iterator[Any]:
    """While active, new botocore sessions share one loader (and its cache of parsed models), new
    clients share the API methods built for their service, and moto's model reads share one loader."""
    import moto.core.utils

    with (
        mock.patch.object(botocore.session, "create_loader", shared_loader) as patched,
        mock.patch.object(botocore.client.ClientCreator, "_create_methods", _shared_methods),
        mock.patch.object(moto.core.utils, "create_loader", _shared_moto_loader),
    ):
        yield patched
