"""Run the built layers on arm64, as Lambda does: `make layer-smoke` (after `make sam-build`).

The layers are built for arm64 on an x86_64 machine (layers/Makefile), and lean_layer.py replaces two of
PyAV's codec libraries with stubs assembled by GNU binutils for aarch64. Nothing in `make test` loads an arm64
library, so this script is run by an arm64 CPython 3.13 under qemu-user, with the layers on its path in
Lambda's order, and drives the product's own code through what each layer carries:

- PyAV: FFmpeg loads with the stubs; H.264 encodes and decodes; the stubbed encoders refuse to open.
- the offline video and image generators (numpy, Pillow, PyAV), and the linter on their output and on a text
  (VADER from the text layer, the precomputed syllable and hyphenation tables);
- the kit term index's Aho-Corasick automaton (pyahocorasick's compiled wheel, common layer);
- C2PA: an image signed and its credentials read back (c2pa-python's native library, cryptography);
- the text linter compiled by mypyc for this runtime (layers/mypyc_build.py --target-dir, common layer): every
  module of its list loads from its aarch64 cp313 extension module, and the findings corpus
  (tests/unit/lint/findings_corpus.py, exported by the dev venv with ``--export-cases``: it needs pytest and
  PyYAML, which no layer has) lints to the recorded reports, then again with the compiled modules hidden (the
  layer's sources, imported afresh): the same reports.

Each line printed is a check; any failure exits non-zero. Usage (the Makefile passes these):
``qemu-aarch64 -L ROOT ROOT/usr/bin/python3.13 layers/arm64_smoke.py BUILD_DIR REPO_DIR [CASES_JSON]``;
``python layers/arm64_smoke.py --export-cases CASES_JSON`` (the dev venv) writes the corpus for it.
"""

from __future__ import annotations

import gzip
import importlib
import importlib.machinery
import io
import json
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

LAYERS = ("CommonLayer", "ImageLayer", "VideoLayer", "TextLayer", "SigningLayer")
FAILURES: list[str] = []


def check(name: str, run: Callable[[], str]) -> None:
    started = time.perf_counter()
    try:
        detail = run()
    except Exception as error:  # every check runs; the exit status reports any failure
        FAILURES.append(name)
        print(f"FAIL {name}: {type(error).__name__}: {error}", flush=True)
        return
    print(f"ok   {name} ({time.perf_counter() - started:.1f} s): {detail}", flush=True)


