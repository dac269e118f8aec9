"""`ffo run` as a person uses it: progress lines, final status, the asset file and its provenance."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ffo.cli import main
from tests.helpers import ROOT


def run_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str], event: str) -> tuple[int, str]:
    code = main(["--root", str(ROOT), "run", str(ROOT / "events" / event), "--out", str(tmp_path / "out")])
    return code, capsys.readouterr().out


def test_run_compliant_request_writes_asset_and_prints_provenance(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run_cli(tmp_path, capsys, "text-compliant.json")

    assert code == 0
    for state in ("ValidateRequest", "RouteModel", "Generate", "LintAsset", "SaveAsset"):
        assert f"-> {state}" in out
        assert f"<- {state} (" in out
    assert "status: succeeded" in out
    written = sorted((tmp_path / "out").rglob("1.txt"))
    assert len(written) == 1
    assert f"asset written to {written[0]}" in out
    provenance = json.loads(written[0].with_name("1.provenance.json").read_text())
    assert provenance["model"] == "local/text-standard"
    assert f'"outputHash": "{provenance["outputHash"]}"' in out


def test_run_shows_retries_and_the_fallback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_cli(tmp_path, capsys, "text-retry-fallback.json")

    assert code == 0
    assert out.count("failed with ProviderThrottled") == 2
    assert "backoff 2 s, jittered" in out
    assert "!! Generate caught ProviderUnavailable" in out
    assert "-> Fallback" in out
    assert '"fallbackChain": [\n    "local/text-premium",\n    "local/text-standard"\n  ]' in out


def test_run_chain_exhausted_exits_1_with_cause(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_cli(tmp_path, capsys, "text-chain-exhausted.json")

    assert code == 1
    assert "status: failed" in out
    assert "error FallbackChainExhausted: All 3 model(s) failed." in out
    assert not (tmp_path / "out").exists()


def test_run_needs_review_lists_violations(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_cli(tmp_path, capsys, "text-noncompliant.json")

    assert code == 0
    assert "status: needs_review" in out
    assert 'legal.banned-term: "guaranteed" is a banned term' in out


def test_run_rejected_request_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"body": {"contentType": "hologram", "prompt": "x", "brandKitId": "aurora-core"}}))
    code = main(["--root", str(ROOT), "run", str(bad), "--out", str(tmp_path / "out")])
    out = capsys.readouterr().out

    assert code == 2
    assert "-> 400" in out
    assert "contentType" in out


@pytest.mark.parametrize("command", [[], ["run"], ["validate"]])
def test_help_explains_each_command(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([*command, "--help"])
    assert exit_.value.code == 0
    assert "usage: ffo" in capsys.readouterr().out
