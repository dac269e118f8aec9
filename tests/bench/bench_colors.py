"""Palette check figures, printed, never asserted: `python tests/bench/bench_colors.py`.

One 1024 x 1024 photo-like PNG (gradients, shapes in brand and off-brand colours, sensor noise) in a
temp file. Medians over several runs of:

1. Pillow decoding the PNG to an RGB array (what the lint step pays before any check);
2. ``check_colors`` on the decoded array (decode excluded);
3. colorthief ``get_palette(color_count=5, quality=10)`` on the same file, the usual off-the-shelf
   "dominant colours" baseline (``pip install colorthief==0.2.1``; skipped, with a message, without it).

Targets: the check under half the decode time, and at least 10x faster than colorthief.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from flashfusion.linting.colors import check_colors
from flashfusion.models import BrandKit

RUNS = int(os.environ.get("BENCH_COLOR_RUNS", "15"))
SIZE = 1024
KIT = BrandKit.model_validate(
    {
        "kitId": "bench",
        "name": "Bench Kit",
        "palette": [
            {"name": "Ocean", "hex": "#1E88E5"},
            {"name": "Sunset", "hex": "#FB8C00"},
            {"name": "Navy", "hex": "#0D2B4E", "role": "text"},
            {"name": "Sky", "hex": "#BBDEFB", "role": "background"},
            {"name": "Sand", "hex": "#F5E6CC", "role": "secondary"},
        ],
    }
)


def photo_like(path: Path) -> None:
    rng = np.random.default_rng(7)
    y, x = np.mgrid[0:SIZE, 0:SIZE] / SIZE
    sky = np.stack([40 + 180 * x, 80 + 120 * y, 200 - 150 * x * y], axis=2)
    img = Image.fromarray(np.clip(sky, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(img)
    draw.ellipse((200, 200, 600, 600), fill=(251, 140, 0))
    draw.rectangle((600, 100, 900, 400), fill=(30, 136, 229))
    draw.polygon([(100, 900), (500, 700), (800, 1000)], fill=(240, 240, 240))
    draw.ellipse((700, 650, 950, 900), fill=(67, 160, 71))
    noisy = np.asarray(img).astype(np.float64) + rng.normal(0.0, 6.0, (SIZE, SIZE, 3))
    Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)).save(path)


def median_ms(fn: Callable[[], Any], runs: int = RUNS) -> float:
    fn()  # warm-up: imports, caches, first-touch allocations
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000.0


def decode(path: Path) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "photo-like.png"
        photo_like(path)
        print(f"image: {SIZE}x{SIZE} PNG, {path.stat().st_size / 1e6:.2f} MB, {RUNS} runs, medians")
        decode_ms = median_ms(lambda: decode(path))
        pixels = decode(path)
        check_ms = median_ms(lambda: check_colors(pixels, KIT))
        result = check_colors(pixels, KIT)
        print(f"Pillow PNG decode          {decode_ms:8.2f} ms")
        print(
            f"check_colors               {check_ms:8.2f} ms   "
            f"(share {result.metrics['colors.compliantShare']:.3f}, {result.metrics['colors.clusters']:.0f} clusters, "
            f"{len(result.violations)} violation(s))"
        )
        print(f"  check / decode           {check_ms / decode_ms:8.2f}     (target < 0.5)")
        try:
            from colorthief import ColorThief  # type: ignore[import-not-found, unused-ignore]
        except ImportError:
            print("colorthief                 skipped: not installed (pip install colorthief==0.2.1)")
            return
        thief_ms = median_ms(
            lambda: ColorThief(str(path)).get_palette(color_count=5, quality=10), runs=max(3, RUNS // 3)
        )
        print(f"colorthief get_palette     {thief_ms:8.2f} ms   (color_count=5, quality=10, includes its own decode)")
        print(f"  colorthief / check       {thief_ms / check_ms:8.1f}x    (target >= 10x)")


if __name__ == "__main__":
    main()
