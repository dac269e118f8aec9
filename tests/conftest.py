"""Shared fixtures: fake AWS credentials, fresh layer caches, and the local engine.

One LocalEngine per process (per xdist worker) is started on first use and kept, suspended, between
tests: starting one costs ~1 s of CPU (30 boto3 clients, every resource of the template, the ASL
parse). Each test that asks for ``engine`` (or ``fresh_engine``) gets it resumed with a clean world
(``LocalEngine.reset_world``); ``engine.configure(env=...)`` / ``engine.configured(env)`` replace
``LocalEngine(ROOT, env=...)`` and are undone after the test. Between those tests moto's mocks, the
engine's patches and its environment are off, so a test's own ``mock_aws()`` gets a clean moto (it
resets moto's data; the engine notices and builds its resources again at its next use).
"""

from __future__ import annotations

import json
import os
import sys
import sysconfig
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from tests.helpers import AWS_OVERRIDES, ORG, OTHER_ORG, ROOT, TEST_AWS_ENV, layer_script

_PARENT = str(ROOT.parent).rstrip(os.sep) + os.sep
_INSIDE = str(ROOT) + os.sep
# The interpreters may sit beside a clone, and so may hidden folders (~/.cache, ~/.pyenv) and, in a
# clone made right in the temporary directory, the temporary files of pytest and tempfile.
_INTERPRETERS = tuple(str(Path(p).resolve()) + os.sep for p in {sys.prefix, sys.base_prefix})
_IN_TEMP = str(Path(tempfile.gettempdir()).resolve()) + os.sep == _PARENT


def _beside_the_clone(path: str) -> bool:
    if not path.startswith(_PARENT) or path.startswith(_INSIDE) or path.startswith(_INTERPRETERS):
        return False
    first = path[len(_PARENT) :].split(os.sep, 1)[0]
    return not first.startswith(".") and not (_IN_TEMP and first.startswith(("tmp", "pytest-of-")))


def _self_contained(event: str, args: tuple[Any, ...]) -> None:
    """The repository stands alone: a test that opens a file beside the clone (a shared specs folder, say) fails."""
    if event != "open" or not isinstance(args[0], str | bytes | os.PathLike):
        return
    path = os.path.abspath(os.fsdecode(args[0]))
    if _beside_the_clone(path):
        raise PermissionError(f"tests may not read outside the repository: {path}")


sys.addaudithook(_self_contained)

# The engine keeps parsed state machines on disk between processes (ffo.asl_cache): the tests' own folder,
# so a test never loads what another checkout (or another moto) left in the user's cache.
os.environ.setdefault("FFO_CACHE_DIR", tempfile.mkdtemp(prefix="ffo-test-cache-"))


def _stale_compiled_linter() -> str | None:
    """Why the text linter's compiled modules (``layers/mypyc_build.py``) would not be the sources under test:
    Python imports an extension module before a source file of the same name, so an edit made since the build
    would not run."""
    common = ROOT / "layers" / "common"
    group = layer_script("mypyc_build").GROUP
    built = list(common.glob(f"{group}__mypyc{sysconfig.get_config_var('EXT_SUFFIX')}"))
    if not built:
        return None  # the sources run
    sources = max((common / "flashfusion" / "linting").rglob("*.py"), key=lambda path: path.stat().st_mtime)
    if sources.stat().st_mtime > built[0].stat().st_mtime:
        return (
            f"{sources.relative_to(ROOT)} changed after the text linter was compiled: run `make setup` (compiles "
            "it again) or `python layers/mypyc_build.py --clean` (the sources run)"
        )
    return None


def pytest_configure(config: pytest.Config) -> None:
    stale = _stale_compiled_linter()
    if stale is not None:
        raise pytest.UsageError(stale)


