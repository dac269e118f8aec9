"""Photo-like test images made here (no files, no downloads): a sky gradient, a textured ground, soft coloured
objects, sensor noise; optionally a skin-toned face-sized patch. Used by the brand style tests and bench."""

from __future__ import annotations

import io

import numpy as np


def scene(seed: int, height: int = 240, width: int = 320) -> np.ndarray:
    """An (H, W, 3) uint8 outdoor-like scene, different for each seed."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    sky = np.stack([90 + 0.3 * y * 240 / height, 140 + 0.35 * y * 240 / height, 230 - 0.1 * y], axis=-1)
    ground = np.stack([70 + 40 * np.sin(x / 9) ** 2, 110 + 30 * np.cos(y / 7), 40 + 0 * x], axis=-1)
    image = np.where((y > height * 0.55)[..., None], ground, sky)
    for _ in range(4):
        cy, cx, r = rng.uniform(0, height), rng.uniform(0, width), rng.uniform(0.06, 0.2) * width
        colour = rng.uniform(30, 240, size=3)
        blob = np.exp(-((y - cy) ** 2 + (x - cx) ** 2) / (2 * r * r))[..., None]
        image = image * (1 - blob) + colour * blob
    image += rng.normal(0, 6, size=image.shape)
    return np.clip(image, 0, 255).astype(np.uint8)


def encoded(pixels: np.ndarray, fmt: str = "JPEG") -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format=fmt)
    return out.getvalue()
