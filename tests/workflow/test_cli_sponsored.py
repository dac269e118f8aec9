"""`ffo lint --sponsored`: the disclosure is required only with the flag, as the kit places it; `ffo run` of the
sponsored sample request ends with the disclosure inserted where readers see it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import flashfusion.observability  # noqa: F401  (Powertools binds sys.stdout when first imported: not a capsys stream)
from ffo.cli import main
from tests.helpers import ROOT

KIT = str(ROOT / "events" / "brand-kit.sample.json")
CLEAN = "Aurora Outdoor makes tents for every trail. We test each one in the mountains we love."


def lint(*args: str) -> int:
    return main(["--root", str(ROOT), "lint", "--brand-kit", KIT, *args])


def test_lint_sponsored_needs_a_disclosure_where_the_kit_places_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    post = tmp_path / "post.txt"
    post.write_text(CLEAN)
    late = tmp_path / "late.txt"
    late.write_text(CLEAN + " " + "Pitch it in minutes and sleep well under the stars all season long. " + "#ad")
    early = tmp_path / "early.txt"
    early.write_text("#ad " + CLEAN)

    assert lint("--channel", "instagram", str(post)) == 0  # not sponsored: nothing to disclose
    capsys.readouterr()

    assert lint("--channel", "instagram", "--sponsored", str(post)) == 1
    out = capsys.readouterr().out
    assert f"{post}: NOT compliant" in out
    line = next(x for x in out.splitlines() if "legal.sponsored-disclosure" in x)
    assert line.strip().startswith("[error]")
    assert "on instagram" in line
    assert '"#ad", "#sponsored" or "Paid partnership"' in line
    assert "within the first 125 characters" in line
    assert "auto-fix: insert with '#ad '" in out

    assert lint("--channel", "instagram", "--sponsored", str(early)) == 0
    capsys.readouterr()

    assert lint("--channel", "instagram", "--sponsored", "--json", str(late)) == 1
    (entry,) = json.loads(capsys.readouterr().out)
    (finding,) = [v for v in entry["report"]["violations"] if v["ruleId"] == "legal.sponsored-disclosure"]
    assert finding["location"]["text"] == "#ad"
    assert "after the fold" in finding["message"]
    # X has no fold in the sample kit: the same late "#ad" is enough there
    assert lint("--channel", "x", "--sponsored", str(late)) == 0


def test_run_the_sponsored_sample_request(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    event = json.loads((ROOT / "events" / "text-sponsored.json").read_text("utf-8"))
    assert event["body"]["sponsored"] is True
    code = main(["--root", str(ROOT), "run", str(ROOT / "events" / "text-sponsored.json"), "--out", str(tmp_path)])
    out = capsys.readouterr().out

    assert code == 0
    assert "status: succeeded" in out
    (written,) = sorted(tmp_path.rglob("1.txt"))
    text = written.read_text("utf-8")
    assert text.startswith("#ad ")
    provenance = json.loads(written.with_name("1.provenance.json").read_text())
    assert provenance["autoFixes"] == ["legal.sponsored-disclosure"]
    assert provenance["lintResults"]["legal.sponsored-disclosure"] is True
