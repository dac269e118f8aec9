from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from moto import mock_aws

# These tests import the publishing module (and so flashfusion.observability) at collection: give
# Powertools Metrics the namespace template.yaml gives every function, before it is created.
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "FlashFusion")

from tests.unit.campaigns.world import World, build_world


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    from flashfusion.app import publishing

    # The publish handler registers each invocation's Lambda context on the module's idempotency config; one
    # left by an earlier test in this process has run out of time, so every in-progress record would be
    # born expired and a concurrent fire could publish again. These tests call the use case outside Lambda.
    monkeypatch.setattr(publishing.IDEMPOTENCY_CONFIG, "lambda_context", None)
    with mock_aws():
        yield build_world()
