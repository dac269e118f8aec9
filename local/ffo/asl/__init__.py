"""State machine definitions generated from Python (never shipped to Lambda).

``python -m ffo.asl`` writes every definition under statemachine/; ``--check`` exits 1 when a committed
file differs from what the builder produces.
"""

from __future__ import annotations

from collections.abc import Callable

from . import create_asset
from .builder import State, render

DEFINITIONS: dict[str, Callable[[], State]] = {create_asset.PATH: create_asset.definition}
"""Committed path (relative to the repository root) -> the function that builds it."""


def rendered() -> dict[str, str]:
    """Every definition as the exact text that is committed."""
    return {path: render(build()) for path, build in DEFINITIONS.items()}
