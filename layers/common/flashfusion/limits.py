"""Size budgets that keep every workflow state far inside Step Functions' 256 KiB.

Step Functions fails an execution whose state outgrows 256 KiB with ``States.DataLimitExceeded``, which
no ``States.ALL`` catcher catches: the failure path (release the budget, record the cause) would not
run. So nothing grows without bound in the state: a step's result that would take the state past
``STATE_BUDGET_BYTES`` is refused with a catchable error, large reports live in S3 with a bounded
summary in the state, and error messages are cut to ``ERROR_MESSAGE_CHARS``.
"""

from __future__ import annotations

import json
from typing import Any

STEP_FUNCTIONS_PAYLOAD_BYTES = 256 * 1024
STATE_BUDGET_BYTES = 160 * 1024
"""The most a step may leave in the state: the rest is headroom for the error a catcher adds
(``ERROR_MESSAGE_CHARS`` and a stack trace) and for the Map and review payload wrappers."""
LINT_SUMMARY_BYTES = 24 * 1024
"""The lint report as the state, the request record and the review carry it (the full one is in S3)."""
ERROR_MESSAGE_CHARS = 2_000
"""An error message longer than this is cut (a vendor's HTML error page, a long validation list)."""


def json_bytes(value: Any) -> int:
    """Bytes as Step Functions counts them: compact JSON, UTF-8."""
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str).encode("utf-8"))
