"""`ffo run --state DIR` and `ffo review --state DIR` on `ffo serve`'s state: what they submit is there for the
next engine (and server) loaded from DIR; a held directory is a plain refusal; a running server gets the request
over HTTP, and its review is decided from another terminal."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from ffo.cli import main
from ffo.local_server import LocalServer, StateLock
from tests.api.served import Api, served, server_config, start
from tests.helpers import ORG, ROOT

__all__ = ["served"]  # a fixture, imported for pytest

COMPLIANT = str(ROOT / "events" / "text-compliant.json")
NONCOMPLIANT = str(ROOT / "events" / "text-noncompliant.json")


def request_id_in(out: str) -> str:
    match = re.search(r"POST /v1/assets -> 202 (\{.*\})", out)
    assert match, out
    return str(json.loads(match.group(1))["requestId"])


def loaded(state: Path, request_id: str, org: str = ORG) -> dict[str, Any]:
    """The request as a new engine loaded from ``state`` answers it (what `ffo serve --state` would load)."""
    from ffo.engine import LocalEngine
    from ffo.state_store import StateStore

    with LocalEngine(ROOT) as engine:
        assert StateStore(state).load(engine) is not None
        response = engine.api("GET", f"/v1/requests/{request_id}", None, {"org_id": org, "sub": "someone"})
    assert response["statusCode"] == 200, response
    record: dict[str, Any] = json.loads(response["body"])
    return record


def test_a_run_on_a_state_is_there_for_the_next_engine(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = tmp_path / "state"
    run = ["--root", str(ROOT), "run", COMPLIANT, "--state", str(state), "--out", str(tmp_path / "out")]

    assert main(run) == 0
    first = capsys.readouterr().out
    assert f"state saved in {state}" in first
    assert main([*run[:3], str(ROOT / "events" / "image-post.json"), *run[4:]]) == 0  # the kit is kept, not re-seeded
    second = capsys.readouterr().out
    assert f"state loaded from {state}" in second

    kept = loaded(state, request_id_in(first))
    assert kept["status"] == "succeeded"
    assert kept["asset"]["mimeType"].startswith("text/plain")
    assert loaded(state, request_id_in(second))["status"] == "succeeded"


def test_a_held_state_is_refused_plainly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = tmp_path / "state"
    held = StateLock(state)
    held.acquire()  # another ffo command holds it
    try:
        assert main(["--root", str(ROOT), "run", COMPLIANT, "--state", str(state), "--out", str(tmp_path)]) == 2
        assert f"{state} is in use by another ffo command" in capsys.readouterr().out
        review = ["--root", str(ROOT), "review", NONCOMPLIANT, "--state", str(state), "--decision", "approve"]
        assert main([*review, "--out", str(tmp_path)]) == 2
        assert f"{state} is in use by another ffo command" in capsys.readouterr().out
    finally:
        held.release()
    assert not (state / "snapshot.json").exists()  # nothing was written under the other holder


def test_with_a_server_running_the_run_goes_to_it_and_the_review_is_decided_from_another_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], served: list[LocalServer], sample_kit: dict[str, Any]
) -> None:
    from ffo.commands.serve import seed_kit
    from ffo.local_issuer import LocalIssuer

    server = start(served, tmp_path)
    seed_kit(server, [ORG], sample_kit)
    state = str(tmp_path / "state")
    capsys.readouterr()

    assert main(["--root", str(ROOT), "run", NONCOMPLIANT, "--state", state, "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"`ffo serve` (pid {os.getpid()}) owns" in out
    assert "status: needs_review" in out
    request_id = request_id_in(out)

    review_in_process = ["--root", str(ROOT), "review", NONCOMPLIANT, "--state", state, "--decision", "approve"]
    assert main([*review_in_process, "--out", str(tmp_path)]) == 2
    assert "`ffo serve`" in capsys.readouterr().out  # it says the server owns the state, and how to go on

    decide = ["--root", str(ROOT), "review", "--request", request_id, "--org", ORG, "--state", state]
    assert main([*decide, "--decision", "approve"]) == 0
    token = LocalIssuer(tmp_path / "issuer").mint(server_config(server), org_id=ORG, subject="alice")
    assert Api(server, token).settled(request_id, {"succeeded", "failed"})["status"] == "succeeded"
