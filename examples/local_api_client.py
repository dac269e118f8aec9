"""Submit a request to `ffo serve` with httpx, poll it to the end, and download the asset.

    .venv/bin/ffo serve &                     # the API on http://127.0.0.1:8080
    .venv/bin/python examples/local_api_client.py "Write a LinkedIn post about our spring hiking collection"

The token comes from `ffo token` (the local issuer); the same code talks to a deployed stack given its
URL and a token from the stack's issuer (FFO_API_URL, FFO_TOKEN), except for the download: locally the
asset comes from `ffo serve`'s /local-s3/ with the token (deployed: the presigned URL of GET /v1/assets/{id}).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

API = os.environ.get("FFO_API_URL", "http://127.0.0.1:8080")
TERMINAL = {"succeeded", "failed", "rejected", "cancelled", "review_expired", "needs_review", "queued"}


def local_token(org: str, user: str) -> str:
    ffo = Path(sys.executable).with_name("ffo")
    command = [str(ffo), "token", "--org", org, "--sub", user]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()  # noqa: S603


def main(prompt: str) -> int:
    token = os.environ.get("FFO_TOKEN") or local_token("acme", "alice")
    with httpx.Client(base_url=API, headers={"authorization": f"Bearer {token}"}, timeout=30) as api:
        accepted = api.post("/v1/assets", json={"contentType": "text", "prompt": prompt, "brandKitId": "aurora-core"})
        accepted.raise_for_status()
        request_id = accepted.json()["requestId"]
        print(f"accepted {request_id}")
        deadline = time.monotonic() + 120
        while True:
            record = api.get(f"/v1/requests/{request_id}").raise_for_status().json()
            if record["status"] in TERMINAL or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        print(f"status {record['status']}")
        if record["status"] != "succeeded":
            print(record.get("error") or record.get("review") or record.get("violations"))
            return 1
        asset = record["asset"]
        download = api.get(f"/local-s3/{asset['bucket']}/{asset['key']}").raise_for_status()
        target = Path("out") / "downloads" / Path(asset["key"]).name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(download.content)
        print(f"downloaded {len(download.content)} bytes ({asset['mimeType']}) to {target}")
        return 0


if __name__ == "__main__":
    sys.exit(main(" ".join(sys.argv[1:]) or "Write a LinkedIn post about our spring hiking collection"))
