"""`ffo run` as a person uses it: progress lines, final status, the asset file and its provenance."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from ffo.cli import main
from tests.helpers import ROOT


def run_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str], event: str) -> tuple[int, str]:
    code = main(["--root", str(ROOT), "run", str(ROOT / "events" / event), "--out", str(tmp_path / "out")])
    return code, capsys.readouterr().out


def test_run_compliant_request_writes_asset_and_prints_provenance(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    code, out = run_cli(tmp_path, capsys, "text-compliant.json")
    noise = [r.getMessage() for r in caplog.records if r.name.startswith("moto") and r.levelno >= logging.ERROR]
    assert noise == []  # a Choice's IsPresent on a missing path is not an error

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


@pytest.mark.parametrize(
    ("event", "extension", "model"),
    [
        ("image-post.json", "jpg", "local/image-premium"),
        ("video-reel.json", "mp4", "local/video-standard"),
        ("music-jingle.json", "wav", "local/music-basic"),
    ],
)
def test_run_works_offline_for_every_medium(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], event: str, extension: str, model: str
) -> None:
    code, out = run_cli(tmp_path, capsys, event)

    assert code == 0
    assert "status: succeeded" in out
    written = sorted((tmp_path / "out").rglob(f"1.{extension}"))
    assert len(written) == 1
    assert written[0].stat().st_size > 1000
    provenance = json.loads(written[0].with_name("1.provenance.json").read_text())
    assert provenance["model"] == model
    if extension in ("mp4", "wav"):
        assert "-> WaitForVendor" in out
        assert "-> PollGeneration" in out


def test_run_queues_a_batch_request_over_budget_and_resumes_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "--root", str(ROOT), "run", str(ROOT / "events" / "text-batch-over-budget.json"),
            "--out", str(tmp_path / "out"),
            "--matrix", str(ROOT / "events" / "matrix-priced-local.json"),
            "--raise-budget", "1",
        ]
    )  # fmt: skip
    out = capsys.readouterr().out

    assert code == 0
    assert "status: queued" in out
    assert "reason BudgetExceeded: no text model at tier standard or below fits the remaining budget" in out
    assert "batch worker: 1 resumed, 0 still waiting" in out
    assert out.rstrip().splitlines()[-1].startswith("wall time")
    assert "status: succeeded" in out
    assert "spent $0.0000" not in out


def test_route_explains_the_decision(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    request = json.loads((ROOT / "events" / "image-post.json").read_text())
    request["body"]["options"] = {"quality": "medium"}
    path = tmp_path / "request.json"
    path.write_text(json.dumps(request))

    code = main(["--root", str(ROOT), "route", str(path), "--providers", "openai", "--budget", "0.03"])
    out = capsys.readouterr().out

    assert code == 0
    assert "remaining budget: $0.0300" in out
    assert "chosen: openai/dall-e-2  estimated $0.0200" in out
    assert "why: no premium model available; stepped down to basic" in out
    assert "openai/gpt-image-1: estimated $0.0420 exceeds the remaining budget of $0.0300" in out
    # dall-e-3 has no "medium" quality: priced at its dearest, so the estimate never undershoots
    assert "openai/dall-e-3: estimated $0.1200 exceeds the remaining budget of $0.0300" in out
    assert "midjourney/v6: disabled in the matrix (Midjourney has no official public API" in out
    assert "provider bedrock is not enabled in this deployment" in out


def test_route_reports_a_budget_that_fits_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["--root", str(ROOT), "route", str(ROOT / "events" / "text-compliant.json"),
         "--providers", "openai", "--budget", "0"]
    )  # fmt: skip
    out = capsys.readouterr().out

    assert code == 1
    assert (
        "no route: BudgetExceeded: no text model at tier standard or below fits the remaining budget of $0.0000" in out
    )


def test_lint_files_on_disk(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clean = tmp_path / "clean.txt"
    clean.write_text("Aurora Outdoor makes tents for every trail. We test each one in the mountains we love.")
    dirty = tmp_path / "dirty.txt"
    dirty.write_text("Our cheap tents are guaranteed for customers!!")
    kit = str(ROOT / "events" / "brand-kit.sample.json")

    assert main(["--root", str(ROOT), "lint", "--brand-kit", kit, str(clean)]) == 0
    assert f"{clean}: compliant" in capsys.readouterr().out

    assert main(["--root", str(ROOT), "lint", "--brand-kit", kit, str(clean), str(dirty)]) == 1
    out = capsys.readouterr().out
    assert f"{dirty}: NOT compliant" in out
    assert '[error] legal.banned-term at 20-30 "guaranteed"' in out
    assert "auto-fix: replace with 'affordable'" in out

    assert main(["--root", str(ROOT), "lint", "--json", "--brand-kit", kit, str(dirty)]) == 1
    reports = json.loads(capsys.readouterr().out)
    assert reports[0]["file"] == str(dirty)
    assert reports[0]["report"]["compliant"] is False


def test_lint_looks_up_the_ocr_engine_once_and_only_when_an_image_needs_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PIL import Image

    from ffo.commands import lint

    lookups: list[int] = []
    monkeypatch.setattr(lint, "local_ocr", lambda: lookups.append(1))
    post = tmp_path / "post.txt"
    post.write_text("Our new trail jacket keeps you dry on every climb.", "utf-8")
    image = tmp_path / "image.png"
    Image.new("RGB", (64, 64), "#0F6E6E").save(image)
    colours = tmp_path / "colours.json"
    colours.write_text(json.dumps({"kitId": "c", "name": "C", "palette": [{"name": "T", "hex": "#0F6E6E"}]}))
    banned = tmp_path / "banned.json"
    banned.write_text(json.dumps({"kitId": "b", "name": "B", "legal": {"bannedTerms": ["miracle"]}}))

    main(["--root", str(ROOT), "lint", "--brand-kit", str(banned), str(post), str(post)])  # text only
    main(["--root", str(ROOT), "lint", "--brand-kit", str(colours), str(image), str(image)])  # no text rule
    assert lookups == []
    main(["--root", str(ROOT), "lint", "--brand-kit", str(banned), str(post), str(image), str(image)])
    assert lookups == [1]


def test_lint_an_image_and_a_bad_kit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from PIL import Image

    image = tmp_path / "magenta.png"
    Image.new("RGB", (400, 400), (200, 30, 160)).save(image)
    kit = str(ROOT / "events" / "brand-kit.sample.json")
    assert main(["--root", str(ROOT), "lint", "--brand-kit", kit, str(image)]) == 1
    out = capsys.readouterr().out
    assert "[error] colors.palette" in out
    assert "[not checked] legal.moderation" in out

    bad = tmp_path / "kit.yaml"
    bad.write_text("kitId: k\nname: Bad\npalette:\n  - {name: Red, hex: '#GG0000'}\n")
    with pytest.raises(SystemExit) as exit_:
        main(["--root", str(ROOT), "lint", "--brand-kit", str(bad), str(image)])
    assert "palette.0.hex" in str(exit_.value)


def test_lint_refuses_a_decompression_bomb_with_a_readable_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.unit.lint.test_media import png_declaring

    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_declaring(30000, 30000))
    kit = str(ROOT / "events" / "brand-kit.sample.json")
    assert main(["--root", str(ROOT), "lint", "--brand-kit", kit, str(bomb)]) == 2
    out = capsys.readouterr().out
    assert out.startswith(f"{bomb}: cannot lint: the image is a decompression bomb")

    assert main(["--root", str(ROOT), "lint", "--json", "--brand-kit", kit, str(bomb)]) == 2
    [entry] = json.loads(capsys.readouterr().out)
    assert entry["file"] == str(bomb)
    assert "decompression bomb" in entry["error"]


def test_lint_json_is_one_document_with_an_entry_per_file_even_unreadable_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clean = tmp_path / "clean.txt"
    clean.write_text("Aurora Outdoor makes tents for every trail. We test each one in the mountains we love.")
    garbage = tmp_path / "garbage.png"
    garbage.write_bytes(b"not a png")
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes(b"caf\xe9")
    missing = tmp_path / "missing.txt"
    kit = str(ROOT / "events" / "brand-kit.sample.json")
    files = [str(clean), str(garbage), str(latin1), str(missing)]
    assert main(["--root", str(ROOT), "lint", "--json", "--brand-kit", kit, *files]) == 2
    out = capsys.readouterr().out
    entries = json.loads(out)
    assert [entry["file"] for entry in entries] == files
    assert entries[0]["report"]["compliant"] is True
    assert "error" not in entries[0]
    assert entries[1]["error"] == "the file is not an image Pillow can read"
    assert "not UTF-8" in entries[2]["error"]
    assert entries[3]["error"] == f"no such file: {missing}"
    assert "object at 0x" not in out

    assert main(["--root", str(ROOT), "lint", "--brand-kit", kit, *files]) == 2
    out = capsys.readouterr().out
    assert f"{garbage}: cannot lint: the file is not an image Pillow can read" in out
    assert "object at 0x" not in out


def test_review_decides_each_round_and_provenance_reads_the_result(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "out"
    args = ["--root", str(ROOT), "review", str(ROOT / "events" / "text-noncompliant.json"), "--out", str(out_dir)]
    decisions = ["--decision", "regenerate", "--feedback", "no guarantees", "--decision", "approve_with_edits"]
    code = main([*args, *decisions, "--edited-text", "Meet Aurora. Warm jackets for every trail."])
    out = capsys.readouterr().out

    assert code == 0
    assert out.count("POST /v1/reviews/") == 2
    assert "decision regenerate -> 200" in out
    assert "decision approve_with_edits -> 200" in out
    assert "status: succeeded" in out
    assert len(list((out_dir / "reviews").rglob("*.txt"))) == 2  # the preview of each round
    lineage = [
        line.strip() for line in out.splitlines() if line.startswith("  ") and " v" in line and "decision=" in line
    ]
    assert [line.split()[1:3] for line in lineage] == [["v1", "superseded"], ["v2", "superseded"], ["v3", "published"]]

    (saved,) = sorted(out_dir.rglob("3.txt"))
    assert saved.read_text() == "Meet Aurora. Warm jackets for every trail."
    assert saved.with_suffix(".c2pa").is_file()
    assert main(["--root", str(ROOT), "provenance", str(saved)]) == 0
    shown = capsys.readouterr().out
    assert "content credentials valid and trusted" in shown
    assert "action c2pa.edited [humanEdits]" in shown
    assert "(parentOf)" in shown

    saved.write_text("Meet Aurora. Warm jackets for every trail!")  # one character changed after signing
    assert main(["--root", str(ROOT), "provenance", str(saved)]) == 1
    assert "INVALID" in capsys.readouterr().out


def test_run_stops_at_a_review_instead_of_waiting(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_cli(tmp_path, capsys, "text-noncompliant.json")
    assert code == 0
    assert "a person must decide review" in out
    assert "ffo review" in out


def test_review_never_decides_a_review_twice_while_the_request_still_shows_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Right after a decision the request still shows that review as pending until the workflow moves on (on a
    busy machine for a while): `ffo review` waits for the next round instead of taking it for a new one."""
    import ffo.commands.review as review_command

    real = review_command.waiting_review
    decided: list[dict[str, Any]] = []

    def stale_after_a_decision(engine: Any, org_id: str, request_id: str) -> dict[str, Any] | None:
        current = real(engine, org_id, request_id)
        if current is not None:
            decided[:] = [current]  # the review a decision will be posted for
            return current
        return decided.pop() if decided else None  # once: the decided review, as a slow request record shows it

    monkeypatch.setattr(review_command, "waiting_review", stale_after_a_decision)
    args = ["--root", str(ROOT), "review", str(ROOT / "events" / "text-noncompliant.json"), "--out", str(tmp_path)]
    code = main(
        [*args, "--decision", "approve_with_edits", "--edited-text", "Meet Aurora. Warm jackets for every trail."]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.count("POST /v1/reviews/") == 1
    assert "no decision left" not in out
    assert "status: succeeded" in out
