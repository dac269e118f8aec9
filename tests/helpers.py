"""Constants and small builders shared by the test tiers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ORG = "acme"
OTHER_ORG = "globex"


def claims(org: str = ORG, user: str = "user-1") -> dict[str, str]:
    return {"org_id": org, "sub": user}


def submission(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "contentType": "text",
        "prompt": "Write a LinkedIn post announcing our spring hiking collection",
        "tier": "standard",
        "brandKitId": "aurora-core",
    }
    body.update(overrides)
    return body


def body_of(response: dict[str, Any]) -> Any:
    return json.loads(response["body"])
