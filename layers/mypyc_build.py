"""Compile the text linter's modules with mypyc (issue 16: text lint >= 10,000 posts/s warm on one core).

The same type-annotated sources, compiled to C extension modules next to them: Python imports an extension
module before a source file of the same name, so a package with them runs compiled and one without them runs
the sources (a developer's checkout before ``make setup``, or a platform no build was made for). The compiled
modules are git-ignored build output.

    python layers/mypyc_build.py            # in place, for this interpreter (``make setup`` runs it)
    python layers/mypyc_build.py --clean    # remove the compiled modules: the sources run again
    python layers/mypyc_build.py --target-dir LAYER/python --sysroot ROOT   # cross: for the Lambda runtime

mypyc checks the modules' types as it compiles them (a type error fails the build) and compiles the C files on
every core. ``-O1``: on the bench it runs as fast as mypyc's default ``-O3`` and compiles in half the time.

Cross mode (``--target-dir``, run by layers/Makefile for the common layer): the runtime is CPython 3.13 on arm64
(Amazon Linux 2023, glibc 2.34). mypyc runs under an interpreter of the target's version (its C differs by
version), ``zig cc`` compiles the C for ``--zig-target`` (aarch64-linux-gnu.2.34: glibc's symbols as of 2.34, so
the modules load on Amazon Linux 2023 whatever this machine's glibc) against the target interpreter's headers and
sysconfig flags from ``--sysroot`` (Debian's arm64 libpython3.13-dev, unpacked), and each module's glibc symbol
versions are checked with GNU objdump for aarch64. The modules go into the layer beside the sources it ships,
named with the target's extension suffix; any host build copied there with the sources is removed first. Where a
prerequisite is missing, it says which and the layer ships the sources alone.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, NamedTuple

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
parent). The venv has ``layers/common`` itself on ``sys.path`` (a ``flashfusion-layer.pth`` written by make), as a
layer's ``python/`` is in Lambda."""
OPT_LEVEL = "1"


def sources(folder: Path = COMMON) -> list[str]:
    """``COMPILED``'s files under ``folder`` (``layers/common``, or a built layer's ``python/``)."""
    found = sorted({str(path.relative_to(folder)) for pattern in COMPILED for path in folder.glob(pattern)})
    if not found:
        raise SystemExit(f"no module to compile under {folder}")
    return found


def module_names(folder: Path = COMMON) -> list[str]:
    """The compiled modules' import names (a package's ``__init__.py`` is the package)."""
    return [source.removesuffix(".py").removesuffix("/__init__").replace("/", ".") for source in sources(folder)]


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


def translate(config: Path, build_dir: Path, *options: str) -> list[Any]:
    """``COMPILED`` checked and translated to C by mypyc under ``build_dir / "c"``: the extensions to compile
    (setuptools'), the same for this interpreter's build and the cross build (``options``: mypy's, added)."""
    from mypyc.build import mypycify

    # Modules outside the build are read as Any (the suite's mypy checks them and the calls into them): their
    # analysis (pydantic's models) was 3/4 of the 10 s mypyc took, for the same speed
    mypy = [f"--config-file={config}", f"--cache-dir={build_dir / 'mypy_cache'}", "--follow-imports=skip", *options]
    os.chdir(COMMON)  # mypyc names modules by their paths from here
    return mypycify(
        [*mypy, *sources()],
        opt_level=OPT_LEVEL,
        multi_file=True,
        group_name=GROUP,
        target_dir=str(build_dir / "c"),
        verbose=False,
    )


def build(build_dir: Path, jobs: int) -> None:
    """Compile ``COMPILED`` in place under ``layers/common`` for the running interpreter."""
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

            self.compiler.compile = compile_all
            super().build_extensions()

    started = time.perf_counter()
    extensions = translate(ROOT / "pyproject.toml", build_dir)
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


ZIG_TARGET = "aarch64-linux-gnu.2.34"
"""Lambda's python3.13 arm64 runtime: Amazon Linux 2023, glibc 2.34 (zig links against that glibc's symbols)."""
BINUTILS_PREFIX = os.environ.get("AARCH64_BINUTILS_PREFIX", "aarch64-linux-gnu-")


class Target(NamedTuple):  # not a dataclass: the tests load this script without a sys.modules entry
    """The interpreter the modules are built for, read from its unpacked root (``--sysroot``)."""

    version: str  # "3.13"
    ext_suffix: str  # ".cpython-313-aarch64-linux-gnu.so"
    cflags: list[str]  # its sysconfig's CFLAGS and CCSHARED: what setuptools would pass for it
    headers: Path  # Python.h's folder
    pyconfig: Path  # the platform's pyconfig.h (Debian's Python.h folder has a multiarch wrapper)


