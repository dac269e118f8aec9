"""`ffo serve` for tests: a LocalServer on an ephemeral 127.0.0.1 port, tokens from its local issuer, and a
small httpx client (shared by test_local_server.py and test_contract.py)."""

from __future__ import annotations

import os
import ssl
import time
import warnings
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest

from ffo.devcert import _write_private
from ffo.local_issuer import KEY_FILE, AuthorizerConfig
from ffo.local_server import LocalServer
from tests.helpers import AWS_OVERRIDES, ROOT, TEST_AWS_ENV, submission

CREDENTIALS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
_started_credentials: dict[int, dict[str, str]] = {}
"""The credentials in the environment just after each module server started (by id of the server)."""
TERMINAL = {"succeeded", "failed", "rejected", "cancelled"}
NONCOMPLIANT = "Write a post saying our jackets are a guaranteed miracle and completely risk-free"


@cache
def tls() -> ssl.SSLContext:
    """One default TLS context for the tests' clients: httpx builds one per client, loading the system's CA
    certificates each time (~20 ms), though these clients speak plain HTTP to 127.0.0.1."""
    return ssl.create_default_context()


@cache
def _issuer_key() -> bytes:
    """One issuer key per test process: a 2048-bit RSA key costs ~0.1 s to make, and every test's server made
    one. Tests that need two issuers apart make their own (LocalIssuer on a folder of their own)."""
    from joserfc.jwk import RSAKey

    pem: bytes = RSAKey.generate_key(2048, private=True).as_pem(private=True)
    return pem


def issuer_folder(tmp_path: Path) -> Path:
    """The test's issuer folder, holding the process's issuer key (written as LocalIssuer writes its own)."""
    folder = tmp_path / "issuer"
    if not (folder / KEY_FILE).exists():
        folder.mkdir(parents=True, exist_ok=True)
        _write_private(folder / KEY_FILE, _issuer_key())
    return folder


class BearerClient:
    """An httpx client for one local server that sends a bearer token, and waits for a request to settle."""

    def __init__(self, url: str) -> None:
        self.client = httpx.Client(base_url=url, timeout=30, trust_env=False, verify=tls())

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


@pytest.fixture(scope="module")
def module_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    """One `ffo serve` for a module's tests: starting one costs about a CPU-second (an engine of its own with every
    resource of the template) and stopping it saves its state. Tests take it through ``clean_server``."""
    servers: list[LocalServer] = []
    with pytest.MonkeyPatch.context() as env:
        # Started outside any test: the fake credentials every test runs with (tests/conftest.py's _aws_env), so
        # that the session the server's clients resolve theirs from signs as the tests' requests are checked.
        for name in AWS_OVERRIDES:
            env.delenv(name, raising=False)
        for name, value in TEST_AWS_ENV.items():
            env.setenv(name, value)
        try:
            server = start(servers, tmp_path_factory.mktemp("served"))
            _started_credentials[id(server)] = {name: os.environ[name] for name in CREDENTIALS if name in os.environ}
            yield server
        finally:
            for server in servers:
                if server.http is not None:
                    server.stop()


@pytest.fixture
def clean_server(module_server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> LocalServer:
    """The module's server with an empty world, as a new server on a new state folder would have it: no items,
    objects, messages, executions or schedules (the engine's ``reset_world``), no schedules fired, nothing
    settled. The HTTP listener, the issuer and the engine's resources are kept.

    The credentials in the environment are those moto put there when the server started, as in a test that
    starts its own server: the layer's clients sign presigned URLs with them (their session resolved them
    then), and the server checks signatures against the environment's."""
    from ffo.scheduler_clock import Clock

    assert module_server.http is not None, "a test stopped the module's server"
    for name, value in _started_credentials[id(module_server)].items():
        monkeypatch.setenv(name, value)
    # as the engine does when it starts, which here was before the test's own warning filters were set up
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    module_server.engine.reset_world()
    module_server.clock = Clock()
    module_server.settled = []
    return module_server


def start(servers: list[LocalServer], tmp_path: Path) -> LocalServer:
    server = LocalServer(
        ROOT,
        state_dir=tmp_path / "state",
        port=0,
        issuer_dir=issuer_folder(tmp_path),
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
