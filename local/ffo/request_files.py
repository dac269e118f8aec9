"""The project's files as the local tools read them: the project root, request files and brand kits.

A library module: the CLI commands and the scheduler clock use it; it imports neither.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DEFAULT_KIT = "events/brand-kit.sample.json"
DEFAULT_CALLER = {"orgId": "local-org", "userId": "local-user"}


def project_root(explicit: str | None) -> Path:
    if explicit:
        return Path(explicit).resolve()
    for candidate in [Path.cwd(), *Path.cwd().parents, Path(__file__).resolve().parents[2]]:
        if (candidate / "template.yaml").is_file():
            return candidate
    raise SystemExit("ffo: no template.yaml here or above; pass --root")


def read_request_file(path: Path) -> tuple[dict[str, Any] | None, Any, dict[str, str]]:
    """(API Gateway event or None, body, caller) from a request file."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except json.JSONDecodeError as error:
        raise SystemExit(f"ffo: {path} is not valid JSON: {error}") from error
    if isinstance(data, dict) and "requestContext" in data:
        return data, None, {}
    if isinstance(data, dict) and "body" in data:
        return None, data["body"], {**DEFAULT_CALLER, **data.get("caller", {})}
    return None, data, dict(DEFAULT_CALLER)


def read_kit(root: Path, ref: str) -> Any:
    """A brand kit file as JSON, ``ref`` absolute or relative to the project root."""
    return json.loads((root / ref if not Path(ref).is_absolute() else Path(ref)).read_text("utf-8"))


def source_file_of(path: Path, root: Path) -> Path | None:
    """A brand_style request file's ``sourceFile`` (the photo ``ffo run`` uploads first), or None."""
    data = json.loads(path.read_text("utf-8"))
    ref = data.get("sourceFile") if isinstance(data, dict) else None
    if not ref:
        return None
    found = Path(ref) if Path(ref).is_absolute() else root / ref
    if not found.is_file():
        raise SystemExit(f"ffo: the request's sourceFile {ref} is not a file")
    return found
