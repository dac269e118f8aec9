"""The performance targets of issue 16, each figure printed beside its target, written to
``out/bench/targets.json``: `make bench` (printed and recorded, never asserted).

Where a figure depends on the machine, a floor is measured in the same run, interleaved with the figure
(A B A B ...), and the ratio is taken pair by pair, so a comparison holds while a shared machine's speed
drifts. Whole-process figures come from the operating system's accounting of each finished child (wall,
user + system CPU); quote medians, and the load average printed with them.

- ``ffo lint`` of a short text, and of a 2048x2048 PNG with a colour-only kit (floor: a bare interpreter).
- text lint throughput, warm, one process (floor: one pass of lower() + split() over the same posts).
- router decision p99 over 20,000 requests (floor: the same timer around an empty call).
- ``ffo run`` of the text, image, video and music events (floor: a bare interpreter).
- each handler's import in a fresh interpreter (floor: boto3 + one client + Powertools Logger, Tracer and
  Metrics, the issue's floor).
- sizes from ``.aws-sam/build`` when ``make sam-build`` has run: each function's code with its layers,
  unzipped, and each layer zipped.

Environment: BENCH_PROCESS_RUNS (default 5), BENCH_IMPORT_RUNS (7), BENCH_ROUNDS (5), BENCH_ONLY (a comma list
of figure groups: lint, throughput, router, run, imports, sizes).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "out" / "bench"
PYTHON = sys.executable
FFO = str(Path(sys.executable).with_name("ffo"))
PROCESS_RUNS = int(os.environ.get("BENCH_PROCESS_RUNS", "5"))
IMPORT_RUNS = int(os.environ.get("BENCH_IMPORT_RUNS", "7"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
ONLY = {g for g in os.environ.get("BENCH_ONLY", "").split(",") if g}
MB = 1_000_000


@dataclass
class Figure:
    name: str
    figure: float | None
    unit: str
    target: str
    met: bool | None
    floor: float | None = None
    ratio: float | None = None
    detail: str = ""


FIGURES: list[Figure] = []


def record(figure: Figure) -> None:
    FIGURES.append(figure)
    value = "n/a" if figure.figure is None else f"{figure.figure:,.3f} {figure.unit}"
    verdict = {True: "met", False: "NOT met", None: "-"}[figure.met]
    floor = "" if figure.floor is None else f"  floor {figure.floor:,.3f}"
    ratio = "" if figure.ratio is None else f"  ratio {figure.ratio:.2f}"
    print(f"  {figure.name:<44} {value:>16}   target {figure.target:<16} {verdict:<8}{floor}{ratio}")
    if figure.detail:
        print(f"      {figure.detail}")


# --- whole processes ---------------------------------------------------------------------------------


@dataclass
class Run:
    wall: float
    cpu: float


def run_once(command: list[str], env: dict[str, str] | None = None) -> Run:
    """Wall and CPU (user + system, from wait4) of one finished child."""
    started = time.perf_counter()
    process = subprocess.Popen(  # the bench's own fixed commands
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):  # ffo lint exits 1 for "not compliant"
        raise RuntimeError(f"{' '.join(command)} exited {process.returncode}")
    return Run(wall, usage.ru_utime + usage.ru_stime)


def paired(command: list[str], floor: list[str], runs: int, env: dict[str, str] | None = None) -> dict[str, float]:
    """Median wall and CPU of ``command`` and of ``floor``, run in turn after one warm-up each, and the
    median of the pair-by-pair wall ratios."""
    run_once(command, env)
    run_once(floor, env)
    mine: list[Run] = []
    base: list[Run] = []
    for _ in range(runs):
        mine.append(run_once(command, env))
        base.append(run_once(floor, env))
    return {
        "wall": statistics.median(r.wall for r in mine),
        "cpu": statistics.median(r.cpu for r in mine),
        "floor_wall": statistics.median(r.wall for r in base),
        "ratio": statistics.median(a.wall / b.wall for a, b in zip(mine, base, strict=True)),
        "max_wall": max(r.wall for r in mine),
    }


BARE = [PYTHON, "-c", "pass"]


def bench_lint(work: Path) -> None:
    text = work / "short.txt"
    text.write_text("We built the trail jacket for long days on the trail. See you out there.\n", "utf-8")
    kit = json.loads((ROOT / "events" / "brand-kit.sample.json").read_text("utf-8"))
    colour_kit = work / "colour-kit.json"
    colour_kit.write_text(json.dumps({k: kit[k] for k in ("kitId", "version", "name", "palette", "colors")}))
    png = work / "scene-2048.png"
    png.write_bytes(scene_png(2048))
    sample = str(ROOT / "events" / "brand-kit.sample.json")
    for name, command, limit in (
        ("ffo lint short text, whole process", [FFO, "lint", str(text), "--brand-kit", sample], 0.5),
        ("ffo lint 2048² PNG, colour-only kit", [FFO, "lint", str(png), "--brand-kit", str(colour_kit)], 1.5),
    ):
        got = paired(command, BARE, PROCESS_RUNS)
        record(
            Figure(
                name,
                got["wall"],
                "s",
                f"<= {limit} s",
                got["wall"] <= limit,
                got["floor_wall"],
                got["ratio"],
                f"cpu {got['cpu']:.3f} s, worst wall {got['max_wall']:.3f} s; floor: a bare interpreter",
            )
        )


def bench_lint_in_a_temporary_folder() -> None:
    with tempfile.TemporaryDirectory(prefix="ffo-bench-") as work:
        bench_lint(Path(work))


def scene_png(side: int) -> bytes:
    """A photo-like brand scene: the kit's colours in blocks, with noise so the encoder cannot shortcut."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(7)
    pixels = np.empty((side, side, 3), dtype=np.uint8)
    pixels[:] = (15, 110, 110)
    pixels[side // 8 : side // 2, side // 8 : side // 2] = (242, 140, 40)
    pixels[side // 2 :, : side // 3] = (232, 241, 242)
    noise = rng.integers(-3, 4, size=pixels.shape)
    pixels = np.clip(pixels.astype(np.int16) + noise, 0, 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG")
    return out.getvalue()


def bench_runs() -> None:
    env = {**os.environ}
    for event, limit in (
        ("text-compliant.json", 3.0),
        ("image-post.json", 4.0),
        ("video-reel.json", 4.0),
        ("music-jingle.json", 4.0),
    ):
        with tempfile.TemporaryDirectory(prefix="ffo-bench-") as out:
            got = paired([FFO, "run", f"events/{event}", "--out", out], BARE, max(3, PROCESS_RUNS - 2), env)
        record(
            Figure(
                f"ffo run {event}",
                got["wall"],
                "s",
                f"<= {limit} s",
                got["wall"] <= limit,
                got["floor_wall"],
                got["ratio"],
                f"cpu {got['cpu']:.3f} s, worst wall {got['max_wall']:.3f} s; floor: a bare interpreter",
            )
        )


# --- in-process ---------------------------------------------------------------------------------------


LINTER: dict[str, str] = {}
"""How the text linter ran (``bench_text_lint.linter_build``), for the JSON."""


def bench_throughput() -> None:
    from flashfusion.linting import voice
    from flashfusion.models import BrandKit
    from tests.bench.bench_text_lint import dictionary_words, linter_build, make_posts, make_unseen_posts

    kit = BrandKit.model_validate(json.loads((ROOT / "events" / "brand-kit.sample.json").read_text("utf-8")))
    started = time.perf_counter()
    voice.warm_up()
    load = time.perf_counter() - started
    lint_throughput("text lint, warm, one core", lambda seed: make_posts(seed, 1000), kit, load)
    words = dictionary_words()
    lint_throughput("text lint, unseen vocabulary", lambda seed: make_unseen_posts(seed, 1000, words), kit, load)
    LINTER["build"] = linter_build()
    print(f"text lint: the linter ran {LINTER['build']}")


def lint_throughput(name: str, make: Callable[[int], list[str]], kit: Any, load: float) -> None:
    """Fresh posts each round (``make(seed)``: no per-text cache is hit twice) through the whole text lint."""
    from flashfusion.linting.engine import LintContext, lint_text

    context = LintContext(kit=kit)
    for post in make(999)[:200]:  # warm: per-kit and per-word caches, as a warm Lambda has them
        lint_text(post, context)
    rates: list[float] = []
    cpu_rates: list[float] = []
    floors: list[float] = []
    for round_no in range(ROUNDS):
        posts = make(1000 + round_no)
        started, cpu_started = time.perf_counter(), time.process_time()
        for post in posts:
            lint_text(post, context)
        rates.append(len(posts) / (time.perf_counter() - started))
        cpu_rates.append(len(posts) / (time.process_time() - cpu_started))
        started = time.perf_counter()
        for post in posts:
            post.lower().split()
        floors.append(len(posts) / (time.perf_counter() - started))
    rate = statistics.median(rates)
    floor = statistics.median(floors)
    record(
        Figure(
            name,
            rate,
            "posts/s",
            ">= 10,000/s",
            rate >= 10_000,
            floor,
            rate / floor,
            f"worst round {min(rates):,.0f}/s; per CPU-second {statistics.median(cpu_rates):,.0f}/s (what a busy "
            f"machine's wall figure hides); one-time analyzer load {load * 1000:.0f} ms; "
            f"floor: posts/s of lower()+split() alone",
        )
    )


def bench_router() -> None:
    from flashfusion.errors import BudgetExceeded, NoModelAvailable
    from flashfusion.routing import router
    from flashfusion.routing.matrix import load_matrix_file
    from tests.bench.bench_routing import percentile, router_queries

    matrix = load_matrix_file()
    queries = router_queries(20_000)

    def empty(matrix: Any, query: Any) -> None:
        return None

    def timed(decide: Callable[[Any, Any], Any]) -> list[float]:
        samples = []
        for query in queries:
            started = time.perf_counter_ns()
            with contextlib.suppress(BudgetExceeded, NoModelAvailable):  # refusals are decisions too
                decide(matrix, query)
            samples.append((time.perf_counter_ns() - started) / 1000)
        return samples

    samples = timed(router.route)
    floor = timed(empty)
    p99 = percentile(samples, 0.99)
    record(
        Figure(
            "router decision p99, 20,000 requests",
            p99,
            "us",
            "< 50 us",
            p99 < 50,
            percentile(floor, 0.99),
            None,
            f"median {statistics.median(samples):.1f} us; floor: p99 of the same timer around an empty call",
        )
    )


# --- handler imports ----------------------------------------------------------------------------------

_IMPORT_PROBE = """
import importlib.util, sys, time
started = time.perf_counter()
spec = importlib.util.spec_from_file_location("handler_under_test", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
print(time.perf_counter() - started)
"""

_FLOOR_PROBE = """
import time
started = time.perf_counter()
import boto3
boto3.client("s3")
from aws_lambda_powertools import Logger, Metrics, Tracer
Logger(service="flashfusion"); Tracer(service="flashfusion"); Metrics(namespace="FlashFusion", service="flashfusion")
print(time.perf_counter() - started)
"""

LAMBDA_ENV = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "TABLE_NAME": "bench",
    "ASSETS_BUCKET": "bench",
    "POWERTOOLS_SERVICE_NAME": "flashfusion",
    "POWERTOOLS_METRICS_NAMESPACE": "FlashFusion",
}


def probe(code: str, *args: str) -> float:
    env = {**os.environ, **LAMBDA_ENV}
    out = subprocess.run(  # the bench's own fixed probe
        [PYTHON, "-c", code, *args], env=env, capture_output=True, text=True, check=True, cwd=ROOT
    )
    return float(out.stdout.strip().splitlines()[-1])


def bench_imports() -> None:
    for app in sorted((ROOT / "functions").glob("*/app.py")):
        mine: list[float] = []
        base: list[float] = []
        for _ in range(IMPORT_RUNS):
            mine.append(probe(_IMPORT_PROBE, str(app)))
            base.append(probe(_FLOOR_PROBE))
        ratio = statistics.median(a / b for a, b in zip(mine, base, strict=True))
        record(
            Figure(
                f"handler import: {app.parent.name}",
                statistics.median(mine) * 1000,
                "ms",
                "<= 1.1x floor",
                ratio <= 1.1,
                statistics.median(base) * 1000,
                ratio,
            )
        )


# --- sizes ----------------------------------------------------------------------------------------------


def tree_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def zipped_bytes(path: Path) -> int:
    """The size of ``path`` zipped as sam deploy zips it (deflate), without keeping the archive."""
    with tempfile.TemporaryFile() as raw:
        with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
            for f in sorted(path.rglob("*")):
                if f.is_file():
                    archive.write(f, f.relative_to(path))
        return raw.tell()


def bench_sizes() -> None:
    from ffo.cfn import load_template

    build = ROOT / ".aws-sam" / "build"
    if not build.is_dir():
        record(Figure("sizes", None, "MB", "run make sam-build", None, detail="no .aws-sam/build here"))
        return
    resources = load_template(ROOT / "template.yaml")["Resources"]
    layers: dict[str, int] = {}
    for logical_id, resource in resources.items():
        if resource["Type"] == "AWS::Serverless::LayerVersion" and (build / logical_id).is_dir():
            layers[logical_id] = tree_bytes(build / logical_id)
            zipped = zipped_bytes(build / logical_id) / MB
            record(Figure(f"layer zipped: {logical_id}", zipped, "MB", "<= 40 MB", zipped <= 40))
    template = load_template(ROOT / "template.yaml")
    globals_layers = template.get("Globals", {}).get("Function", {}).get("Layers", [])
    for logical_id, resource in resources.items():
        if resource["Type"] != "AWS::Serverless::Function" or not (build / logical_id).is_dir():
            continue
        refs = [*globals_layers, *resource.get("Properties", {}).get("Layers", [])]
        names = [r["Ref"] for r in refs if isinstance(r, dict) and "Ref" in r]
        total = (tree_bytes(build / logical_id) + sum(layers.get(n, 0) for n in names)) / MB
        record(
            Figure(
                f"function + layers unzipped: {logical_id}",
                total,
                "MB",
                "<= 150 MB",
                total <= 150,
                detail=", ".join(names),
            )
        )


# --- main -------------------------------------------------------------------------------------------


def main() -> None:
    load = os.getloadavg()
    print(f"issue 16 targets (load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, {os.cpu_count()} cores)")
    print(f"python: {sys.executable} -> {os.path.realpath(sys.executable)}, {platform.python_version()}")
    groups: dict[str, Callable[[], None]] = {
        "lint": bench_lint_in_a_temporary_folder,
        "throughput": bench_throughput,
        "router": bench_router,
        "run": bench_runs,
        "imports": bench_imports,
        "sizes": bench_sizes,
    }
    for name, bench in groups.items():
        if not ONLY or name in ONLY:
            bench()
    OUT.mkdir(parents=True, exist_ok=True)
    result = {
        "load_average": {"at_start": load, "at_end": os.getloadavg()},
        "cpus": os.cpu_count(),
        "python": {"executable": os.path.realpath(sys.executable), "version": platform.python_version()},
        "text_linter": LINTER.get("build", "not loaded"),
        "figures": [asdict(f) for f in FIGURES],
    }
    path = OUT / "targets.json"
    if ONLY:
        path = OUT / f"targets-{'-'.join(sorted(ONLY))}.json"
    path.write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    print(f"written to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
