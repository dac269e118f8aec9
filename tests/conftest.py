"""Shared fixtures: fake AWS credentials, fresh layer caches, and the local engine."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.helpers import ORG, OTHER_ORG, ROOT


@pytest.fixture(autouse=True)
def _aws_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test can reach real AWS: fake credentials, a fixed region, no endpoint overrides."""
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    from flashfusion.providers import faults
    from flashfusion.workflow import deps

    deps.reset()
    faults.reset()
    yield
    deps.reset()
    faults.reset()


@pytest.fixture
def sample_kit() -> dict[str, Any]:
    kit: dict[str, Any] = json.loads((ROOT / "events" / "brand-kit.sample.json").read_text("utf-8"))
    return kit


@pytest.fixture
def engine(sample_kit: dict[str, Any]) -> Iterator[Any]:
    """The local engine with the sample brand kit seeded for ORG and OTHER_ORG."""
    from ffo.engine import LocalEngine

    with LocalEngine(ROOT) as local:
        local.seed_brand_kit(ORG, sample_kit)
        local.seed_brand_kit(OTHER_ORG, sample_kit)
        yield local
