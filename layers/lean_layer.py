"""Trim a built Lambda layer (``python/`` of an ARTIFACTS_DIR) of what the functions never load (issue 16: each
function's code and layers within 150 MB unzipped, each layer within 40 MB zipped). Run by layers/Makefile after
pip has installed the layer's pinned arm64 wheels; standard library and GNU binutils for aarch64 only.

- Files no import reaches: ``__pycache__``, ``tests`` folders, type stubs and Cython sources (.pyi, .pxd, .pyx),
  and the globs a layer names (``--drop``).
- Debug information in extension modules (PyAV's are built with it: 41 MB of its 96; the common layer's text
  linter, compiled by mypyc_build.py, too: its sizes are printed apart). GNU strip, not
  llvm-strip: auditwheel's patchelf moves segments, and llvm-strip 14 then writes modules the loader refuses
  ("ELF load command address/offset not page-aligned").
- Bundled FFmpeg codec libraries the project never opens (``--stub``: the HEVC and SVT-AV1 encoders; the
  offline video is H.264): libavcodec is linked against them, so each is replaced by a small library of the
  same SONAME that exports the same functions, each returning an error, made with the aarch64 assembler and
  linker. Only functions: a data symbol another library reads fails the build.
- botocore's service models but those the project's code names (``--botocore``): each string literal in the
  flashfusion package that is a botocore service name keeps that service (a new ``client("sesv2")`` keeps
  sesv2 with no list to update), with the services in ALWAYS_KEPT. Documentation examples go.
"""

from __future__ import annotations

import argparse
import ast
import fnmatch
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

TOOL_PREFIX = os.environ.get("AARCH64_BINUTILS_PREFIX", "aarch64-linux-gnu-")
DEAD_DIRS = {"__pycache__", "tests"}
DEAD_SUFFIXES = {".pyi", ".pxd", ".pyx", ".pyc"}
ALWAYS_KEPT = {"sts", "ssm", "secretsmanager", "appconfigdata", "dynamodb", "s3", "kms", "logs", "cloudwatch", "xray"}
"""Services reached without their name in flashfusion: credentials (sts), Powertools' parameters, secrets,
AppConfig and idempotency (ssm, secretsmanager, appconfigdata, dynamodb), its S3 streaming and data masking
(s3, kms), logs, metrics and traces (the X-Ray SDK names ec2 and others for its plugins' metadata, never calls
them)."""


def tool(name: str) -> str:
    found = shutil.which(TOOL_PREFIX + name)
    if found is None:
        sys.exit(
            f"lean_layer: {TOOL_PREFIX}{name} not found; install GNU binutils for aarch64 "
            "(Debian: binutils-aarch64-linux-gnu; `make sam-build` installs it)"
        )
    return found


def run(name: str, *args: str) -> str:
    """One of the aarch64 binutils on build-time paths of this layer (no outside input)."""
    done = subprocess.run([tool(name), *args], check=True, capture_output=True, text=True)  # noqa: S603
    return done.stdout


