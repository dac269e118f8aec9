"""`ffo serve` over real HTTP on 127.0.0.1: API Gateway's JWT checks, the real handler and workflow,
presigned S3 URLs, review decisions, and state that survives a restart."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from ffo.cfn import load_template
from ffo.cli import main
from ffo.local_issuer import AuthorizerConfig, JwtAuthorizer, LocalIssuer, gateway_claims
from ffo.local_server import LocalServer, running_server
from ffo.state_store import StateStore
from flashfusion.http.identity import _groups
from tests.api.served import TERMINAL, Api, served, server_config, start, submit_until_review
from tests.helpers import ORG, OTHER_ORG, ROOT, submission

__all__ = ["served"]  # a fixture, imported for pytest


def ffo_token(capsys: pytest.CaptureFixture[str], issuer_dir: Path, *args: str) -> str:
    capsys.readouterr()
    assert main(["--root", str(ROOT), "token", "--issuer-dir", str(issuer_dir), *args]) == 0
    return capsys.readouterr().out.strip()


@pytest.fixture
def config() -> AuthorizerConfig:
    return AuthorizerConfig.from_template(load_template(ROOT / "template.yaml"))


# the authorizer, without a server -------------------------------------------------------------
def test_a_token_from_ffo_token_carries_the_claims_the_api_reads_as_api_gateway_passes_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], config: AuthorizerConfig
) -> None:
    token = ffo_token(capsys, tmp_path, "--org", "acme", "--sub", "alice", "--groups", "reviewers,admins")
    issuer = LocalIssuer(tmp_path)
    claims = JwtAuthorizer(config, issuer.jwks()).claims(f"Bearer {token}")
    assert claims is not None
    assert (claims["iss"], claims["sub"], claims[config.org_claim]) == (config.issuer, "alice", "acme")
    assert claims["aud"] in config.audiences
    passed = gateway_claims(claims)
    assert passed[config.groups_claim] == "[reviewers admins]"
    assert all(isinstance(value, str) for value in passed.values())
    assert _groups(passed[config.groups_claim]) == {"reviewers", "admins"}
    key = tmp_path / "issuer-key.pem"
    assert key.stat().st_mode & 0o777 == 0o600


def test_the_issuer_key_is_created_once_and_reused(tmp_path: Path, config: AuthorizerConfig) -> None:
    first, second = LocalIssuer(tmp_path), LocalIssuer(tmp_path)
    assert first.kid == second.kid
    token = first.mint(config, org_id=ORG, subject="u")
    assert JwtAuthorizer(config, second.jwks()).claims(token) is not None


@pytest.fixture(scope="module")
def issuers(tmp_path_factory: pytest.TempPathFactory) -> tuple[LocalIssuer, LocalIssuer]:
    """Ours and a stranger's (an RSA key takes a moment to make: made once for the module)."""
    base = tmp_path_factory.mktemp("issuers")
    return LocalIssuer(base / "ours"), LocalIssuer(base / "theirs")


def _refused_tokens(issuer: LocalIssuer, stranger: LocalIssuer, config: AuthorizerConfig) -> dict[str, str | None]:
    now = time.time()
    other_issuer = AuthorizerConfig("https://issuer.example.test", config.audiences, config.org_claim, "g")
    other_audience = AuthorizerConfig(config.issuer, ("someone-else",), config.org_claim, "g")
    good = issuer.mint(config, org_id=ORG, subject="u")
    header, payload, _ = good.split(".")
    return {
        "missing": None,
        "empty bearer": "Bearer ",
        "garbage": "Bearer not.a.jwt",
        "expired": issuer.mint(config, org_id=ORG, subject="u", ttl_seconds=60, now=now - 120),
        "not yet valid": issuer.mint(config, org_id=ORG, subject="u", extra={"nbf": int(now) + 300}),
        "issued in the future": issuer.mint(config, org_id=ORG, subject="u", now=now + 300),
        "other issuer, our key": issuer.mint(other_issuer, org_id=ORG, subject="u"),
        "other audience": issuer.mint(other_audience, org_id=ORG, subject="u"),
        "no expiry": issuer.mint(config, org_id=ORG, subject="u", extra={"exp": None}),
        "signed by another key": stranger.mint(config, org_id=ORG, subject="u"),
        "signature stripped": f"{header}.{payload}.",
    }


