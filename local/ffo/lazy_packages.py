"""Packages whose ``__init__`` runs only when something asks for a name it defines.

moto's Step Functions parser imports ``moto.batch.utils`` for one enum (``JobStatus``) while it builds its
task-state factory; importing that submodule runs ``moto/batch/__init__``, which loads the Batch models and
with them ``moto.ec2`` and its AMI and instance-type JSON (~0.7 s of every ``ffo run``). No workflow here
runs a Batch task.

``defer_init`` changes nothing until the package is imported (it imports nothing itself). Then the package
module is created with its ``__path__``, so its submodules import as usual, and its ``__init__`` runs in
place on the first look-up of a name it does not have yet (``batch_backends``, as moto's backend registry
asks): what uses Batch sees no difference.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import threading
from collections.abc import Sequence
from types import ModuleType
from typing import Any

_lock = threading.RLock()


class _DeferredInit(importlib.abc.Loader):
    def __init__(self, real: importlib.abc.Loader) -> None:
        self.real = real

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return None  # the default module, with __path__ from the spec

    def exec_module(self, module: ModuleType) -> None:
        real = self.real
        loaded = False

        def load_on_first_use(attribute: str) -> Any:
            nonlocal loaded
            with _lock:
                if not loaded:
                    loaded = True
                    del module.__dict__["__getattr__"]  # the real package defines its own names from here on
                    module.__loader__ = real
                    if module.__spec__ is not None:
                        module.__spec__.loader = real
                    real.exec_module(module)
            try:
                return module.__dict__[attribute]
            except KeyError:
                raise AttributeError(f"module {module.__name__!r} has no attribute {attribute!r}") from None

        module.__dict__["__getattr__"] = load_on_first_use


class _Finder(importlib.abc.MetaPathFinder):
    def __init__(self) -> None:
        self.names: set[str] = set()

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.names:
            return None
        with _lock:
            self.names.discard(fullname)  # once: a later import (after a reload) is an ordinary one
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is None or spec.loader is None or spec.submodule_search_locations is None:
            return spec  # not a package: imported as usual
        spec.loader = _DeferredInit(spec.loader)
        return spec


_finder = _Finder()


def defer_init(name: str) -> None:
    """Run package ``name``'s ``__init__`` only when a name it defines is asked for (see the module doc).
    Nothing changes for a package already imported."""
    if name in sys.modules:
        return
    with _lock:
        _finder.names.add(name)
        if _finder not in sys.meta_path:
            sys.meta_path.insert(0, _finder)