def pyav() -> str:
    import av
    import numpy as np

    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for shade in range(24):
            frame = av.VideoFrame.from_ndarray(np.full((64, 64, 3), shade * 10, np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    buffer.seek(0)
    with av.open(buffer) as source:
        decoded = sum(1 for _ in source.decode(video=0))
    if decoded != 24:
        raise AssertionError(f"decoded {decoded} of 24 frames")
    refused = []
    for name in ("libx265", "libsvtav1"):  # the stubbed encoders
        try:
            with av.open(io.BytesIO(), "w", format="mp4") as out:
                stream = out.add_stream(name, rate=24)
                stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
                stream.encode(av.VideoFrame.from_ndarray(np.zeros((64, 64, 3), np.uint8), format="rgb24"))
        except Exception as error:
            refused.append(f"{name} refuses ({type(error).__name__})")
        else:
            raise AssertionError(f"{name} encoded: the stub is not in place")
    return f"av {av.__version__}, H.264 {len(buffer.getvalue())} bytes, 24 frames back; " + ", ".join(refused)


def generated(repo: Path, medium: str) -> tuple[bytes, str, object]:
    from flashfusion.models import BrandKit, ContentType, prompt_hash
    from flashfusion.providers.base import GenerationJob, GenerationOptions
    from flashfusion.routing.matrix import load_matrix_file

    kit = BrandKit.model_validate(json.loads((repo / "events" / "brand-kit.sample.json").read_text("utf-8")))
    prompt = "Spring collection launch"
    options = {"size": "360x640", "duration_seconds": 1} if medium == "video" else {"size": "512x512"}
    job = GenerationJob(
        request_id="smoke",
        content_type=ContentType(medium),
        prompt=prompt,
        prompt_hash=prompt_hash(prompt),
        model=load_matrix_file().get(f"local/{medium}-standard"),
        brand_kit=kit,
        options=GenerationOptions(**options),
    )
    if medium == "video":
        from flashfusion.providers.offline_video import OfflineVideoProvider

        content = OfflineVideoProvider().generate(job)
    else:
        from flashfusion.providers.offline_image import OfflineImageProvider

        content = OfflineImageProvider().generate(job)
    return content.data, content.mime_type, kit


def media_lint(repo: Path, medium: str) -> Callable[[], str]:
    def run() -> str:
        from flashfusion.linting.engine import LintContext, lint_asset

        data, mime_type, kit = generated(repo, medium)
        report = lint_asset(data, mime_type, LintContext(kit=kit))  # type: ignore[arg-type]
        rules = sorted({v.rule_id for v in report.violations})
        return f"{len(data):,} bytes {mime_type}, lint compliant={report.compliant} {rules}"

    return run


def text_lint(repo: Path) -> str:
    from flashfusion.linting.engine import LintContext, lint_asset
    from flashfusion.models import BrandKit

    kit = BrandKit.model_validate(json.loads((repo / "events" / "brand-kit.sample.json").read_text("utf-8")))
    text = "Our spring collection is here! Lightweight jackets for every trail. Honestly, we love them. #spring"
    report = lint_asset(text.encode(), "text/plain", LintContext(kit=kit, channel="linkedin"))
    voice = {name: round(value, 2) for name, value in report.metrics.items() if "sentiment" in name or "grade" in name}
    if not voice:
        raise AssertionError(f"no voice metrics in {sorted(report.metrics)}")
    return f"compliant={report.compliant}, {voice}"


def term_automaton() -> str:
    """A big kit's term index runs pyahocorasick's C automaton (a compiled wheel of the common layer)."""
    from flashfusion.linting.term_match import _automaton

    runs = ("aurora", "gore", "win", "window", "trail", "jacket", "free", "best", "cure", "miracle", "risk", "now")
    key = "win a free trail jacket now at aurora outdoor, best in the window"
    found = {run for _, run in _automaton(runs).iter(key)}
    expected = {run for run in runs if run in key}
    if found != expected:
        raise AssertionError(f"automaton found {sorted(found)}, substring tests {sorted(expected)}")
    return f"{len(found)} of {len(runs)} first runs found, as substring tests find them"


def signing(repo: Path) -> str:
    sys.path.insert(0, str(repo / "local"))  # the dev CA, as `ffo` makes it locally
    from ffo.devcert import dev_signing_key
    from flashfusion.provenance.credentials import ManifestSpec, read_credentials, sign_embedded

    data, mime_type, _ = generated(repo, "image")
    with tempfile.TemporaryDirectory() as work:
        key = dev_signing_key(Path(work))
    spec = ManifestSpec(title="smoke.png", mime_type=mime_type, model_id="local/image-standard", provider="local",
                        vendor_model="offline")  # fmt: skip
    signed = sign_embedded(data, spec, key)
    report = read_credentials(signed, mime_type)
    if not (report.present and report.signature_valid):
        raise AssertionError(f"credentials not read back: {report}")
    return f"signed {len(signed):,} bytes; present, signature valid, trusted={report.trusted} (no anchors given)"


def export_cases(path: Path) -> None:
    """The findings corpus and its kits as JSON (run by the dev venv, where the corpus module imports)."""
    repo = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(repo))
    from tests.unit.lint.findings_corpus import corpus, kits

    cases = [vars(case) for case in corpus()]
    kit_json = {name: kit.model_dump(mode="json", by_alias=True) for name, kit in kits().items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"kits": kit_json, "cases": cases}, ensure_ascii=False), "utf-8")
    print(f"{len(cases)} findings corpus cases written to {path}")


def lint_reports(cases_file: Path) -> dict[str, Any]:
    """Each case's report as JSON, as findings_corpus.report_of makes it, by whichever linter imports now."""
    from flashfusion.linting.engine import LintContext, lint_text
    from flashfusion.models import BrandKit

    exported = json.loads(cases_file.read_text("utf-8"))
    kits = {name: BrandKit.model_validate(kit) for name, kit in exported["kits"].items()}
    reports = {}
    for case in exported["cases"]:
        context = LintContext(
            kit=kits[case["kit"]], channel=case["channel"], sponsored=case["sponsored"], locale=case["locale"]
        )
        report = lint_text(case["text"], context)
        reports[case["id"]] = report.model_dump(mode="json", by_alias=True, exclude={"checked_at"})
    return reports


def timed_lint(cases_file: Path) -> tuple[dict[str, Any], str]:
    """The corpus' reports, linted twice: the first pass's time and the second's (warm caches)."""
    started = time.perf_counter()
    reports = lint_reports(cases_file)
    first = time.perf_counter() - started
    started = time.perf_counter()
    again = lint_reports(cases_file)
    warm = time.perf_counter() - started
    if again != reports:
        raise AssertionError("a second pass over the corpus gave other reports")
    return reports, f"{first:.1f} s (again: {warm:.1f} s)"


def linter_files(names: list[str]) -> dict[str, str]:
    return {name: importlib.import_module(name).__file__ or "" for name in names}


