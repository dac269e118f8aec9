"""X's twitter-text conformance suite, read from tests/fixtures/twitter-text (see its README)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "twitter-text"


@cache
def suite(name: str) -> dict[str, list[dict[str, Any]]]:
    """One conformance file's sections (``validate``, ``extract``, ``tlds``)."""
    # libyaml: ~10x faster than the pure-Python loader on these files (the same data), and every worker reads them
    return yaml.load((FIXTURE / f"{name}.yml").read_text("utf-8"), Loader=yaml.CSafeLoader)["tests"]


def v3_config() -> dict[str, Any]:
    return json.loads((FIXTURE / "v3.json").read_text("utf-8"))


def cases(name: str, *sections: str) -> list[Any]:
    """Every case of the sections as a pytest param, its id naming the section and the description."""
    params = []
    for section in sections:
        for number, case in enumerate(suite(name)[section]):
            params.append(pytest.param(section, case, id=f"{section}[{number}] {case['description']}"))
    return params
