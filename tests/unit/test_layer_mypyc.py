"""The common layer ships the text linter compiled for the Lambda runtime (CPython 3.13 on arm64, glibc 2.34):
layers/Makefile runs ``mypyc_build.py --target-dir`` before the layer is stripped, with the dev venv's mypy; the
cross build refuses a module bound to a newer glibc, and where it cannot build the layer ships the sources without
the host's build. (`make layer-smoke` loads the built modules on arm64 and lints the findings corpus with them.)"""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

import pytest

from tests.helpers import ROOT, layer_script

LAYERS = ROOT / "layers"


def mypyc_build() -> ModuleType:
    return layer_script("mypyc_build")


def pins(path: Path) -> dict[str, str]:
    found = (re.match(r"([A-Za-z0-9_.-]+)==(\S+)", line) for line in path.read_text("utf-8").splitlines())
    return {m[1].lower(): m[2] for m in found if m}


def recipe(makefile: str, target: str) -> str:
    found = re.search(rf"^{re.escape(target)}:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert found is not None, f"no {target} in layers/Makefile"
    return found[1]


def test_the_common_layer_is_cross_built_before_it_is_stripped() -> None:
    makefile = (LAYERS / "Makefile").read_text("utf-8")
    steps = recipe(makefile, "build-CommonLayer")
    assert "$(MYPYC_CROSS)" in steps
    assert steps.index("cp -R common/flashfusion") < steps.index("$(MYPYC_CROSS)") < steps.index("$(LEAN)")
    cross = re.search(r"^MYPYC_CROSS = (.*(?:\\\n.*)*)", makefile, re.MULTILINE)
    assert cross is not None
    assert "mypyc_build.py --target-dir" in cross[1]
    assert '--target-dir "$(ARTIFACTS_DIR)/python"' in cross[1]  # beside the flashfusion package
    assert "-r requirements-mypyc.txt" in makefile


def test_the_cross_build_runs_the_dev_venvs_mypy() -> None:
    """mypyc's C is mypy's: the layer's modules are what the suite's compiled linter was tested as."""
    cross, dev = pins(LAYERS / "requirements-mypyc.txt"), pins(ROOT / "requirements-dev.txt")
    assert cross["mypy"] == dev["mypy"]
    assert "ziglang" in cross
    assert "-r common/requirements.txt" in (LAYERS / "requirements-mypyc.txt").read_text("utf-8")


OBJDUMP_T = """
libx.so:     file format elf64-littleaarch64

DYNAMIC SYMBOL TABLE:
0000000000000000      DF *UND*\t0000000000000000 (GLIBC_2.17) strlen
0000000000000000      DF *UND*\t0000000000000000 (GLIBC_2.29) exp
0000000000000000      DF *UND*\t0000000000000000 (GLIBC_2.38) __isoc23_strtol
0000000000000000      DF *UND*\t0000000000000000  PyLong_FromLong
"""


def test_a_module_bound_to_a_newer_glibc_is_refused() -> None:
    build = mypyc_build()
    assert build.glibc_limit("aarch64-linux-gnu.2.34") == (2, 34)
    assert build.glibc_needs(OBJDUMP_T) == {"strlen": (2, 17), "exp": (2, 29), "__isoc23_strtol": (2, 38)}
    assert build.too_new(OBJDUMP_T, (2, 34)) == ["__isoc23_strtol@GLIBC_2.38"]
    assert build.too_new(OBJDUMP_T, (2, 38)) == []


def fake_layer(root: Path) -> list[Path]:
    """A layer's python/ with two linter sources and a host build copied beside them."""
    host = [
        root / "flashfusion_linting__mypyc.cpython-311-x86_64-linux-gnu.so",
        root / "flashfusion/linting/engine.cpython-311-x86_64-linux-gnu.so",
        root / "flashfusion/linting/counting/__init__.cpython-311-x86_64-linux-gnu.so",
    ]
    for path in [*host, root / "flashfusion/linting/engine.py", root / "flashfusion/linting/counting/__init__.py"]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")
    return host


def test_without_the_target_headers_the_layer_ships_the_sources_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    layer = tmp_path / "python"
    host = fake_layer(layer)
    mypyc_build().main(["--target-dir", str(layer), "--sysroot", str(tmp_path / "no-root")])
    assert not any(path.exists() for path in host)
    assert (layer / "flashfusion/linting/engine.py").exists()
    assert "ships the text linter's sources only" in capsys.readouterr().err


def test_the_target_is_read_from_its_sysconfig_and_headers(tmp_path: Path) -> None:
    build = mypyc_build()
    library = tmp_path / "usr/lib/python3.13"
    library.mkdir(parents=True)
    (library / "_sysconfigdata__linux_aarch64-linux-gnu.py").write_text(
        "build_time_vars = {'VERSION': '3.13', 'MULTIARCH': 'aarch64-linux-gnu', 'CCSHARED': '-fPIC',"
        " 'CFLAGS': '-fno-strict-overflow -DNDEBUG', 'EXT_SUFFIX': '.cpython-313-aarch64-linux-gnu.so'}\n",
        "utf-8",
    )
    assert "libpython3.13-dev" in build.read_target(tmp_path)  # no headers yet: why it cannot build
    for header in ("usr/include/python3.13/Python.h", "usr/include/aarch64-linux-gnu/python3.13/pyconfig.h"):
        (tmp_path / header).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / header).write_text("", "utf-8")
    target = build.read_target(tmp_path)
    assert target.ext_suffix == ".cpython-313-aarch64-linux-gnu.so"
    assert target.cflags == ["-fno-strict-overflow", "-DNDEBUG", "-fPIC"]
    assert target.pyconfig == tmp_path / "usr/include/aarch64-linux-gnu/python3.13/pyconfig.h"


def test_the_smoke_checks_the_modules_of_the_builds_list() -> None:
    """The arm64 smoke names the compiled modules from the build's own list (a package by its name)."""
    names = mypyc_build().module_names()
    assert "flashfusion.linting.counting" in names
    assert "flashfusion.linting.voice.pieces" in names
    assert not [name for name in names if name.endswith("__init__")]
