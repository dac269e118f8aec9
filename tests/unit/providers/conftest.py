"""Fixtures every vendor adapter test shares."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import respx


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    """Every HTTP call the adapter makes is answered by the routes a test mocks; none reaches a vendor."""
    with respx.mock(assert_all_called=False) as router:
        yield router
