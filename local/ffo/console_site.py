"""The web console's static files under ``/console/`` for ``ffo serve``, with a ``config.json`` made for it.

On AWS the same files sit in S3 behind CloudFront and ``config.json`` comes from the stack's outputs
(``make console-deploy``); locally the API is on the same origin and sign-in is the local issuer's
(``/local/token``), so the console needs no build step and no other server.
"""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Callable
from pathlib import Path

from ffo.http_gateway import Answer

PREFIX = "/console"
TYPES = {".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
# The console loads nothing from elsewhere; previews and uploads go through the same origin locally.
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; connect-src 'self'; "
        "style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-cache",
}


def local_config() -> dict[str, object]:
    """What the console reads at start: the API on this origin, signed in through the local issuer."""
    return {"apiBase": "", "auth": {"mode": "local", "tokenUrl": "/local/token"}, "heartbeatSeconds": 30}


class ConsoleSite:
    def __init__(self, directory: Path, config: Callable[[], dict[str, object]] = local_config) -> None:
        self.directory = directory.resolve()
        self.config = config

    def answer(self, method: str, path: str) -> Answer | None:
        """The answer for a console path; None for any other path (the gateway answers it)."""
        if path != PREFIX and not path.startswith(PREFIX + "/"):
            return None
        if method not in ("GET", "HEAD"):
            return Answer(405, {"allow": "GET, HEAD", "content-type": "text/plain"}, b"Method Not Allowed")
        if path == PREFIX:
            return Answer(301, {"location": PREFIX + "/"}, b"")
        relative = path[len(PREFIX) + 1 :] or "index.html"
        if relative == "config.json":
            body = json.dumps(self.config()).encode("utf-8")
            return Answer(200, {**SECURITY_HEADERS, "content-type": "application/json"}, body)
        file = (self.directory / relative).resolve()
        if not file.is_relative_to(self.directory) or not file.is_file():
            return Answer(404, {"content-type": "text/plain"}, b"Not Found")
        kind = TYPES.get(file.suffix) or mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind == "application/json":
            kind += "; charset=utf-8"
        return Answer(200, {**SECURITY_HEADERS, "content-type": kind}, file.read_bytes())
