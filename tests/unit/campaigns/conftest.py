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
def world() -> Iterator[World]:
    with mock_aws():
        yield build_world()
