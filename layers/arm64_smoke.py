"""Run the built layers on arm64, as Lambda does: `make layer-smoke` (after `make sam-build`).

The layers are built for arm64 on an x86_64 machine (layers/Makefile), and lean_layer.py replaces two of
PyAV's codec libraries with stubs assembled by GNU binutils for aarch64. Nothing in `make test` loads an arm64
library, so this script is run by an arm64 CPython 3.13 under qemu-user, with the layers on its path in
Lambda's order, and drives the product's own code through what each layer carries:

- PyAV: FFmpeg loads with the stubs; H.264 encodes and decodes; the stubbed encoders refuse to open.
- the offline video and image generators (numpy, Pillow, PyAV), and the linter on their output and on a text
  (VADER from the text layer, the precomputed syllable and hyphenation tables);
- the kit term index's Aho-Corasick automaton (pyahocorasick's compiled wheel, common layer);
- C2PA: an image signed and its credentials read back (c2pa-python's native library, cryptography).

Each line printed is a check; any failure exits non-zero. Usage (the Makefile passes these):
``qemu-aarch64 -L ROOT ROOT/usr/bin/python3.13 layers/arm64_smoke.py BUILD_DIR REPO_DIR``.
"""

from __future__ import annotations

import io
import json
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

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


def main() -> int:
    build, repo = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
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
    print("arm64 smoke:", "passed" if not FAILURES else f"FAILED {FAILURES}")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
