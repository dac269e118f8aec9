"""Shared fixtures: fake AWS credentials, fresh layer caches, and the local engine."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ORG, OTHER_ORG, ROOT

_PARENT = str(ROOT.parent).rstrip(os.sep) + os.sep
_INSIDE = str(ROOT) + os.sep
# Interpreters, the temporary directory and hidden folders (~/.cache, ~/.pyenv) may sit beside a clone.
_ALLOWED = tuple(str(Path(p).resolve()) + os.sep for p in {tempfile.gettempdir(), sys.prefix, sys.base_prefix})


def _self_contained(event: str, args: tuple[Any, ...]) -> None:
    """The repository stands alone: a test that opens a file beside the clone (a shared specs folder, say) fails."""
    if event != "open" or not isinstance(args[0], str | bytes | os.PathLike):
        return
    path = os.path.abspath(os.fsdecode(args[0]))
    if not path.startswith(_PARENT) or path.startswith(_INSIDE) or path.startswith(_ALLOWED):
        return
    if not path[len(_PARENT) :].startswith("."):
        raise PermissionError(f"tests may not read outside the repository: {path}")


sys.addaudithook(_self_contained)


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
    from flashfusion import wiring as deps
    from flashfusion.providers import faults

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
