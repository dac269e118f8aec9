"""Key layouts. Every key starts with the organisation, so no query can cross organisations.

statemachine/create_asset.asl.json builds the request key with States.Format for its direct DynamoDB
updates; tests/unit/test_keys.py checks that it matches ``request_key``.
"""

from __future__ import annotations

import re

_SAFE = re.compile(r"^[A-Za-z0-9._:-]+$")


def _safe(part: str, what: str) -> str:
    if not _SAFE.fullmatch(part) or "#" in part:
        raise ValueError(f"{what} {part!r} has characters a key cannot hold")
    return part


def org_pk(org_id: str) -> str:
    return f"ORG#{_safe(org_id, 'organisation id')}"


def request_key(org_id: str, request_id: str) -> dict[str, str]:
    return {"PK": org_pk(org_id), "SK": f"REQUEST#{_safe(request_id, 'request id')}"}


def idempotency_key(org_id: str, client_request_id: str) -> dict[str, str]:
    return {"PK": org_pk(org_id), "SK": f"IDEMPOTENCY#{_safe(client_request_id, 'client request id')}"}


def brand_kit_key(org_id: str, kit_id: str, version: int | None = None) -> dict[str, str]:
    suffix = "" if version is None else f"#V#{version:06d}"
    return {"PK": org_pk(org_id), "SK": f"BRANDKIT#{_safe(kit_id, 'brand kit id')}{suffix}"}


def budget_config_key(org_id: str) -> dict[str, str]:
    return {"PK": org_pk(org_id), "SK": "BUDGET#CONFIG"}


def budget_month_key(org_id: str, month: str) -> dict[str, str]:
    return {"PK": org_pk(org_id), "SK": f"BUDGET#{_safe(month, 'month')}"}


def provenance_key(org_id: str, asset_id: str, version: int) -> dict[str, str]:
    return {"PK": org_pk(org_id), "SK": f"ASSET#{_safe(asset_id, 'asset id')}#V#{version:06d}"}


def provenance_by_time(org_id: str) -> str:
    """GSI1 partition of an organisation's provenance records, sorted by generatedAt."""
    return f"{org_pk(org_id)}#PROVENANCE"


def asset_object_key(org_id: str, asset_id: str, version: int, extension: str) -> str:
    return f"orgs/{_safe(org_id, 'organisation id')}/assets/{_safe(asset_id, 'asset id')}/{version}.{extension}"


def brand_prefix_of(org_id: str) -> str:
    return f"orgs/{_safe(org_id, 'organisation id')}/brand/"


def brand_file_key(org_id: str, kit_id: str, name: str) -> str:
    return f"{brand_prefix_of(org_id)}{_safe(kit_id, 'brand kit id')}/{_safe(name, 'file name')}"


def staging_object_key(prefix: str, org_id: str, request_id: str, name: str) -> str:
    return f"{prefix}/{_safe(org_id, 'organisation id')}/{_safe(request_id, 'request id')}/{_safe(name, 'name')}"


def staging_prefix_of(prefix: str, org_id: str) -> str:
    return f"{prefix}/{_safe(org_id, 'organisation id')}/"
