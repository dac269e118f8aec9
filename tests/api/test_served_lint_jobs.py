"""A lint job over real HTTP through `ffo serve`: the presigned PUT, the 202 and its Location, the server's tick
running the queue's consumer, the poll."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ffo.commands.serve import seed_kit
from ffo.local_issuer import LocalIssuer
from ffo.local_server import LocalServer
from tests.api.served import Api, served, server_config, start
from tests.api.test_lint_jobs_api import tone
from tests.helpers import ORG, OTHER_ORG

__all__ = ["served"]  # a fixture, imported for pytest


def test_a_track_is_linted_as_a_job_over_http(
    tmp_path: Path, served: list[LocalServer], sample_kit: dict[str, Any]
) -> None:
    server = start(served, tmp_path)
    seed_kit(server, [ORG], sample_kit)
    issuer = LocalIssuer(tmp_path / "issuer")
    api = Api(server, issuer.mint(server_config(server), org_id=ORG, subject="alice"))
    stranger = issuer.mint(server_config(server), org_id=OTHER_ORG, subject="eve")

    ticket = api.call("POST", "/v1/lint/uploads", json={"mimeType": "audio/wav"}).json()
    assert api.client.put(ticket["url"], content=tone(), headers=ticket["headers"]).status_code == 200
    accepted = api.call("POST", "/v1/lint", json={"brandKitId": sample_kit["kitId"], "uploadId": ticket["uploadId"]})
    assert accepted.status_code == 202, accepted.text
    location = accepted.headers["location"]
    assert location == accepted.json()["statusUrl"]
    assert api.call("GET", location).json()["status"] == "queued"

    assert server.drain() == 1  # what `ffo serve` does at each tick

    done = api.call("GET", location).json()
    assert done["status"] == "succeeded", done
    assert done["result"]["mimeType"] == "audio/wav"
    assert api.call("GET", location, token=stranger).status_code == 404