_FIRST = ("tests/browser/", "tests/workflow/", "tests/api/")
"""Files that drive the local engine take seconds per test: handed out first, so the many quick unit
tests fill the workers' gaps at the end instead of one long file running alone (pytest-xdist hands whole
files to workers in collection order with --dist loadfile)."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        path = item.nodeid
        return next((i for i, prefix in enumerate(_FIRST) if path.startswith(prefix)), len(_FIRST))

    items.sort(key=rank)  # stable: the order within each group is kept


_ONE_UNIT = "tests/browser/"
"""The browser tests share one ``ffo serve`` and one Chromium per worker (tests/browser/conftest.py): as one
work unit they start them once, on one worker, instead of once on each."""


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """--dist loadfile, with the browser files as one unit, handed out in the order above (pytest-xdist
    otherwise sorts the files by their number of tests, so the slow engine files, which have few, came last
    and one worker ran them alone at the end)."""
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class Scheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _ONE_UNIT if nodeid.startswith(_ONE_UNIT) else super()._split_scope(nodeid)

    config.option.loadscopereorder = False
    return Scheduling(config, log)


@pytest.fixture(scope="session", autouse=True)
def _shared_botocore_loader() -> Iterator[None]:
    """Service models parsed once per process, not once per boto3 session (moto makes one per mock_aws); moto's
    serialiser and item copies sped up (ffo.moto_speedups) for every test, the engine's or a test's own moto."""
    from ffo.botocache import shared_loaders
    from ffo.moto_speedups import faster_moto

    with shared_loaders(), faster_moto():
        yield


@pytest.fixture(autouse=True)
def _environ() -> Iterator[None]:
    """os.environ as it was before the test, whatever the test (or an engine) set: tests share a process."""
    saved = dict(os.environ)
    yield
    if dict(os.environ) != saved:
        os.environ.clear()
        os.environ.update(saved)


PUBLIC_TEST_ADDRESS = "93.184.215.14"


@pytest.fixture(autouse=True)
def _no_real_dns() -> Iterator[None]:
    """No test resolves a real name: the outbound-URL policy sees every host name as one public address
    (a test that needs another answer passes its own resolver or wraps ``use_resolver``)."""
    from flashfusion.outbound import use_resolver

    with use_resolver(lambda _host: [PUBLIC_TEST_ADDRESS]):
        yield


@pytest.fixture(autouse=True)
def _aws_env(_environ: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test can reach real AWS: fake credentials, a fixed region, no endpoint overrides."""
    for name in AWS_OVERRIDES:
        monkeypatch.delenv(name, raising=False)
    for name, value in TEST_AWS_ENV.items():
        monkeypatch.setenv(name, value)
    from flashfusion import wiring as deps
    from flashfusion.providers import faults

    deps.reset()
    faults.reset()
    yield
    deps.reset()
    faults.reset()


@pytest.fixture
def item_atomic_moto() -> Iterator[None]:
    """DynamoDB applies each request to an item atomically; moto does not guard its dicts across threads (a
    conditional write can pass twice, a response serialised while another thread updates the item fails with
    "dictionary changed size during iteration"). One lock per DynamoDB request, serialisation included,
    restores DynamoDB's guarantee and nothing more: threads' reads and writes still interleave between calls."""
    from moto.dynamodb.responses import DynamoHandler

    lock = threading.RLock()
    original = DynamoHandler.call_action

    def locked(self: Any, *args: Any, **kwargs: Any) -> Any:
        with lock:
            return original(self, *args, **kwargs)

    with mock.patch.object(DynamoHandler, "call_action", locked):
        yield


@pytest.fixture
def sample_kit() -> dict[str, Any]:
    kit: dict[str, Any] = json.loads((ROOT / "events" / "brand-kit.sample.json").read_text("utf-8"))
    return kit


@pytest.fixture(scope="session")
def _shared_engine() -> Iterator[Any]:
    """The process's engine, started once, suspended whenever no test is using it."""
    from ffo.engine import LocalEngine

    with LocalEngine(ROOT) as local:
        local.suspend()
        yield local


@pytest.fixture
def fresh_engine(_shared_engine: Any) -> Iterator[Any]:
    """The local engine with a clean world and nothing seeded; configure() is undone afterwards."""
    local = _shared_engine
    local.resume()
    try:
        local.reset_world()
        yield local
    finally:
        local.configure()
        local.suspend()


@pytest.fixture
def engine(fresh_engine: Any, sample_kit: dict[str, Any]) -> Any:
    """The local engine with the sample brand kit seeded for ORG and OTHER_ORG."""

    def seed() -> None:
        fresh_engine.seed_brand_kit(ORG, sample_kit)
        fresh_engine.seed_brand_kit(OTHER_ORG, sample_kit)

    fresh_engine.seeded("sample kits " + json.dumps(sample_kit, sort_keys=True), seed)
    return fresh_engine