def read_target(sysroot: Path) -> Target | str:
    """The target interpreter under ``sysroot``, or why it cannot be built for."""
    found = sorted(sysroot.glob("usr/lib/python3*/_sysconfigdata__*.py"))
    if not found:
        return f"no _sysconfigdata under {sysroot}/usr/lib (run `make sam-build`: it unpacks Debian's arm64 CPython)"
    spec = importlib.util.spec_from_file_location("target_sysconfigdata", found[0])
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # a dict literal of the build's variables, from the package unpacked
    config: dict[str, Any] = module.build_time_vars
    version, multiarch = str(config["VERSION"]), str(config.get("MULTIARCH", ""))
    headers = sysroot / "usr" / "include" / f"python{version}"
    pyconfig = sysroot / "usr" / "include" / multiarch / f"python{version}" / "pyconfig.h"
    if not (headers / "Python.h").is_file() or not pyconfig.is_file():
        return f"no CPython {version} headers under {sysroot}/usr/include (Debian's libpython{version}-dev)"
    cflags = f"{config.get('CFLAGS', '')} {config.get('CCSHARED', '')}".split()
    return Target(version, str(config["EXT_SUFFIX"]), cflags, headers, pyconfig)


def missing_cross_toolchain(target: Target) -> str | None:
    """What this machine lacks to build for ``target``, or None."""
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    if running != target.version:
        return f"mypyc runs under CPython {running}, the target is {target.version} (its C differs by version)"
    if importlib.util.find_spec("mypyc") is None:
        return "no mypyc (mypy: layers/requirements-mypyc.txt)"
    if importlib.util.find_spec("ziglang") is None:
        return "no zig cc (the ziglang package: layers/requirements-mypyc.txt)"
    if shutil.which(BINUTILS_PREFIX + "objdump") is None:
        return f"no {BINUTILS_PREFIX}objdump (GNU binutils for aarch64) to check the glibc versions"
    return None


GLIBC_VERSION = re.compile(r"\(GLIBC_(\d+)\.(\d+)(?:\.\d+)?\)\s+(\S+)")


def glibc_needs(dynamic_symbols: str) -> dict[str, tuple[int, int]]:
    """symbol -> the glibc version it is bound to, from ``objdump -T``'s table (``(GLIBC_2.17) strtol``)."""
    return {m[3]: (int(m[1]), int(m[2])) for m in GLIBC_VERSION.finditer(dynamic_symbols)}


def too_new(dynamic_symbols: str, limit: tuple[int, int]) -> list[str]:
    """The symbols bound to a glibc newer than ``limit``: the loader refuses such a module on an older glibc."""
    needs = glibc_needs(dynamic_symbols)
    return sorted(f"{name}@GLIBC_{v[0]}.{v[1]}" for name, v in needs.items() if v > limit)


def glibc_limit(zig_target: str) -> tuple[int, int]:
    found = re.search(r"\.(\d+)\.(\d+)$", zig_target)
    if found is None:
        raise SystemExit(f"mypyc: --zig-target {zig_target} names no glibc version (e.g. aarch64-linux-gnu.2.34)")
    return int(found[1]), int(found[2])


def check_glibc(library: Path, limit: tuple[int, int]) -> tuple[int, int]:
    """The newest glibc version ``library`` needs; a newer one than ``limit`` fails the build."""
    table = subprocess.run(  # noqa: S603 (binutils on this build's own output)
        [BINUTILS_PREFIX + "objdump", "-T", str(library)], check=True, capture_output=True, text=True
    ).stdout
    newer = too_new(table, limit)
    if newer:
        raise SystemExit(f"mypyc: {library.name} needs a glibc newer than {limit[0]}.{limit[1]}: {newer}")
    return max(glibc_needs(table).values(), default=(0, 0))