@pytest.mark.parametrize(
    "case",
    [
        "missing",
        "empty bearer",
        "garbage",
        "expired",
        "not yet valid",
        "issued in the future",
        "other issuer, our key",
        "other audience",
        "no expiry",
        "signed by another key",
        "signature stripped",
    ],
)
def test_the_authorizer_refuses_what_api_gateway_refuses(
    issuers: tuple[LocalIssuer, LocalIssuer], config: AuthorizerConfig, case: str
) -> None:
    ours, theirs = issuers
    authorizer = JwtAuthorizer(config, ours.jwks())
    assert authorizer.claims(_refused_tokens(ours, theirs, config)[case]) is None
    assert authorizer.claims(ours.mint(config, org_id=ORG, subject="u")) is not None


def test_client_id_counts_only_when_there_is_no_aud(
    issuers: tuple[LocalIssuer, LocalIssuer], config: AuthorizerConfig
) -> None:
    issuer = issuers[0]
    authorizer = JwtAuthorizer(config, issuer.jwks())
    audience = config.audiences[0]
    only_client_id = issuer.mint(config, org_id=ORG, subject="u", extra={"aud": None, "client_id": audience})
    assert authorizer.claims(only_client_id) is not None
    other_aud = issuer.mint(config, org_id=ORG, subject="u", extra={"aud": "someone-else", "client_id": audience})
    assert authorizer.claims(other_aud) is None


# the server -----------------------------------------------------------------------------------
def test_over_http_submit_poll_download_review_restart(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    served: list[LocalServer],
    sample_kit: dict[str, Any],
) -> None:
    from ffo.commands.serve import seed_kit

    server = start(served, tmp_path)
    assert server.url.startswith("http://127.0.0.1:")
    assert running_server(tmp_path / "state") is not None
    assert seed_kit(server, [ORG, OTHER_ORG], sample_kit) == [ORG, OTHER_ORG]
    requester = ffo_token(capsys, tmp_path / "issuer", "--org", ORG, "--sub", "alice")
    reviewer = ffo_token(capsys, tmp_path / "issuer", "--org", ORG, "--sub", "rita", "--groups", "reviewers,admins")
    stranger = ffo_token(capsys, tmp_path / "issuer", "--org", OTHER_ORG, "--sub", "eve", "--groups", "reviewers")
    expired = LocalIssuer(tmp_path / "issuer").mint(
        server_config(server), org_id=ORG, subject="alice", ttl_seconds=1, now=time.time() - 60
    )
    api = Api(server, requester)

    # API Gateway's answers before the function runs
    no_token = api.client.post("/v1/assets", json=submission())
    assert (no_token.status_code, no_token.json()) == (401, {"message": "Unauthorized"})
    assert api.call("POST", "/v1/assets", token=expired, json=submission()).status_code == 401
    assert api.call("GET", "/v1/nothing-here").json() == {"message": "Not Found"}
    assert api.call("DELETE", "/v1/assets").status_code == 404

    # submit, poll, download
    accepted = api.call("POST", "/v1/assets", json=submission())
    assert accepted.status_code == 202, accepted.text
    request_id = accepted.json()["requestId"]
    done = api.settled(request_id, TERMINAL)
    assert done["status"] == "succeeded", done
    asset = done["asset"]
    download = f"/local-s3/{asset['bucket']}/{asset['key']}"
    got = api.call("GET", download)
    assert got.status_code == 200
    assert got.headers["content-type"].startswith("text/plain")
    assert len(got.content) > 20
    assert api.call("GET", download, token=stranger).status_code == 403
    assert api.client.get(download).status_code == 403
    assert api.call("GET", f"/v1/requests/{request_id}", token=stranger).status_code == 404

    # a review over HTTP: the preview's presigned URL downloads; the decision resumes the workflow
    review_id = submit_until_review(api)
    review = api.call("GET", f"/v1/reviews/{review_id}", token=reviewer).json()
    preview = review["preview"]["url"]
    assert preview.startswith(f"{server.url}/local-s3/")
    assert httpx.get(preview, trust_env=False).status_code == 200
    assert httpx.get(preview.replace("Signature=", "Signature=x"), trust_env=False).status_code == 403
    assert api.call("POST", f"/v1/reviews/{review_id}/decision", json={"decision": "approve"}).status_code == 403
    # decided from "another terminal": ffo review finds the running server through the state directory
    capsys.readouterr()
    decide = ["--root", str(ROOT), "review", "--request", review["requestId"], "--org", ORG, "--decision", "approve"]
    assert main([*decide, "--state", str(tmp_path / "state")]) == 0
    assert "decision approve -> 200" in capsys.readouterr().out
    approved = api.settled(review["requestId"], TERMINAL)
    assert approved["status"] == "succeeded"

    # a request waiting on a person when the server stops: its workflow cannot outlive the process
    lost_review = submit_until_review(api)
    lost_request = lost_review.rsplit("-v", 1)[0]
    server.stop()
    assert running_server(tmp_path / "state") is None
    with pytest.raises(SystemExit, match="no `ffo serve` is running"):
        main([*decide, "--state", str(tmp_path / "state")])
    assert server.settled == [lost_request]

    # started again on the same state: everything is still there
    again = start(served, tmp_path)
    api = Api(again, requester)
    kept = api.call("GET", f"/v1/requests/{request_id}").json()
    assert kept["status"] == "succeeded"
    assert kept["asset"] == asset
    assert api.call("GET", download).content == got.content
    assert api.call("GET", f"/v1/requests/{review['requestId']}").json()["status"] == "succeeded"
    lost = api.call("GET", f"/v1/requests/{lost_request}").json()
    assert (lost["status"], lost["error"]["type"]) == ("failed", "LocalServerStopped")
    late = api.call("POST", f"/v1/reviews/{lost_review}/decision", token=reviewer, json={"decision": "approve"})
    assert late.status_code == 409
    assert seed_kit(again, [ORG], sample_kit) == []  # the kit was kept
    resubmitted = api.call("POST", "/v1/assets", json=submission(prompt="Write about our spring trail shoes"))
    assert api.settled(resubmitted.json()["requestId"], TERMINAL)["status"] == "succeeded"
    again.stop()

    # ffo reset forgets it all (an empty state directory starts empty, as the first start above did)
    assert StateStore(tmp_path / "state").read() is not None
    assert main(["reset", "--state", str(tmp_path / "state")]) == 0
    assert StateStore(tmp_path / "state").read() is None
    assert not any((tmp_path / "state" / "blobs").glob("*"))


