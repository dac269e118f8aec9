"""The HTTP API's OpenAPI document: rendered from the API function's resolver (functions/api/app.py, its
routers and models), committed as docs/openapi.json, and checked for drift like the ASL (``ffo openapi``)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

DOCUMENT = Path("docs/openapi.json")
API_APP = Path("functions/api/app.py")
REGENERATE = "ffo openapi  (or: make openapi)"
_MODULE = "ffo_openapi_api_app"


def load_api(root: Path) -> Any:
    """The resolver of ``functions/api/app.py`` under ``root``, loaded as the engine loads handlers."""
    path = root / API_APP
    spec = importlib.util.spec_from_file_location(_MODULE, path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[_MODULE] = module
    spec.loader.exec_module(module)
    return module.app


def render(root: Path) -> str:
    from flashfusion.http.api import openapi_document

    return openapi_document(load_api(root))


def drift(root: Path) -> bool:
    """Whether the committed document differs from (or is missing next to) what the app renders."""
    target = root / DOCUMENT
    return not target.is_file() or target.read_text("utf-8") != render(root)


def write(root: Path) -> bool:
    """Write the document; False when it was already up to date."""
    target = root / DOCUMENT
    text = render(root)
    if target.is_file() and target.read_text("utf-8") == text:
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, "utf-8", newline="\n")
    return True
