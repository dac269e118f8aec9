"""A function named by module and attribute, imported on its first call.

A Lambda handler module imports only Powertools and this; the use case it runs (its step, its routers,
pydantic and the models, the wiring and boto3) loads on the first invocation and stays loaded for the
sandbox's life. A handler's import then costs what the floor costs (issue 16), and a module that one
handler needs is never loaded into another's cold start because the two share a file.
"""

from __future__ import annotations

import importlib
import threading
from typing import Any


class Deferred:
    """Calls ``module.attribute`` (imported on the first call); ``__name__`` is the attribute's name."""

    def __init__(self, module: str, attribute: str) -> None:
        self.module = module
        self.__name__ = attribute
        self.__qualname__ = attribute
        self._target: Any = None
        self._lock = threading.Lock()

    def resolve(self) -> Any:
        """The real function (or object), imported now if it was not yet."""
        if self._target is None:
            with self._lock:  # two threads' first calls import once
                if self._target is None:
                    self._target = getattr(importlib.import_module(self.module), self.__name__)
        return self._target

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.resolve()(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<deferred {self.module}.{self.__name__}>"


def deferred(module: str, attribute: str) -> Deferred:
    """``module.attribute``, imported when first called: ``route = deferred("flashfusion.app.steps", "route")``."""
    return Deferred(module, attribute)