def test_a_second_server_on_the_same_state_is_refused(tmp_path: Path, served: list[LocalServer]) -> None:
    from ffo.local_server import StateDirectoryBusy, StateLock

    start(served, tmp_path)
    with pytest.raises(StateDirectoryBusy):
        StateLock(tmp_path / "state").acquire()
    assert main(["reset", "--state", str(tmp_path / "state")]) == 2
    assert json.loads((tmp_path / "state" / "server.json").read_text())["url"] == served[0].url


# the event API Gateway would send ----------------------------------------------------------------
def test_the_event_carries_what_the_http_request_carried(
    config: AuthorizerConfig, issuers: tuple[LocalIssuer, LocalIssuer]
) -> None:
    from types import SimpleNamespace

    from ffo.http_gateway import Gateway

    engine = SimpleNamespace(template=load_template(ROOT / "template.yaml"))
    gateway = Gateway(engine, JwtAuthorizer(config, issuers[0].jwks()), {}, lambda: "http://x", str)  # type: ignore[arg-type]
    assert gateway.route("DELETE", "/v1/assets") is None
    assert gateway.route("GET", "/v1/nowhere") is None
    route = gateway.route("GET", "/v1/reviews/r-1")
    assert route is not None
    claims = {"sub": "u", "org_id": ORG, "cognito:groups": ["reviewers"], "exp": 1700000000, "scope": "a b"}
    headers = {"content-type": "image/png", "cookie": "a=1; b=2", "user-agent": "curl/8", "x-trace": "t"}
    event = gateway.event("GET", "/v1/reviews/r-1", "status=pending&tag=a&tag=b", headers, b"\x89PNG", claims, route)
    assert event["routeKey"] == "GET /v1/reviews/{reviewId}"
    assert event["pathParameters"] == {"reviewId": "r-1"}
    assert event["queryStringParameters"] == {"status": "pending", "tag": "a,b"}
    assert event["cookies"] == ["a=1", "b=2"]
    assert "cookie" not in event["headers"]
    assert event["headers"]["x-trace"] == "t"
    assert event["isBase64Encoded"] is True
    assert event["body"] == "iVBORw=="
    jwt_context = event["requestContext"]["authorizer"]["jwt"]
    assert jwt_context["claims"]["cognito:groups"] == "[reviewers]"
    assert jwt_context["claims"]["exp"] == "1700000000"
    assert jwt_context["scopes"] == ["a", "b"]
    assert event["requestContext"]["http"]["userAgent"] == "curl/8"
