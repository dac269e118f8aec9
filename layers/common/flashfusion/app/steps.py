"""One function per state of statemachine/create_asset.asl.json.

Each takes the workflow state and the adapters, records the request's status, and returns the part
of the state it owns. Errors are the typed errors of flashfusion.errors: the ASL retries and catches
them by class name.

The steps live in a module each (``step_validate``, ``step_routing``, ``step_generation``, ``step_lint``,
``step_save``; shared helpers in ``step_common``), so that a step's handler loads what its step needs and not
linting, providers and routing together (issue 16). This module names them all, importing a step's module
on the first look-up of one of its names: ``steps.route`` works as before. A new step can be written here
too (or in a module of its own, added to ``_HOMES``); a name defined here wins over the table.
"""

from __future__ import annotations

import importlib
from typing import Any

_HOMES: dict[str, str] = {
    **dict.fromkeys(
        (
            "ASSET_NAMESPACE",
            "RESERVATION_TRIES",
            "_ready",
            "_require",
            "count_call",
            "effective_prompt",
            "request_metric",
        ),
        "flashfusion.app.step_common",
    ),
    "validate": "flashfusion.app.step_validate",
    **dict.fromkeys(("_reserved", "fallback", "release", "route", "route_query"), "flashfusion.app.step_routing"),
    **dict.fromkeys(
        ("_attempt", "_finish", "_job", "_provider", "generate", "poll"), "flashfusion.app.step_generation"
    ),
    **dict.fromkeys(
        ("autofix", "brand_lint_context", "decode_rgba", "full_report", "keep_full_report", "lint", "lint_or_report"),
        "flashfusion.app.step_lint",
    ),
    "save": "flashfusion.app.step_save",
}
"""Each name this module re-exports -> the module that defines it."""


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})