def hide_compiled_linter(linting: Path) -> None:
    """Forget the imported linter and import its modules from their sources from now on (its folder's extension
    modules are not looked for), as tests/unit/lint/test_compiled_linter.py does in a fresh process."""
    from importlib.machinery import SOURCE_SUFFIXES, FileFinder, SourceFileLoader

    def sources_only(path: str) -> FileFinder:
        if not path.startswith(str(linting)):
            raise ImportError  # the next hook: everything else imports as usual
        return FileFinder(path, (SourceFileLoader, SOURCE_SUFFIXES))

    for name in [
        name for name in sys.modules if name == "flashfusion.linting" or name.startswith("flashfusion.linting.")
    ]:
        del sys.modules[name]
    flashfusion = sys.modules.get("flashfusion")
    if flashfusion is not None and hasattr(flashfusion, "linting"):
        delattr(flashfusion, "linting")
    sys.path_hooks.insert(0, sources_only)
    sys.path_importer_cache.clear()


def compiled_linter(build: Path, repo: Path, cases_file: Path) -> Callable[[], str]:
    def run() -> str:
        sys.path.insert(0, str(repo / "layers"))  # the compiled modules' list (stdlib only)
        import mypyc_build

        layer = build / "CommonLayer" / "python"
        names = mypyc_build.module_names(layer)
        suffix = importlib.machinery.EXTENSION_SUFFIXES[0]  # .cpython-313-aarch64-linux-gnu.so
        not_compiled = {n: f for n, f in linter_files(names).items() if not f.endswith(suffix)}
        if not_compiled:
            raise AssertionError(f"not loaded from {suffix}: {not_compiled}")
        shared = importlib.import_module(f"{mypyc_build.GROUP}__mypyc").__file__
        if shared != str(layer / f"{mypyc_build.GROUP}__mypyc{suffix}"):
            raise AssertionError(f"the shared library is {shared}, not beside the flashfusion package")
        compiled, compiled_time = timed_lint(cases_file)
        lines = gzip.decompress((repo / "tests/fixtures/lint-findings/reports.jsonl.gz").read_bytes()).decode()
        recorded = {row["id"]: row["report"] for row in map(json.loads, lines.splitlines())}
        unlike_recorded = [case for case, report in compiled.items() if recorded.get(case) != report]
        hide_compiled_linter(layer / "flashfusion" / "linting")
        still_compiled = {n: f for n, f in linter_files(names).items() if not f.endswith(".py")}
        if still_compiled:
            raise AssertionError(f"sources hidden by compiled modules: {still_compiled}")
        from_sources, sources_time = timed_lint(cases_file)
        unlike_sources = [case for case, report in compiled.items() if from_sources.get(case) != report]
        if unlike_recorded or unlike_sources or set(compiled) != set(from_sources):
            raise AssertionError(
                f"{len(unlike_recorded)} differ from the recorded reports ({unlike_recorded[:10]}), "
                f"{len(unlike_sources)} from the sources' ({unlike_sources[:10]})"
            )
        return (
            f"{len(names)} modules {suffix}; {len(compiled)} corpus cases linted compiled in {compiled_time} "
            f"and from the sources in {sources_time} (emulated: qemu translates each new piece of machine code "
            "once, so first passes mostly time that): the recorded reports, the same both ways"
        )

    return run


def main() -> int:
    if sys.argv[1] == "--export-cases":
        export_cases(Path(sys.argv[2]))
        return 0
    build, repo = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    cases_file = Path(sys.argv[3]).resolve() if len(sys.argv) > 3 else None
    missing = [name for name in LAYERS if not (build / name / "python").is_dir()]
    if missing:
        print(f"no {', '.join(missing)} under {build}: run `make sam-build` first", file=sys.stderr)
        return 2
    # Lambda extracts every layer into /opt, in the function's order; the common layer first
    sys.path[1:1] = [str(build / name / "python") for name in LAYERS]
    print(f"python {platform.python_version()} on {platform.machine()}", flush=True)
    if platform.machine() != "aarch64":
        print("not arm64: run through `make layer-smoke` (qemu-aarch64)", file=sys.stderr)
        return 2
    check("PyAV with the stubbed encoders", pyav)
    check("offline video, generated and linted", media_lint(repo, "video"))
    check("offline image, generated and linted", media_lint(repo, "image"))
    check("text lint (VADER, syllable tables)", lambda: text_lint(repo))
    check("kit term index (pyahocorasick)", term_automaton)
    check("C2PA signing and reading", lambda: signing(repo))
    if cases_file is None:  # the compiled linter's check needs the exported corpus
        FAILURES.append("compiled text linter")
        print("FAIL compiled text linter: no findings corpus given (the third argument; see --export-cases)")
    else:  # last: it swaps the compiled linter for its sources
        check("compiled text linter (mypyc, aarch64 cp313)", compiled_linter(build, repo, cases_file))
    print("arm64 smoke:", "passed" if not FAILURES else f"FAILED {FAILURES}")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
