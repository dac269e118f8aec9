"""Logo search time on a 1024x1024 image, printed, never asserted: `python tests/bench/bench_logo.py`.

Found case: the sample logo at 12 % of the width in the bottom-right of a photo-like scene.
Not-found case: the same scene without the logo (the search cannot stop early, so it is the slower one).
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from flashfusion.linting.logo import find_logo

ROOT = Path(__file__).resolve().parents[2]
RUNS = int(os.environ.get("BENCH_LOGO_RUNS", "7"))
SIZE = 1024


def scene(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = np.linspace(0, 1, SIZE)[None, :]
    y = np.linspace(0, 1, SIZE)[:, None]
    base = np.stack([x * 200 + 30 + 0 * y, y * 180 + 40 + 0 * x, (1 - x) * 150 + 60 + 0 * y], axis=2)
    im = Image.fromarray(base.astype(np.uint8))
    draw = ImageDraw.Draw(im)
    for _ in range(40):
        px, py, r = int(rng.integers(0, SIZE)), int(rng.integers(0, SIZE)), int(rng.integers(10, SIZE // 6))
        draw.ellipse([px, py, px + r, py + r], fill=tuple(int(v) for v in rng.integers(0, 256, 3)))
    return np.clip(np.asarray(im).astype(np.float32) + rng.normal(0, 8, (SIZE, SIZE, 3)), 0, 255).astype(np.uint8)


def timed(image: np.ndarray, logo: np.ndarray) -> tuple[float, bool]:
    runs = []
    found = False
    for _ in range(RUNS):
        start = time.perf_counter()
        found = find_logo(image, logo) is not None
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), found


def main() -> None:
    logo = np.asarray(Image.open(ROOT / "events" / "brand" / "aurora-logo.png").convert("RGBA"))
    background = scene()
    width = round(0.12 * SIZE)
    sized = Image.fromarray(logo).resize(
        (width, round(width * logo.shape[0] / logo.shape[1])), Image.Resampling.LANCZOS
    )
    with_logo = Image.fromarray(background).convert("RGBA")
    with_logo.alpha_composite(sized, (SIZE - width - 40, SIZE - sized.height - 40))
    find_logo(background, logo)  # warm-up: imports, allocator
    for name, image in (("found", np.asarray(with_logo.convert("RGB"))), ("not found", background)):
        median, found = timed(image, logo)
        print(f"logo search {SIZE}x{SIZE} {name:9s}: median {median * 1000:7.1f} ms over {RUNS} runs (found={found})")


if __name__ == "__main__":
    main()