def cross_build(target_dir: Path, target: Target, zig_target: str, build_dir: Path, jobs: int, config: Path) -> None:
    """Compile ``COMPILED`` for ``target`` into ``target_dir`` (a layer's ``python/``): whole or not at all."""
    import importlib.machinery

    host_suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    if "mypyc" in sys.modules:
        raise SystemExit("mypyc: imported before its extension suffix was set for the target")
    # mypyc writes the suffix into the C (each module's __file__, its imports of the group's modules) from this
    # interpreter's first extension suffix, read when mypyc is imported: the target's, for the target's build
    importlib.machinery.EXTENSION_SUFFIXES.insert(0, target.ext_suffix)
    from mypyc.common import EXT_SUFFIX

    if target.ext_suffix != EXT_SUFFIX:
        raise SystemExit(f"mypyc: writes {EXT_SUFFIX} into the C, not the target's {target.ext_suffix}")
    started = time.perf_counter()
    for stale in ("c", "obj", "out"):
        shutil.rmtree(build_dir / stale, ignore_errors=True)
    # Debian's Python.h folder holds a pyconfig.h that includes <MULTIARCH/pythonX.Y/pyconfig.h>: only that file
    # is put on the include path (the sysroot's glibc headers are newer than the target's; zig brings 2.34's)
    include = build_dir / "include"
    multiarch_pyconfig = include / target.pyconfig.relative_to(target.pyconfig.parents[2])
    multiarch_pyconfig.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(target.pyconfig, multiarch_pyconfig)
    extensions = translate(config, build_dir, f"--python-version={target.version}")
    translated = time.perf_counter()
    if host_suffix != target.ext_suffix:
        stray = [c.name for c in (build_dir / "c").rglob("*.c") if host_suffix in c.read_text("utf-8", "replace")]
        if stray:
            raise SystemExit(f"mypyc: this interpreter's suffix {host_suffix} is in the target's C: {stray}")
    print(f"mypyc: {len(sources())} modules checked and translated to C under CPython {target.version} "
          f"in {translated - started:.1f} s")  # fmt: skip
    zig = [sys.executable, "-m", "ziglang", "cc", "-target", zig_target]
    os.environ.setdefault("ZIG_GLOBAL_CACHE_DIR", str(build_dir / "zig-cache"))  # kept between builds

    def compile_one(job: tuple[str, Path, list[str]]) -> None:
        source, obj, flags = job
        obj.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([*zig, *flags, "-c", source, "-o", str(obj)], check=True)  # noqa: S603

    jobs_by_ext: list[tuple[Any, list[Path]]] = []
    compile_jobs: list[tuple[str, Path, list[str]]] = []
    for ext in extensions:
        flags = [*target.cflags, *(f"-I{d}" for d in ext.include_dirs), f"-I{include}", f"-I{target.headers}"]
        flags += [*(f"-D{name}={value}" if value is not None else f"-D{name}" for name, value in ext.define_macros)]
        flags += ext.extra_compile_args
        objects = [build_dir / "obj" / ext.name / f"{i}.o" for i in range(len(ext.sources))]
        compile_jobs += [(source, obj, flags) for source, obj in zip(ext.sources, objects, strict=True)]
        jobs_by_ext.append((ext, objects))
    with ThreadPoolExecutor(max(1, jobs)) as pool:
        list(pool.map(compile_one, compile_jobs))
    out = build_dir / "out"
    limit, newest = glibc_limit(zig_target), (0, 0)
    for ext, objects in jobs_by_ext:
        library = out / (ext.name.replace(".", "/") + target.ext_suffix)
        library.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([*zig, "-shared", "-o", str(library), *map(str, objects)], check=True)  # noqa: S603
        newest = max(newest, check_glibc(library, limit))
    built = sorted(path for path in out.rglob("*.so"))
    for path in built:
        destination = target_dir / path.relative_to(out)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)
    size = sum(path.stat().st_size for path in built)
    print(
        f"mypyc: {len(built)} modules compiled for {zig_target} ({target.ext_suffix}) in "
        f"{time.perf_counter() - translated:.1f} s, {size / 1e6:.1f} MB before strip, newest glibc symbol "
        f"{newest[0]}.{newest[1]} (limit {limit[0]}.{limit[1]}); {time.perf_counter() - started:.1f} s in all"
    )


def cross(args: argparse.Namespace) -> None:
    target_dir: Path = args.target_dir.resolve()
    removed = compiled_files(target_dir)  # a host build copied with the sources: never shipped
    for path in removed:
        path.unlink()
    if removed:
        print(f"mypyc: {len(removed)} host-built modules removed from {target_dir}")
    if args.clean:
        return
    target = read_target(args.sysroot.resolve())
    missing = target if isinstance(target, str) else missing_cross_toolchain(target)
    if missing is not None:
        print(f"mypyc: {missing}: the layer ships the text linter's sources only (~1.5x slower)", file=sys.stderr)
        return
    assert isinstance(target, Target)
    build_dir = args.build_dir or ROOT / "build" / f"mypyc-{args.zig_target}"
    cross_build(target_dir, target, args.zig_target, build_dir.resolve(), args.jobs, args.config.resolve())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clean", action="store_true", help="remove the compiled modules and stop")
    parser.add_argument("--build-dir", type=Path, help="C sources and objects (build/mypyc, build/mypyc-TARGET)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="C files compiled at once")
    cross_options = parser.add_argument_group("cross build (for the Lambda runtime)")
    cross_options.add_argument("--target-dir", type=Path, help="a layer's python/ folder, holding the sources")
    cross_options.add_argument("--sysroot", type=Path, help="the target CPython unpacked, with its headers")
    cross_options.add_argument("--zig-target", default=ZIG_TARGET, help="zig cc's -target (glibc version last)")
    cross_options.add_argument(
        "--config", type=Path, default=ROOT / "pyproject.toml", help="mypy's settings (sam builds from a copy)"
    )
    args = parser.parse_args(argv)
    if args.target_dir is not None:
        if args.sysroot is None and not args.clean:
            parser.error("--target-dir needs --sysroot")
        cross(args)
        return
    clean()
    if args.clean:
        # make's record of the build goes with it, so the next `make setup` builds again
        for stamp in (ROOT / "build" / "mypyc").glob("built-*"):
            stamp.unlink()
        return
    missing = missing_toolchain()
    if missing is not None:
        print(f"mypyc: {missing}: the text linter runs from its sources (~1.5x slower)", file=sys.stderr)
        return
    build_dir = args.build_dir or ROOT / "build" / "mypyc"
    shutil.rmtree(build_dir / "lib", ignore_errors=True)
    build(build_dir.resolve(), args.jobs)


if __name__ == "__main__":
    main()
