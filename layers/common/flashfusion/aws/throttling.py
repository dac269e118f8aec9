"""AWS throttling as a typed error.

botocore retries a throttled call itself (legacy or standard mode); when it gives up, the
``ClientError`` would reach Step Functions as a generic ``ClientError`` that no Retry names. Inside
``typed_throttling`` such an error becomes ``AwsThrottled`` (chained to the original), which the state
machine retries with backoff on every state whose Lambda calls the service.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import ClientError

from flashfusion.errors import AwsThrottled

_FALLBACK_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
    }
)


def _botocore_codes() -> frozenset[str]:
    """botocore's own list (the codes its standard retry mode treats as throttling), when importable."""
    try:
        from botocore.retries.standard import ThrottledRetryableChecker
    except ImportError:  # pragma: no cover - botocore without the standard retry mode
        return _FALLBACK_CODES
    codes: Any = getattr(ThrottledRetryableChecker, "_THROTTLED_ERROR_CODES", None)
    if not codes:  # pragma: no cover - a botocore that renamed its private list
        return _FALLBACK_CODES
    return frozenset(str(code) for code in codes)


THROTTLING_CODES: frozenset[str] = _botocore_codes()
"""Error codes that mean "slow down" (botocore's list; Rekognition's ProvisionedThroughputExceeded included)."""


def is_throttling(error: BaseException) -> bool:
    if not isinstance(error, ClientError):
        return False
    return str(error.response.get("Error", {}).get("Code", "")) in THROTTLING_CODES


@contextmanager
def typed_throttling(service: str) -> Iterator[None]:
    """Turn a throttling ``ClientError`` raised inside the block into ``AwsThrottled``; anything else passes."""
    try:
        yield
    except ClientError as error:
        if not is_throttling(error):
            raise
        code = str(error.response.get("Error", {}).get("Code", ""))
        operation = getattr(error, "operation_name", "") or "?"
        raise AwsThrottled(
            f"{service} throttled {operation} ({code}) after the SDK's retries", service=service, code=code
        ) from error
