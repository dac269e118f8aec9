"""Brand style transfer measured on 40 varied photographs (issue 17), printed per brand kit:
`python tests/bench/bench_brand_style.py` (about 3-5 minutes on two shared cores).

Photos: the colour and greyscale photographs scikit-image ships in its wheel (skimage.data: a portrait, a cat,
a product shot, a launch pad at night, deep space, microscopy, a retina, a motorcycle, a camera man, the moon,
coins, grass, gravel, brick), two close crops (a face, a cup), dark / bright / saturated / desaturated versions
of five of them, and four scenes drawn here with a skin-toned patch. Each is reduced to 480 px on its long side.

Kits: the sample kit (events/brand-kit.sample.json: teal, glacier, ember, slate) and a second, warm one written
here (red, cream, ink, gold), so the figures are not one palette's.

For each kit it prints: how many photos fail the kit's colour check before, and how many of those pass after;
the median change of the compliant share; SSIM of the luminance between source and result (median, 10th
percentile, minimum: the photo must still be the photo); the median CIEDE2000 change on skin pixels; and the
time per megapixel. The logo is not placed here (it would count in both colour and SSIM); the transfer's
strength is chosen as in production (the least step that passes).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
from PIL import Image
from skimage import data
from skimage.metrics import structural_similarity

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from flashfusion.imaging.brand_style import StyleOptions, brand_style, skin_weight  # noqa: E402
from flashfusion.linting.colors import ciede2000, lab_to_srgb, srgb_to_lab  # noqa: E402
from flashfusion.models import BrandKit  # noqa: E402
from tests.photos import scene  # noqa: E402

LONG_SIDE = 480
FACE = np.s_[120:260, 180:300]
SKIN_TONES = [(232, 190, 160), (198, 140, 110), (141, 85, 60), (224, 172, 140)]
"""Light to deep skin tones, one per drawn scene."""
WARM_KIT = {
    "kitId": "ember-ink",
    "version": 1,
    "name": "Ember & Ink",
    "palette": [
        {"name": "Signal Red", "hex": "#B22234", "role": "primary"},
        {"name": "Cream", "hex": "#F5E6C8", "role": "background"},
        {"name": "Ink", "hex": "#1B1B3A", "role": "text"},
        {"name": "Gold", "hex": "#E0A526", "role": "accent"},
    ],
}


def _rgb(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=2)
    image = image[..., :3]
    if image.dtype != np.uint8:
        image = np.clip(image * (255.0 if image.max() <= 1.0 else 1.0), 0, 255).astype(np.uint8)
    picture = Image.fromarray(np.ascontiguousarray(image))
    picture.thumbnail((LONG_SIDE, LONG_SIDE), Image.Resampling.LANCZOS)
    return np.asarray(picture.convert("RGB"))


def _in_lab(image: np.ndarray, change: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    lab = change(srgb_to_lab(image))
    return np.clip(np.rint(lab_to_srgb(lab)), 0, 255).astype(np.uint8)


def _scaled(l_factor: float, l_offset: float = 0.0, chroma: float = 1.0) -> Callable[[np.ndarray], np.ndarray]:
    def change(lab: np.ndarray) -> np.ndarray:
        out = lab.copy()
        out[..., 0] = np.clip(lab[..., 0] * l_factor + l_offset, 0, 100)
        out[..., 1:] *= chroma
        return out

    return change


VARIANTS = {
    "dark": _scaled(0.45),
    "bright": _scaled(0.55, 45.0),
    "saturated": _scaled(1.0, 0.0, 1.7),
    "desaturated": _scaled(1.0, 0.0, 0.3),
}


def photos() -> Iterator[tuple[str, np.ndarray]]:
    colour = {
        "astronaut (portrait)": data.astronaut(),
        "chelsea (cat)": data.chelsea(),
        "coffee (product)": data.coffee(),
        "rocket (launch pad, night)": data.rocket(),
        "hubble (deep space)": data.hubble_deep_field(),
        "immunohistochemistry": data.immunohistochemistry(),
        "retina": data.retina(),
        "motorcycle (product)": data.stereo_motorcycle()[0],
    }
    for name, image in colour.items():
        yield name, _rgb(image)
    yield "astronaut face (close-up)", _rgb(data.astronaut()[30:230, 120:300])
    yield "coffee cup (close-up)", _rgb(data.coffee()[0:300, 150:450])
    for name, load in (
        ("camera (grey)", data.camera),
        ("moon (grey)", data.moon),
        ("coins (grey)", data.coins),
        ("grass (grey)", data.grass),
        ("gravel (grey)", data.gravel),
        ("brick (grey)", data.brick),
    ):
        yield name, _rgb(load())
    for base in ("astronaut (portrait)", "coffee (product)", "rocket (launch pad, night)", "chelsea (cat)"):
        for variant, change in VARIANTS.items():
            yield f"{base} {variant}", _in_lab(_rgb(colour[base]), change)
    for variant, change in VARIANTS.items():
        yield f"motorcycle {variant}", _in_lab(_rgb(colour["motorcycle (product)"]), change)
    for seed in range(4):
        picture = scene(100 + seed, 360, 480)
        picture[FACE] = SKIN_TONES[seed]  # a face-sized skin-toned area
        yield f"drawn scene {seed} with skin", picture


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    grey_a = srgb_to_lab(a)[..., 0]
    grey_b = srgb_to_lab(b)[..., 0]
    return float(structural_similarity(grey_a, grey_b, data_range=100.0))


def measure(kit: BrandKit, images: list[tuple[str, np.ndarray]]) -> None:
    required = kit.colors.min_compliant_share
    rows = []
    skin_changes: list[float] = []
    face_changes: list[float] = []
    seconds = 0.0
    megapixels = 0.0
    for name, image in images:
        started = time.perf_counter()
        outcome = brand_style(image, kit, StyleOptions(place_logo=False))
        seconds += time.perf_counter() - started
        megapixels += image.shape[0] * image.shape[1] / 1e6
        result = np.asarray(outcome.image)
        lab_src = srgb_to_lab(image).reshape(-1, 3)
        skin = skin_weight(lab_src) > 0.5
        if skin.mean() > 0.01:
            change = ciede2000(lab_src[skin], srgb_to_lab(result).reshape(-1, 3)[skin])
            skin_changes.append(float(np.median(change)))
        rows.append((name, outcome.share_before, outcome.share_after, ssim(image, result), outcome.strength))
        if name.startswith("drawn scene"):
            face = ciede2000(srgb_to_lab(image[FACE]).reshape(-1, 3), srgb_to_lab(result[FACE]).reshape(-1, 3))
            face_changes.append(float(np.median(face)))
    print(f"\n== kit {kit.kit_id} ({len(kit.palette)} colours, min compliant share {required:.0%}) ==")
    print(f"{'photo':34s} {'before':>7s} {'after':>7s} {'SSIM':>6s} {'strength':>8s}")
    for name, before, after, similarity, strength in rows:
        print(f"{name:34s} {before:7.1%} {after:7.1%} {similarity:6.3f} {strength:8.2f}")
    failing = [r for r in rows if r[1] < required]
    fixed = [r for r in failing if r[2] >= required]
    similarities = sorted(r[3] for r in rows)
    print(f"photos: {len(rows)}")
    print(f"fail the colour check before: {len(failing)} ({len(failing) / len(rows):.0%})")
    print(f"of those, pass after: {len(fixed)} ({len(fixed) / max(len(failing), 1):.0%})")
    print(f"pass after, all photos: {sum(r[2] >= required for r in rows)} of {len(rows)}")
    print(f"median change of compliant share: {statistics.median(r[2] - r[1] for r in rows):+.1%}")
    print(
        f"SSIM (L*, source vs result): median {statistics.median(similarities):.3f}, "
        f"10th percentile {similarities[len(similarities) // 10]:.3f}, min {similarities[0]:.3f}"
    )
    if skin_changes:
        print(
            f"skin-toned pixels (in {len(skin_changes)} photos; also fur, wood, sand): median CIEDE2000 change "
            f"{statistics.median(skin_changes):.1f}"
        )
    print(
        "known skin areas (drawn scenes, light to deep): median CIEDE2000 change "
        + ", ".join(f"{change:.1f}" for change in face_changes)
    )
    print(f"time: {1000 * seconds / megapixels:.0f} ms per megapixel ({seconds:.0f} s in all)")


def main() -> None:
    images = list(photos())
    sample = BrandKit.model_validate(json.loads((ROOT / "events" / "brand-kit.sample.json").read_text("utf-8")))
    for kit in (sample, BrandKit.model_validate(WARM_KIT)):
        measure(kit, images)
        sys.stdout.flush()


if __name__ == "__main__":
    main()
