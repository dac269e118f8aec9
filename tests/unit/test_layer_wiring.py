"""Issue 16: each function carries the layers its steps load and no others (each function's code and layers
within 150 MB unzipped: the byte sizes are `make sam-build` then `BENCH_ONLY=sizes python -m
tests.bench.bench_targets`), and the build that trims the layers keeps what the code needs."""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from ffo.cfn import load_template
from tests.helpers import ROOT, layer_script

TEMPLATE = load_template(ROOT / "template.yaml")
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]
LAMBDA_MAX_LAYERS = 5

# What each function's steps load beyond the common layer (the rest take nothing more):
# every medium made offline (Pillow, numpy, PyAV), every medium linted (and the voice checks), the API's lint of
# text and images (audio and video go to LintJobFunction), offline images and videos redrawn in a locale, the
# bundle lint's image sizes and OCR.
EXPECTED = {
    "GenerateFunction": {"ImageLayer", "VideoLayer"},
    "LintFunction": {"ImageLayer", "VideoLayer", "TextLayer"},
    "LintJobFunction": {"ImageLayer", "VideoLayer", "TextLayer"},
    "LintApiFunction": {"ImageLayer", "TextLayer"},
    "TranslateFunction": {"ImageLayer", "VideoLayer"},
    "SaveFunction": {"SigningLayer"},
    "SaveReviewedFunction": {"SigningLayer"},
    "SaveTranslationFunction": {"SigningLayer"},
    "LintBundleFunction": {"ImageLayer"},
    "SaveBundleFunction": {"SigningLayer"},
}


def refs(layers: list[Any]) -> set[str]:
    return {layer["Ref"] for layer in layers if isinstance(layer, dict) and "Ref" in layer}


FUNCTIONS = sorted(k for k, v in RESOURCES.items() if v["Type"] == "AWS::Serverless::Function")


@pytest.mark.parametrize("logical_id", FUNCTIONS)
def test_each_function_carries_the_layers_its_steps_load(logical_id: str) -> None:
    layers = RESOURCES[logical_id]["Properties"].get("Layers", [])
    assert refs(layers) == EXPECTED.get(logical_id, set())


@pytest.mark.parametrize("logical_id", FUNCTIONS)
def test_no_function_has_more_layers_than_lambda_allows(logical_id: str) -> None:
    global_layers = TEMPLATE["Globals"]["Function"]["Layers"]  # the common layer and the optional ADOT layer
    assert len(global_layers) + len(RESOURCES[logical_id]["Properties"].get("Layers", [])) <= LAMBDA_MAX_LAYERS


def test_the_poll_step_loads_no_media_library() -> None:
    """PollFunction only reads vendor job status and stages the finished file (the local provider makes its media
    at submission, in Generate)."""
    assert "Layers" not in RESOURCES["PollFunction"]["Properties"]


MAKEFILE_LAYERS = sorted(
    k
    for k, v in RESOURCES.items()
    if v["Type"] == "AWS::Serverless::LayerVersion" and v.get("Metadata", {}).get("BuildMethod") == "makefile"
)


@pytest.mark.parametrize("logical_id", MAKEFILE_LAYERS)
def test_each_makefile_layer_has_its_build_target(logical_id: str) -> None:
    makefile = ROOT / RESOURCES[logical_id]["Properties"]["ContentUri"] / "Makefile"
    assert re.search(rf"^build-{logical_id}:", makefile.read_text("utf-8"), re.MULTILINE)


def test_the_media_requirements_the_dev_venv_installs_are_the_layers() -> None:
    index = (ROOT / "layers" / "media" / "requirements.txt").read_text("utf-8")
    makefile = (ROOT / "layers" / "Makefile").read_text("utf-8")
    for built in re.findall(r"-r (media/requirements-\w+\.txt)", makefile):
        assert f"-r {Path(built).name}" in index


def lean_layer() -> ModuleType:
    return layer_script("lean_layer")


def touch(path: Path, text: str = "x") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")


def test_botocore_keeps_the_services_the_code_names_and_the_always_kept(tmp_path: Path) -> None:
    lean = lean_layer()
    data = tmp_path / "botocore" / "data"
    for service in ("rekognition", "ec2", "sts", "bedrock-runtime", "ssm"):
        touch(data / service / "2020-01-01" / "service-2.json.gz")
        touch(data / service / "2020-01-01" / "examples-1.json")
    touch(data / "endpoints.json", "{}")
    touch(
        tmp_path / "flashfusion" / "vision.py", 'client = clients.client("rekognition")\nSERVICE = "bedrock-runtime"\n'
    )
    touch(tmp_path / "aws_xray_sdk" / "plugins.py", 'ORIGIN = "ec2"\n')  # named outside flashfusion: not kept
    lean.keep_botocore_services(tmp_path)
    assert sorted(p.name for p in data.iterdir() if p.is_dir()) == ["bedrock-runtime", "rekognition", "ssm", "sts"]
    assert not list(data.rglob("examples-1.json"))
    assert (data / "endpoints.json").exists()


def test_every_service_the_code_creates_a_client_for_is_kept() -> None:
    """The scan reads string literals: each `client("...")` of the shipped code is one."""
    lean = lean_layer()
    source = "\n".join(p.read_text("utf-8") for p in (ROOT / "layers" / "common" / "flashfusion").rglob("*.py"))
    named = set(re.findall(r"""(?:client|resource)\(\s*["']([a-z0-9-]+)["']""", source))
    named |= set(re.findall(r"""SERVICE\s*=\s*["']([a-z0-9-]+)["']""", source)) - {"flashfusion"}
    assert named
    assert named <= lean.service_names_in(ROOT / "layers" / "common" / "flashfusion")


def test_prune_drops_tests_stubs_caches_and_the_layers_globs(tmp_path: Path) -> None:
    lean = lean_layer()
    for name in (
        "numpy/__init__.py",
        "numpy/_core/tests/test_a.py",
        "numpy/__init__.pyi",
        "numpy/_core/_simd.cpython-313-aarch64-linux-gnu.so",
        "numpy/_core/multiarray.py",
        "av/stream.pxd",
        "av/__pycache__/x.cpython-313.pyc",
        "PIL/_avif.cpython-313-aarch64-linux-gnu.so",
        "PIL/Image.py",
    ):
        touch(tmp_path / name)
    lean.prune(tmp_path, ["numpy/_core/_simd.*", "PIL/_avif*"])
    left = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert left == ["PIL/Image.py", "numpy/__init__.py", "numpy/_core/multiarray.py"]
