"""`ffo serve` for tests: a LocalServer on an ephemeral 127.0.0.1 port, tokens from its local issuer, and a
small httpx client (shared by test_local_server.py and test_contract.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ffo.local_issuer import AuthorizerConfig
from ffo.local_server import LocalServer
from tests.helpers import ROOT, submission

TERMINAL = {"succeeded", "failed", "rejected", "cancelled"}
NONCOMPLIANT = "Write a post saying our jackets are a guaranteed miracle and completely risk-free"


class BearerClient:
    """An httpx client for one local server that sends a bearer token, and waits for a request to settle."""

    def __init__(self, url: str) -> None:
        self.client = httpx.Client(base_url=url, timeout=30, trust_env=False)

    def default_token(self) -> str:
        raise NotImplementedError

    def call(self, method: str, path: str, token: str | None = None, **kwargs: Any) -> httpx.Response:
        headers = {"authorization": f"Bearer {token or self.default_token()}"}
        return self.client.request(method, path, headers=headers, **kwargs)

    def settled(self, request_id: str, until: set[str], timeout: float = 60.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            record: dict[str, Any] = self.call("GET", f"/v1/requests/{request_id}").json()
            if record["status"] in until:
                return record
            assert time.monotonic() < deadline, f"request still {record['status']} after {timeout} s"
            time.sleep(0.05)


class Api(BearerClient):
    def __init__(self, server: LocalServer, token: str) -> None:
        super().__init__(server.url)
        self.token = token

    def default_token(self) -> str:
        return self.token


@pytest.fixture
def served(tmp_path: Path) -> Iterator[list[LocalServer]]:
    """Servers started by the test, each stopped at the end if the test did not stop it."""
    servers: list[LocalServer] = []
    yield servers
    for server in servers:
        if server.http is not None:
            server.stop()


def start(servers: list[LocalServer], tmp_path: Path) -> LocalServer:
    server = LocalServer(
        ROOT,
        state_dir=tmp_path / "state",
        port=0,
        issuer_dir=tmp_path / "issuer",
        env={"OUTBOX_DIR": str(tmp_path / "outbox")},
    )
    servers.append(server)
    server.start()
    return server


def server_config(server: LocalServer) -> AuthorizerConfig:
    return AuthorizerConfig.from_template(server.engine.template, server.engine.parameters)


def submit_until_review(api: Api) -> str:
    """Submit a post that breaks the kit's banned terms; the review id it waits on."""
    accepted = api.call("POST", "/v1/assets", json=submission(prompt=NONCOMPLIANT, channel="instagram"))
    assert accepted.status_code == 202, accepted.text
    record = api.settled(accepted.json()["requestId"], TERMINAL | {"needs_review"})
    assert record["status"] == "needs_review", record
    return str(record["review"]["reviewId"])
