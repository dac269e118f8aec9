"""The cyclic garbage collector's settings for a process that is the ``ffo`` command.

An ``ffo run`` imports moto, botocore, pydantic, Powertools and the layer: ~250,000 objects (modules,
classes, functions, service models) that live until the process ends and are never garbage. CPython's
collector still walks all of them in every full collection (~0.1 CPU-s each, four or more in a text run),
and once more while the interpreter shuts down (~0.4 CPU-s): about a fifth of a short run's CPU.

- While the command runs, full collections are rare (one per ``FULL_EVERY`` collections of the middle
  generation instead of one per 10). The young generations keep their default pace, so the short-lived
  cycles a run makes (exceptions with their frames, moto's per-state objects) are still freed promptly
  (peak memory measured: the same for the text and the video runs).
- When the command has finished, everything left is frozen (``gc.freeze``): the shutdown's collections skip it.

Only a process that is the command gets this (``ffo.cli.main`` without an argument list, as the console
script and ``python -m ffo.cli`` call it): tests calling ``main([...])`` in their own process keep Python's
defaults. ``ffo serve`` runs for hours and keeps the defaults too.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

FULL_EVERY = 1000
"""Collections of generation 1 between two full ones; Python's default is 10."""


@contextmanager
def short_lived_command() -> Iterator[None]:
    """Full collections rare while the block runs; what is left frozen after it, for a cheap exit."""
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_EVERY)
    try:
        yield
    finally:
        gc.freeze()
