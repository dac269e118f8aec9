"""Compile the text linter's modules with mypyc (issue 16: text lint >= 10,000 posts/s warm on one core).

The same type-annotated sources, compiled to C extension modules next to them: Python imports an extension
module before a source file of the same name, so a package with them runs compiled and one without them runs
the sources (a developer's checkout before ``make setup``, or a platform no build was made for). The compiled
modules are git-ignored build output.

    python layers/mypyc_build.py            # in place, for this interpreter (``make setup`` runs it)
    python layers/mypyc_build.py --clean    # remove the compiled modules: the sources run again

mypyc checks the modules' types as it compiles them (a type error fails the build) and compiles the C files on
every core. ``-O1``: on the bench it runs as fast as mypyc's default ``-O3`` and compiles in half the time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import sysconfig
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

COMMON = Path(__file__).resolve().parent / "common"
ROOT = COMMON.parents[1]
COMPILED = (
    "flashfusion/linting/base.py",
    "flashfusion/linting/engine.py",
    "flashfusion/linting/findings.py",
    "flashfusion/linting/legal.py",
    "flashfusion/linting/normalise.py",
    "flashfusion/linting/platforms.py",
    "flashfusion/linting/term_match.py",
    "flashfusion/linting/terms.py",
    "flashfusion/linting/counting/*.py",
    "flashfusion/linting/voice/check.py",
    "flashfusion/linting/voice/emojis.py",
    "flashfusion/linting/voice/exclamations.py",
    "flashfusion/linting/voice/formality.py",
    "flashfusion/linting/voice/hyphenation.py",
    "flashfusion/linting/voice/person.py",
    "flashfusion/linting/voice/pieces.py",
    "flashfusion/linting/voice/plan.py",
    "flashfusion/linting/voice/preferred_terms.py",
    "flashfusion/linting/voice/reading_grade.py",
    "flashfusion/linting/voice/sentiment.py",
    "flashfusion/linting/voice/term_patterns.py",
    "flashfusion/linting/voice/vale_rules.py",
    "flashfusion/linting/voice/word_scan.py",
)
"""The modules a text lint runs through (globs under ``layers/common``), relative as mypyc names them."""
GROUP = "flashfusion_linting"
"""The shared library of the compiled modules' code: ``flashfusion_linting__mypyc.*.so``, beside the ``flashfusion``
package (mypyc sets each compiled module's ``__file__`` from the library's folder: it must be the package's
parent). The venv's editable install puts ``layers/common`` itself on ``sys.path`` (``editable_mode=compat``)."""
OPT_LEVEL = "1"


def sources() -> list[str]:
    found = sorted({str(path.relative_to(COMMON)) for pattern in COMPILED for path in COMMON.glob(pattern)})
    if not found:
        raise SystemExit(f"no module to compile under {COMMON}")
    return found


def compiled_files(folder: Path = COMMON) -> list[Path]:
    """The extension modules a build left under ``folder`` (any interpreter's, any platform's)."""
    names = {Path(source).with_suffix("").as_posix() for source in sources()}
    found = list(folder.glob(f"{GROUP}__mypyc.*.so"))
    for path in folder.glob("flashfusion/linting/**/*.so"):
        if path.relative_to(folder).as_posix().split(".", 1)[0] in names:
            found.append(path)
    return sorted(found)


def clean() -> None:
    for path in compiled_files():
        path.unlink()


def missing_toolchain() -> str | None:
    """What this machine lacks to compile extension modules for the running interpreter, or None."""
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        return f"no C compiler ({compiler})"
    headers = Path(sysconfig.get_paths()["include"]) / "Python.h"
    if not headers.is_file():
        return f"no headers for this interpreter ({headers}; Debian: apt install python3-dev)"
    return None


def build(build_dir: Path, jobs: int) -> None:
    """Compile ``COMPILED`` in place under ``layers/common`` for the running interpreter."""
    from mypyc.build import mypycify
    from setuptools import setup
    from setuptools.command.build_ext import build_ext

    class ParallelBuildExt(build_ext):
        """setuptools compiles one extension's C files one after another; mypyc's shared library is one
        extension of many C files (``multi_file``), so they are compiled on ``jobs`` threads (gcc runs apart)."""

        def build_extensions(self) -> None:
            compile_one = self.compiler.compile

            def compile_all(files: list[str], *args: Any, **kwargs: Any) -> list[str]:
                with ThreadPoolExecutor(max(1, jobs)) as pool:
                    objects = pool.map(lambda file: compile_one([file], *args, **kwargs), files)
                return [obj for group in objects for obj in group]

            self.compiler.compile = compile_all  # type: ignore[method-assign]
            super().build_extensions()

    started = time.perf_counter()
    os.chdir(COMMON)  # mypyc names modules by their paths from here
    mypy_options = [f"--config-file={ROOT / 'pyproject.toml'}", f"--cache-dir={build_dir / 'mypy_cache'}"]
    extensions = mypycify(
        [*mypy_options, *sources()],
        opt_level=OPT_LEVEL,
        multi_file=True,
        group_name=GROUP,
        target_dir=str(build_dir / "c"),
        verbose=False,
    )
    print(f"mypyc: {len(sources())} modules checked and translated to C in {time.perf_counter() - started:.1f} s")
    setup(
        name=GROUP,
        ext_modules=extensions,
        cmdclass={"build_ext": ParallelBuildExt},
        script_args=[
            "--quiet",
            "build_ext",
            "--inplace",
            f"--build-lib={build_dir / 'lib'}",
            f"--build-temp={build_dir / 'temp'}",
        ],
    )
    print(f"mypyc: compiled in place in {time.perf_counter() - started:.1f} s ({len(compiled_files())} files)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clean", action="store_true", help="remove the compiled modules and stop")
    parser.add_argument("--build-dir", type=Path, default=ROOT / "build" / "mypyc", help="C sources and objects")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="C files compiled at once")
    args = parser.parse_args(argv)
    clean()
    if args.clean:
        return
    missing = missing_toolchain()
    if missing is not None:
        print(f"mypyc: {missing}: the text linter runs from its sources (~1.25x slower)", file=sys.stderr)
        return
    shutil.rmtree(args.build_dir / "lib", ignore_errors=True)
    build(args.build_dir.resolve(), args.jobs)


if __name__ == "__main__":
    sys.exit(main())
