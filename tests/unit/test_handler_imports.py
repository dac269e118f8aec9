"""Each Lambda handler's import is Powertools alone (issue 16): its use case, pydantic, the models, the wiring
and boto3 load on the first invocation, so a cold start's import phase costs about the floor."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from flashfusion.deferred import deferred

ROOT = Path(__file__).resolve().parents[2]
HANDLERS = sorted(p.parent.name for p in (ROOT / "functions").glob("*/app.py"))
DEFERRED_AT_IMPORT = (
    "pydantic",
    "boto3",
    "flashfusion.models",
    "flashfusion.wiring",
    "flashfusion.app",
    "flashfusion.http",
)

_PROBE = """
import importlib.util, json, sys
for path in sys.argv[1:]:
    spec = importlib.util.spec_from_file_location("handler_" + path.split("/")[-2], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert callable(module.lambda_handler)
print(json.dumps(sorted(sys.modules)))
"""


def run_probe(code: str, *apps: str) -> list[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT / "layers" / "common"),
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_SERVICE_NAME": "flashfusion",
        "POWERTOOLS_METRICS_NAMESPACE": "FlashFusion",
    }
    paths = [str(ROOT / "functions" / app / "app.py") for app in apps]
    out = subprocess.run(
        [sys.executable, "-c", code, *paths], env=env, cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    )
    loaded: list[str] = json.loads(out.stdout.strip().splitlines()[-1])
    return loaded


def test_every_handler_imports_powertools_alone() -> None:
    loaded = run_probe(_PROBE, *HANDLERS)  # all in one interpreter: none of them loads the heavy modules
    heavy = sorted(m for m in loaded if any(m == h or m.startswith(h + ".") for h in DEFERRED_AT_IMPORT))
    assert heavy == []


@pytest.mark.parametrize("handler", ["route", "api"])
def test_the_deferred_parts_still_load_when_used(handler: str) -> None:
    """The probe sees the heavy modules after a first use (so the test above would see them at import)."""
    first_use = "module.build_app() if hasattr(module, 'build_app') else module.STEP.resolve()\nprint("
    loaded = run_probe(_PROBE.replace("print(", first_use), handler)
    assert "flashfusion.models" in loaded


def test_a_deferred_function_imports_its_module_on_the_first_call() -> None:
    join = deferred("posixpath", "join")
    assert join.__name__ == "join"
    assert join("a", "b") == "a/b"
    missing = deferred("posixpath", "no_such_function")
    with pytest.raises(AttributeError):
        missing()
