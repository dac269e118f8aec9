"""The text linter compiled with mypyc (``layers/mypyc_build.py``, run by ``make setup``): the build is whole,
and the sources, which run wherever no build was made, give the same reports (the rest of the suite runs
whichever this interpreter imports: compiled where a build is in place)."""

from __future__ import annotations

import importlib
import importlib.util
import json
import subprocess
import sys
import sysconfig

from tests.helpers import ROOT, layer_script, linter_sources


def test_the_listed_modules_run_all_compiled_or_all_from_source() -> None:
    """A partial build would mix compiled and source modules of one shared library's group: all or none."""
    build = layer_script("mypyc_build")
    names = build.module_names()
    assert "flashfusion.linting.voice.pieces" in names
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    compiled = {name for name in names if (importlib.import_module(name).__file__ or "").endswith(suffix)}
    assert compiled in (set(), set(names))
    if compiled:  # their shared library beside the package, where mypyc's module set-up looks for it
        shared = importlib.import_module(f"{build.GROUP}__mypyc")
        assert shared.__file__ == str(ROOT / "layers" / "common" / f"{build.GROUP}__mypyc{suffix}")


SOURCES_ONLY = """
import json, sys
from importlib.machinery import SOURCE_SUFFIXES, FileFinder, SourceFileLoader

linting = sys.argv[1]


def sources_only(path):
    if not path.startswith(linting):
        raise ImportError  # the next hook: everything outside the linter imports as usual
    return FileFinder(path, (SourceFileLoader, SOURCE_SUFFIXES))


sys.path_hooks.insert(0, sources_only)
sys.path_importer_cache.clear()
from tests.unit.lint.findings_corpus import corpus, recorded, report_of
from flashfusion.linting.voice import pieces

cases, reports = corpus(), recorded()
print(json.dumps({
    "pieces": pieces.__file__,
    "cases": len(cases),
    "differing": [case.id for case in cases if report_of(case) != reports[case.id]],
}))
"""


def test_the_sources_give_the_recorded_reports() -> None:
    """The findings corpus (``test_findings_unchanged``) linted by the sources in a process that imports no
    compiled linter module: the fallback is held to the same recorded reports."""
    linting = str(ROOT / "layers" / "common" / "flashfusion" / "linting")
    run = subprocess.run(
        [sys.executable, "-c", SOURCES_ONLY, linting], cwd=ROOT, capture_output=True, text=True, check=True
    )
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["pieces"].endswith("pieces.py")
    assert result["cases"] >= 1000
    assert result["differing"] == []


def test_a_copy_of_the_linter_from_its_sources_is_imported_beside_it() -> None:
    """``linter_sources``: what the differential tests patch is the source copy, and the imported linter is back in
    place after."""
    from flashfusion import linting
    from flashfusion.linting import legal
    from flashfusion.linting.voice import pieces

    with linter_sources():
        from flashfusion.linting import legal as plain_legal
        from flashfusion.linting.voice import pieces as plain_pieces
    assert plain_legal.__file__.endswith("legal.py")
    assert plain_pieces.__file__.endswith("pieces.py")
    assert plain_legal is not legal
    assert plain_pieces is not pieces
    assert sys.modules["flashfusion.linting.legal"] is legal
    assert sys.modules["flashfusion.linting.voice.pieces"] is pieces
    assert linting.legal is legal
    from flashfusion.linting import normalise  # imported after: as usual (compiled where built)

    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    assert (normalise.__file__ or "").endswith(suffix) == (legal.__file__ or "").endswith(suffix)
