"""The base every boundary model shares: camelCase JSON, snake_case Python, unknown fields refused."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, StringConstraints
from pydantic.alias_generators import to_camel

Identifier = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{1,64}$")]

MIN_YEAR = 2000
MAX_YEAR = 2100
"""Every instant a client sends lies in these years (as written, in its own offset): converting it to UTC
can never overflow, and the planner and the scheduler never meet a date they cannot handle."""


def iso_instant(value: Any) -> Any:
    """An ISO 8601 string (or a datetime built in Python); never a number read as Unix time."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise ValueError("must be an ISO 8601 date and time string, e.g. 2030-05-01T09:00:00Z")
    if len(value) > 64:
        raise ValueError("must be an ISO 8601 date and time string (too long)")
    try:
        return datetime.fromisoformat(value)
    except ValueError as error:
        raise ValueError("must be an ISO 8601 date and time string, e.g. 2030-05-01T09:00:00Z") from error


def sane_instant(value: datetime) -> datetime:
    """An aware datetime between MIN_YEAR and MAX_YEAR, so ``astimezone(UTC)`` cannot overflow."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("has no time zone: add Z or an offset")
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"must lie between the years {MIN_YEAR} and {MAX_YEAR}")
    return value


def parse_instant(value: str) -> datetime:
    """``Instant`` for a query-string value: ValueError when it is not an ISO 8601 instant in range."""
    parsed: datetime = iso_instant(value)
    return sane_instant(parsed)


Instant = Annotated[datetime, BeforeValidator(iso_instant), AfterValidator(sane_instant)]
"""An aware ISO 8601 date and time within MIN_YEAR..MAX_YEAR, for every datetime a client sends."""


class CamelModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", defer_build=True)

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)
