"""Parsed state machine definitions kept on disk between ``ffo`` processes.

moto parses a definition with its ANTLR grammar (~0.6-0.8 s for create_asset) in every process that creates
the state machine: every ``ffo run``, ``ffo serve`` and test worker. The parsed program is plain Python
objects that pickle to ~60 kB and load in ~10 ms, so the first process parses and later ones load.

- The key is the definition's SHA-256 with moto's and Python's versions: another moto parses afresh.
- The parse tree (moto's second result) is not kept: only moto's variable-references analyser reads it, on
  describe calls; ``TreeOnDemand`` parses then.
- A cache file that cannot be read or loaded is ignored and written again; writes are atomic (rename).
- The folder is ``$FFO_CACHE_DIR``, else ``$XDG_CACHE_HOME/ffo``, else ``~/.cache/ffo``; it is this user's
  own (a pickle is code: only files this tool wrote there are ever loaded). ``FFO_CACHE_DIR=off`` turns
  the cache off.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

Parse = Callable[[str], tuple[Any, Any]]


def cache_dir() -> Path | None:
    configured = os.environ.get("FFO_CACHE_DIR")
    if configured == "off":
        return None
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ffo"


def _key(definition: str) -> str:
    import moto

    digest = hashlib.sha256(definition.encode("utf-8")).hexdigest()[:40]
    return f"asl-moto{moto.__version__}-py{sys.version_info[0]}{sys.version_info[1]}-{digest}.pickle"


class TreeOnDemand:
    """Stands in for the parse tree of a definition whose program came from the cache: the real tree is
    parsed the first time something visits or reads it."""

    def __init__(self, definition: str, parse: Parse) -> None:
        self._definition = definition
        self._parse = parse
        self._tree: Any = None

    def _real(self) -> Any:
        if self._tree is None:
            self._tree = self._parse(self._definition)[1]
        return self._tree

    def accept(self, visitor: Any) -> Any:
        return self._real().accept(visitor)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real(), name)


def parse(definition: str, real_parse: Parse) -> tuple[Any, Any]:
    """``real_parse(definition)``, or its program loaded from the cache (with a tree parsed on demand)."""
    folder = cache_dir()
    if folder is None:
        return real_parse(definition)
    path = folder / _key(definition)
    program = _load(path)
    if program is None:
        with _parsing(folder, path):  # another process may be parsing it right now: wait for its result
            program = _load(path)
            if program is None:
                parsed = real_parse(definition)
                _store(folder, path, parsed[0])
                return parsed
    return program, TreeOnDemand(definition, real_parse)


def _load(path: Path) -> Any:
    try:
        return pickle.loads(path.read_bytes())  # noqa: S301  # this tool's own cache (see the module doc)
    except Exception:  # missing, truncated, or written by an incompatible version: parse again
        return None


@contextmanager
def _parsing(folder: Path, path: Path) -> Iterator[None]:
    """One process at a time parses a definition: processes that start together (test workers, the
    ``ffo serve`` a browser test starts beside them) wait for the first one's result and load it instead
    of each spending the parse. Best effort: without a lock file (or fcntl) everyone parses."""
    try:
        import fcntl

        folder.mkdir(parents=True, exist_ok=True)
        handle = path.with_suffix(".lock").open("a+b")
    except (ImportError, OSError):
        yield
        return
    with handle:
        with suppress(OSError):  # a file system without locks: parse alongside
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield  # closing the file releases the lock


def _store(folder: Path, path: Path, program: Any) -> None:
    """Best effort: a cache that cannot be written only costs the next process a parse."""
    try:
        data = pickle.dumps(program, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return
    write_atomically(folder, path, data)


def write_atomically(folder: Path, path: Path, data: bytes) -> None:
    """``data`` to ``path`` in ``folder`` (a rename: a reader sees the whole file or none); best effort."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
