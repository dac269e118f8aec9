"""The committed state machine definitions are exactly what local/ffo/asl builds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ffo.asl import DEFINITIONS, rendered
from ffo.asl.__main__ import REGENERATE, drift, main
from tests.helpers import ROOT


@pytest.mark.parametrize("path", sorted(DEFINITIONS))
def test_committed_definition_is_generated(path: str) -> None:
    committed = (ROOT / path).read_text("utf-8")
    assert committed == rendered()[path], f"{path} is out of date; regenerate with: {REGENERATE}"


@pytest.mark.parametrize("path", sorted(DEFINITIONS))
def test_rendering_is_deterministic_json(path: str) -> None:
    text = rendered()[path]
    assert text == rendered()[path]
    assert text.endswith("}\n")
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"
    assert "${TableName}" in text  # SAM DefinitionSubstitutions pass through


def test_check_exits_1_on_drift_and_the_writer_fixes_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--check", "--root", str(tmp_path)]) == 1
    assert "python -m ffo.asl" in capsys.readouterr().err
    assert main(["--root", str(tmp_path)]) == 0
    assert drift(tmp_path) == []
    assert main(["--check", "--root", str(tmp_path)]) == 0
    [path] = DEFINITIONS
    target = tmp_path / path
    target.write_text(target.read_text("utf-8").replace('"MaxAttempts": 3', '"MaxAttempts": 9', 1), "utf-8")
    assert main(["--check", "--root", str(tmp_path)]) == 1
