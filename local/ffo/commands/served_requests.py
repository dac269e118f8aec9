"""A request file sent to a running `ffo serve` over HTTP, as a client would (``ffo run --state DIR`` when the
server owns DIR): a token from the server's local issuer, POST /v1/assets, then GET /v1/requests/{id} until it
ends or waits on a person."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ffo.local_server import RunningServer

SETTLED = {"succeeded", "failed", "rejected", "cancelled", "needs_review", "queued"}
"""Where following a request stops: it ended, or it waits on a person or on budget."""


def seed_kit_if_missing(engine: Any, org_id: str, kit: dict[str, Any]) -> bool:
    """Store the kit for the organisation unless it has it already; whether it was stored."""
    from flashfusion.errors import BrandKitNotFound
    from flashfusion.wiring import get_deps

    try:
        get_deps().kits.get(org_id, str(kit["kitId"]))
    except BrandKitNotFound:
        engine.seed_brand_kit(org_id, kit)
        return True
    return False


def submit_to_server(
    server: RunningServer,
    root: Path,
    state: Path,
    event: dict[str, Any] | None,
    body: Any,
    caller: dict[str, str],
    timeout: float,
    say: Callable[[str], Any],
) -> int:
    """Submit and follow the request on the server; the exit code of ``ffo run``."""
    import httpx

    from ffo.cfn import load_template
    from ffo.local_issuer import AuthorizerConfig, LocalIssuer

    if event is not None:  # an API Gateway event file: its body and its caller's claims
        claims = event["requestContext"]["authorizer"]["jwt"]["claims"]
        org_id, user = str(claims.get("org_id", "")), str(claims.get("sub", "ffo-local"))
        body = json.loads(event.get("body") or "null")
    else:
        org_id, user = caller["orgId"], caller["userId"]
    say(f"ffo run: `ffo serve` (pid {server.pid}) owns {state}: sending the request to {server.url}\n")
    config = AuthorizerConfig.from_template(load_template(root / "template.yaml"))
    token = LocalIssuer(Path(server.issuer)).mint(
        config, org_id=org_id, subject=user, ttl_seconds=int(max(300.0, timeout + 60))
    )
    headers = {"authorization": f"Bearer {token}"}
    with httpx.Client(base_url=server.url, headers=headers, trust_env=False, timeout=30) as http:
        accepted = http.post("/v1/assets", json=body)
        say(f"POST /v1/assets -> {accepted.status_code} {accepted.text}\n")
        if accepted.status_code != 202:
            if "brandKitId" in accepted.text:
                say(f"  (the server seeds the sample kit for the organisations of `ffo serve --org {org_id}`)\n")
            return 2
        request_id = str(accepted.json()["requestId"])
        deadline = time.monotonic() + timeout
        while True:
            record: dict[str, Any] = http.get(f"/v1/requests/{request_id}").json()
            if record.get("status") in SETTLED:
                break
            if time.monotonic() > deadline:
                say(f"ffo run: gave up waiting after {timeout} s; request {request_id} is {record.get('status')}\n")
                return 3
            time.sleep(0.2)
    say(f"\nstatus: {record['status']}\n")
    if record.get("error"):
        say(f"  error {record['error']['type']}: {record['error']['message']}\n")
    if record.get("assetUrl"):
        say(f"asset: GET {server.url}{record['assetUrl']} (with a token from `ffo token --org {org_id}`)\n")
    if record["status"] == "needs_review":
        say(
            f"\na person must decide review {record['review']['reviewId']}; from any terminal: ffo review "
            f"--request {request_id} --org {org_id} --state {state} --decision approve|approve_with_edits|"
            "regenerate|reject\n"
        )
    return 1 if record["status"] == "failed" else 0