def is_elf(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(4) == b"\x7fELF"


def prune(root: Path, drops: list[str]) -> None:
    for path in sorted(root.rglob("*"), reverse=True):
        relative = path.relative_to(root).as_posix()
        if path.is_dir() and path.name in DEAD_DIRS and path.parent != root:
            shutil.rmtree(path, ignore_errors=True)
        elif path.is_file() and (
            path.suffix in DEAD_SUFFIXES or any(fnmatch.fnmatch(relative, pattern) for pattern in drops)
        ):
            path.unlink()


def strip(root: Path) -> None:
    """Strip every extension module and library; the sizes of flashfusion's own (the text linter compiled by
    mypyc_build.py: ``flashfusion_linting__mypyc.*.so`` and a module per source under ``flashfusion/``) are
    reported apart."""
    before = after = own_before = own_after = count = own = 0
    for path in root.rglob("*.so*"):
        if path.is_file() and not path.is_symlink() and is_elf(path):
            size = path.stat().st_size
            run("strip", "--strip-unneeded", str(path))
            stripped = path.stat().st_size
            before, after, count = before + size, after + stripped, count + 1
            if path.relative_to(root).parts[0].startswith("flashfusion"):
                own_before, own_after, own = own_before + size, own_after + stripped, own + 1
    if count:
        print(
            f"lean_layer: {count} extension modules and libraries stripped, {before / 1e6:.1f} -> {after / 1e6:.1f} MB"
        )
    if own:
        print(f"lean_layer: flashfusion's compiled modules: {own}, {own_before / 1e6:.2f} -> {own_after / 1e6:.2f} MB")


def dynamic_symbols(path: Path) -> list[tuple[str, str, bool]]:
    """(name without version, type, defined) of each dynamic symbol."""
    symbols = []
    for line in run("readelf", "--dyn-syms", "-W", str(path)).splitlines():
        parts = line.split()
        if len(parts) >= 8 and parts[0].endswith(":") and parts[0][:-1].isdigit():
            symbols.append((parts[7].split("@")[0], parts[3], parts[6] != "UND"))
    return symbols


def stub(root: Path, pattern: str, value: int) -> None:
    """Replace the library matching ``pattern`` with one exporting the functions the layer's other libraries
    take from it, each returning ``value``."""
    libraries = [p for p in root.rglob("*.so*") if p.is_file() and is_elf(p)]
    matches = [p for p in libraries if fnmatch.fnmatch(p.name, pattern)]
    if len(matches) != 1:
        sys.exit(f"lean_layer: --stub {pattern} matches {[p.name for p in matches]}, not one library")
    target = matches[0]
    exported = {name: kind for name, kind, defined in dynamic_symbols(target) if defined}
    wanted: set[str] = set()
    for other in libraries:
        if other != target:
            wanted |= {n for n, _, defined in dynamic_symbols(other) if not defined and n in exported}
    data = sorted(n for n in wanted if exported[n] != "FUNC")
    if data:
        sys.exit(f"lean_layer: {target.name} exports data the layer reads ({data}); a stub cannot stand in")
    soname = next(
        line.split("[", 1)[1].rstrip("]")
        for line in run("readelf", "-d", str(target)).splitlines()
        if "(SONAME)" in line
    )
    body = "mov x0, #0" if value == 0 else f"mov x0, #{value}"
    lines = [".text", ".p2align 2"]
    for name in sorted(wanted):
        lines += [f".global {name}", f".type {name}, %function", f"{name}:"]
    lines += [f"    {body}", "    ret", ""]
    with tempfile.TemporaryDirectory() as work:
        source, obj = Path(work) / "stub.s", Path(work) / "stub.o"
        source.write_text("\n".join(lines), "utf-8")
        run("as", "-o", str(obj), str(source))
        run("ld", "-shared", "-soname", soname, "-o", str(target), str(obj))
    print(f"lean_layer: {target.name} stubbed ({len(wanted)} functions return {value})")


def service_names_in(package: Path) -> set[str]:
    names: set[str] = set()
    for source in package.rglob("*.py"):
        try:
            tree = ast.parse(source.read_bytes())
        except (SyntaxError, ValueError):
            continue
        names |= {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    return names


def keep_botocore_services(root: Path) -> None:
    data = root / "botocore" / "data"
    services = {p.name for p in data.iterdir() if p.is_dir()}
    kept = (service_names_in(root / "flashfusion") | ALWAYS_KEPT) & services
    for service in services - kept:
        shutil.rmtree(data / service)
    for example in data.rglob("examples-1.json*"):
        example.unlink()
    print(f"lean_layer: botocore keeps {len(kept)} of {len(services)} services: {', '.join(sorted(kept))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, help="the layer's python/ folder")
    parser.add_argument("--drop", action="append", default=[], help="a glob of files to remove, relative to root")
    parser.add_argument("--stub", action="append", default=[], help="LIBRARY_GLOB=RETURN_VALUE")
    parser.add_argument("--botocore", action="store_true", help="keep only the services the layer's code names")
    args = parser.parse_args()
    prune(args.root, args.drop)
    for spec in args.stub:
        pattern, value = spec.rsplit("=", 1)
        stub(args.root, pattern, int(value))
    strip(args.root)
    if args.botocore:
        keep_botocore_services(args.root)


if __name__ == "__main__":
    main()
