"""ffo.lazy_packages: a package's __init__ deferred until a name it defines is asked for."""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ffo.lazy_packages import defer_init
from tests.helpers import ROOT


@pytest.fixture
def package(tmp_path: Path) -> Iterator[str]:
    """A package whose __init__ records that it ran, with one submodule."""
    name = "deferred_pkg_for_test"
    root = tmp_path / name
    root.mkdir()
    (root / "__init__.py").write_text("import builtins\nbuiltins.deferred_pkg_ran = True\nVALUE = 42\n", "utf-8")
    (root / "part.py").write_text("PART = 'part'\n", "utf-8")
    sys.path.insert(0, str(tmp_path))
    yield name
    sys.path.remove(str(tmp_path))
    for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
        del sys.modules[module]
    import builtins

    builtins.__dict__.pop("deferred_pkg_ran", None)


def test_a_submodule_imports_without_running_the_package_init(package: str) -> None:
    import builtins

    defer_init(package)
    part = importlib.import_module(f"{package}.part")
    assert part.PART == "part"
    assert not hasattr(builtins, "deferred_pkg_ran")


def test_the_first_name_asked_of_the_package_runs_its_init_once(package: str) -> None:
    import builtins

    defer_init(package)
    module = importlib.import_module(package)
    assert not hasattr(builtins, "deferred_pkg_ran")
    assert module.VALUE == 42
    assert getattr(builtins, "deferred_pkg_ran", False) is True
    with pytest.raises(AttributeError):
        _ = module.MISSING


def test_ffo_run_never_loads_moto_ec2_but_batch_still_works() -> None:
    # a fresh interpreter: this test process may already hold moto.batch from other tests
    probe = (
        "import sys, ffo.engine\n"
        "from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser\n"
        "assert 'moto.ec2' not in sys.modules, 'moto.ec2 was imported'\n"
        "from moto.backends import get_backend\n"
        "assert get_backend('batch') is not None\n"
        "assert 'moto.ec2' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", probe], cwd=ROOT, check=True, timeout=120)
