"""Palette compliance: how much of an image is painted in the brand's colours (rule ``colors.palette``).

Pure numpy, no I/O. The image is area-averaged down to a fixed pixel budget (so a 4K render and its
thumbnail are judged on the same grid), converted to CIELAB (sRGB, D65), and every downsampled pixel is
compared with every brand colour by CIEDE2000 (Sharma, Wu & Dalal 2005). Counting by pixel share rather
than by clusters matters: a smooth gradient falls into many clusters, and CIEDE2000 and RGB distance
disagree on pale blues and oranges (measured: see the colour tests).

Compliance = brand share + min(neutral share, ``kit.colors.max_neutral_share``):

- brand share: the pixel mass within ``kit.colors.tolerance`` of some brand colour;
- neutral share (when the kit allows neutrals): every other pixel counts by how neutral it is, a weight
  from 0 to 1 (``neutrality``): 1 at or below the kit's first ``neutral_chroma`` (default 4), 0 at or
  above the second (default 12), linear in between; near-black (L* 3 to 8) and near-white (L* 95 to 99)
  ramp the same way whatever their chroma. A soft weight, not a cut: a JPEG or WebP re-encode that
  nudges a pale tint's chroma by dC moves the score by at most (its share) x dC / 8 by default, where
  a hard cut at chroma 8 moved it by the tint's whole share (a light lavender: 0.17, two verdicts);
- the cap: neutrals count for at most ``max_neutral_share`` of the image (default 0.5), so a mostly
  near-black or grey photograph no longer passes every kit (it scored ~0.97 before the cap).

k-means in Lab is only used to *name* the off-brand colours in the report (and to warn about a single
large off-brand colour); it never decides compliance. A named colour is one of the off-brand pixels
themselves (the one nearest its group's mean), never the group's mean: a mean of off-brand pixels around
a brand colour can fall inside the tolerance, and "recolour towards" it would point at a passing colour.

Needs numpy, which ships in the media layer, not the common one: import this module only in functions
that load the media layer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from flashfusion.brandkit import ColorRules
from flashfusion.linting.base import CheckResult
from flashfusion.models import BrandKit, ImageBox, NotChecked, Violation

RULE = "colors.palette"

# About 64 x 64 downsampled pixels: each one is 0.025% of the image, far finer than any share the kit
# sets, and few enough that per-pixel CIEDE2000 against the palette stays in a few milliseconds (on
# a Lambda-sized CPU one CIEDE2000 costs ~0.15 us per pair; 128 x 128 x 5 colours took ~15 ms).
PIXEL_BUDGET = 64 * 64
CLUSTERS = 8
KMEANS_ITERATIONS = 10
KMEANS_FIT_POINTS = 1024
KMEANS_SEED = 20050101  # fixed: the same image must always get the same report
# Neutrals by lightness (the chroma band is the kit's, ColorRules.neutral_chroma): near-black and
# near-white read as black / white even when a JPEG or a gradient leaves a tint. (fully neutral, not
# neutral) L* pairs, linear between; their midpoints are the hard cuts used before (5 and 97).
NEUTRAL_DARK_L = (3.0, 8.0)
NEUTRAL_LIGHT_L = (99.0, 95.0)
# A pixel at least this neutral belongs to a neutral area: it is never named as an off-brand colour.
NAMED_NEUTRALITY_LIMIT = 0.5
# Off-brand pixels tried first, per group, as the colour that names it (nearest the group's mean first).
NAME_CANDIDATES = 8
# One off-brand colour covering more than this share is worth a warning even when the image passes.
OFF_BRAND_WARNING_SHARE = 0.15
# How many off-brand colours a message lists; the rest are summarised.
MESSAGE_COLOURS = 5

FloatArray = npt.NDArray[np.float64]

# sRGB (IEC 61966-2-1) linear RGB -> XYZ, D65. The white point is the row sums, so that #FFFFFF maps to
# exactly L*=100, a*=b*=0 instead of being off by rounding of the published white.
_RGB_TO_XYZ = np.array(
    [
        [0.4124564, 0.3575761, 0.1804375],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339, 0.1191920, 0.9503041],
    ]
)
_WHITE = _RGB_TO_XYZ.sum(axis=1)
_XYZ_TO_RGB = np.linalg.inv(_RGB_TO_XYZ)
_POW25_7 = 25.0**7
_COS30, _SIN30 = math.cos(math.radians(30)), math.sin(math.radians(30))
_COS6, _SIN6 = math.cos(math.radians(6)), math.sin(math.radians(6))
_COS63, _SIN63 = math.cos(math.radians(63)), math.sin(math.radians(63))
_COS275, _SIN275 = math.cos(math.radians(275)), math.sin(math.radians(275))


def srgb_to_lab(rgb: npt.ArrayLike) -> FloatArray:
    """sRGB in 0..255 (any shape ending in 3, float or int) -> CIELAB (D65), same shape."""
    c = np.asarray(rgb, dtype=np.float64) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    xyz = linear @ _RGB_TO_XYZ.T / _WHITE
    delta = 6.0 / 29.0
    f = np.where(xyz > delta**3, np.cbrt(xyz), xyz / (3 * delta * delta) + 4.0 / 29.0)
    lab = np.empty_like(f)
    lab[..., 0] = 116.0 * f[..., 1] - 16.0
    lab[..., 1] = 500.0 * (f[..., 0] - f[..., 1])
    lab[..., 2] = 200.0 * (f[..., 1] - f[..., 2])
    return lab


def lab_to_srgb(lab: npt.ArrayLike) -> FloatArray:
    """CIELAB (D65, any shape ending in 3) -> sRGB in 0..255 as floats, the inverse of ``srgb_to_lab``.

    Colours outside the sRGB gamut come back outside 0..255: the caller clips (or maps) them."""
    lab = np.asarray(lab, dtype=np.float64)
    fy = (lab[..., 0] + 16.0) / 116.0
    f = np.stack([fy + lab[..., 1] / 500.0, fy, fy - lab[..., 2] / 200.0], axis=-1)
    delta = 6.0 / 29.0
    xyz = np.where(f > delta, f**3, 3 * delta * delta * (f - 4.0 / 29.0)) * _WHITE
    linear = xyz @ _XYZ_TO_RGB.T
    c = np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * np.power(np.maximum(linear, 0.0031308), 1 / 2.4) - 0.055)
    rgb: FloatArray = c * 255.0
    return rgb


def ciede2000(lab1: npt.ArrayLike, lab2: npt.ArrayLike) -> FloatArray:
    """CIEDE2000 colour difference (kL = kC = kH = 1), broadcasting over the leading axes.

    Sharma, Wu & Dalal, "The CIEDE2000 color-difference formula: implementation notes, supplementary
    test data, and mathematical observations" (2005), equations 2-15, rearranged for speed: it runs
    per pixel against every brand colour, and trigonometry is the cost (one arctan2 of 32k values
    takes over a millisecond on a Lambda-sized CPU). The rearrangements are exact identities:

    - the mean hue h' is the direction of the bisector u1 + u2 of the two unit hue vectors, which is
      what the paper's case analysis (including the 0/360 wrap) computes; a zero chroma has a zero
      vector, so the mean is the other hue, as the paper prescribes; opposite hues (no bisector)
      take the paper's choice, the smaller hue + 90 degrees;
    - dH' = 2 sqrt(C1'C2') sin(dh'/2) has |dH'|^2 = |da', db|^2 - dC'^2, with the sign of sin(dh'/2),
      i.e. of the cross product of the two hue vectors;
    - T's cosines of multiples of h' come from cos h', sin h' by the multiple-angle formulas.

    The rotation term's hue weight exp(-((h'-275)/25)^2) is only evaluated where h' is within 90
    degrees of 275 (blue); elsewhere it is below 3e-6 and changes dE00 by under one part in 10^5.
    """
    a = np.asarray(lab1, dtype=np.float64)
    b = np.asarray(lab2, dtype=np.float64)
    shape = np.broadcast_shapes(a.shape[:-1], b.shape[:-1])
    a, b = np.atleast_2d(a), np.atleast_2d(b)  # so that boolean masks below index arrays, not scalars
    # Contiguous channel planes: numpy's inner loops are several times slower on stride-3 views.
    l1, a1, b1 = (np.ascontiguousarray(a[..., i]) for i in range(3))
    l2, a2, b2 = (np.ascontiguousarray(b[..., i]) for i in range(3))

    c_bar = (np.sqrt(a1 * a1 + b1 * b1) + np.sqrt(a2 * a2 + b2 * b2)) * 0.5
    c_bar7 = _pow7(c_bar)
    g = 0.5 * (1.0 - np.sqrt(c_bar7 / (c_bar7 + _POW25_7)))
    a1p = (1.0 + g) * a1
    a2p = (1.0 + g) * a2
    c1p = np.sqrt(a1p * a1p + b1 * b1)
    c2p = np.sqrt(a2p * a2p + b2 * b2)

    d_l = l2 - l1
    d_c = c2p - c1p
    da = a2p - a1p
    db = b2 - b1
    cross = a1p * b2 - b1 * a2p
    d_h = np.copysign(np.sqrt(np.maximum(da * da + db * db - d_c * d_c, 0.0)), cross)

    # Unit hue vectors (zero when the chroma is zero) and the mean hue's direction (x, y).
    with np.errstate(invalid="ignore", divide="ignore"):
        inv1 = np.where(c1p > 0, 1.0 / c1p, 0.0)
        inv2 = np.where(c2p > 0, 1.0 / c2p, 0.0)
    u1x, u1y = a1p * inv1, b1 * inv1
    u2x, u2y = a2p * inv2, b2 * inv2
    sx, sy = u1x + u2x, u1y + u2y
    norm = np.sqrt(sx * sx + sy * sy)
    both = (c1p > 0) & (c2p > 0)
    opposite = both & (norm < 1e-12)
    if np.any(opposite):
        # Exactly opposite hues: the paper averages to the smaller hue + 90 degrees.
        h1 = np.arctan2(u1y, u1x) % (2 * np.pi)
        h2 = np.arctan2(u2y, u2x) % (2 * np.pi)
        first = h1 < h2
        rx = np.where(first, -u1y, -u2y)
        ry = np.where(first, u1x, u2x)
        sx, sy = np.where(opposite, rx, sx), np.where(opposite, ry, sy)
        norm = np.where(opposite, 1.0, norm)
    none = norm == 0.0  # both chromas zero: the paper's mean hue is 0 degrees
    with np.errstate(invalid="ignore", divide="ignore"):
        x = np.where(none, 1.0, sx / np.where(none, 1.0, norm))
        y = np.where(none, 0.0, sy / np.where(none, 1.0, norm))

    cos2, sin2 = x * x - y * y, 2.0 * x * y
    cos3, sin3 = x * (4.0 * x * x - 3.0), y * (3.0 - 4.0 * y * y)
    cos4, sin4 = cos2 * cos2 - sin2 * sin2, 2.0 * sin2 * cos2
    t = (
        1.0
        - 0.17 * (x * _COS30 + y * _SIN30)
        + 0.24 * cos2
        + 0.32 * (cos3 * _COS6 - sin3 * _SIN6)
        - 0.20 * (cos4 * _COS63 + sin4 * _SIN63)
    )

    cp_bar = (c1p + c2p) * 0.5
    cp_bar7 = _pow7(cp_bar)
    r_c = 2.0 * np.sqrt(cp_bar7 / (cp_bar7 + _POW25_7))
    l50 = ((l1 + l2) * 0.5 - 50.0) ** 2
    s_l = 1.0 + 0.015 * l50 / np.sqrt(20.0 + l50)
    s_c = 1.0 + 0.045 * cp_bar
    s_h = 1.0 + 0.015 * cp_bar * t
    tl = d_l / s_l
    tc = d_c / s_c
    th = d_h / s_h
    total = tl * tl + tc * tc + th * th

    x, y, tc, th, r_c, total = np.broadcast_arrays(x, y, tc, th, r_c, total)
    total = np.array(total)  # writable copy
    blue = (x * _COS275 + y * _SIN275) > 0.0
    if np.any(blue):
        h_deg = np.degrees(np.arctan2(y[blue], x[blue])) % 360.0
        d_theta = 30.0 * np.exp(-(((h_deg - 275.0) / 25.0) ** 2))
        r_t = -np.sin(np.radians(2.0 * d_theta)) * r_c[blue]
        total[blue] += r_t * tc[blue] * th[blue]
    # The sum can dip a hair below zero by rounding for identical colours; clip before the root.
    result: FloatArray = np.sqrt(np.maximum(total, 0.0)).reshape(shape)
    return result


def _pow7(v: FloatArray) -> FloatArray:
    # Three multiplications instead of a general float power, which is ~50x slower.
    v2 = v * v
    out: FloatArray = v2 * v2 * v2 * v
    return out


def hex_to_rgb(value: str) -> tuple[int, int, int]:
    v = value.lstrip("#")
    return int(v[0:2], 16), int(v[2:4], 16), int(v[4:6], 16)


def rgb_to_hex(rgb: npt.ArrayLike) -> str:
    r, g, b = (round(float(x)) for x in np.clip(np.asarray(rgb, dtype=np.float64), 0, 255))
    return f"#{r:02X}{g:02X}{b:02X}"


@dataclass(frozen=True)
class Downsampled:
    rgb: FloatArray  # (h, w, 3) block means, 0..255
    weight: FloatArray  # (h, w) pixel mass per block: 1 for opaque, the mean alpha otherwise
    factor: int  # block edge in source pixels


def _block_sum(values: npt.NDArray[np.uint8] | npt.NDArray[np.uint16], factor: int) -> npt.NDArray[np.uint64]:
    """Sum of each factor x factor block (the bottom/right remainder is dropped).

    A Python loop over the block's rows and columns adding whole strided slices is ~20x faster than
    ``reshape(...).sum(axis=(1, 3))``, whose reduction over non-contiguous axes is slow in numpy.
    """
    h, w = values.shape[0] // factor, values.shape[1] // factor
    rows = values[: h * factor, : w * factor].reshape(h, factor, w * factor, *values.shape[2:])
    # uint16 holds 257 summed bytes; otherwise widen (the second stage needs room for factor^2 terms).
    wide = np.uint16 if values.dtype == np.uint8 and factor <= 257 else np.uint64
    acc: npt.NDArray[Any] = rows[:, 0].astype(wide)
    for i in range(1, factor):
        np.add(acc, rows[:, i], out=acc)
    cols = acc.reshape(h, w, factor, *values.shape[2:])
    out: npt.NDArray[np.uint64] = cols[:, :, 0].astype(np.uint64)
    for j in range(1, factor):
        np.add(out, cols[:, :, j], out=out)
    return out


def downsample(image: npt.NDArray[np.uint8], budget: int = PIXEL_BUDGET) -> Downsampled:
    """Area-average to at most ``budget`` pixels with one integer block size for both axes.

    Averaging in gamma-encoded sRGB, as Pillow's resamplers and JPEG do, so a check on an image and on
    its resized copy see the same colours. A pixel budget (rather than a maximum side) keeps banners
    and squares at a comparable resolution.
    """
    h, w = image.shape[:2]
    factor = max(1, min(math.ceil(math.sqrt(h * w / budget)), h, w))
    area = float(factor * factor)
    if image.shape[2] == 4:
        # Premultiply by alpha: a transparent pixel's RGB is arbitrary (often black) and must weigh
        # nothing, a half-transparent one half.
        alpha = image[..., 3]
        premultiplied = image[..., :3].astype(np.uint16) * alpha[..., None]
        mass = _block_sum(alpha, factor).astype(np.float64)
        colour = _block_sum(premultiplied, factor).astype(np.float64)
        rgb = np.divide(colour, mass[..., None], out=np.zeros_like(colour), where=mass[..., None] > 0)
        return Downsampled(rgb=rgb, weight=mass / (255.0 * area), factor=factor)
    if factor == 1:
        rgb = image[..., :3].astype(np.float64)
    else:
        rgb = _block_sum(image[..., :3], factor).astype(np.float64) / area
    return Downsampled(rgb=rgb, weight=np.ones(rgb.shape[:2]), factor=factor)


def kmeans(points: FloatArray, weights: FloatArray, k: int = CLUSTERS) -> tuple[FloatArray, npt.NDArray[np.intp]]:
    """Weighted k-means (Euclidean in Lab), k-means++ seeded from a fixed seed: deterministic.

    Returns (centres, labels); fewer than k centres when the image has fewer distinct colours, so a
    flat image reports one cluster, not eight copies of it. The centres are fitted on a regular
    subsample of at most ``KMEANS_FIT_POINTS`` (they only name colours; a thousand points place eight
    centres as well as four thousand, at a quarter of the cost), then every point is labelled.
    """
    all_points, all_weights = points, weights
    step = max(1, math.ceil(len(points) / KMEANS_FIT_POINTS))
    points, weights = points[::step], weights[::step]
    rng = np.random.default_rng(KMEANS_SEED)
    first = int(np.argmax(weights))
    chosen = [first]
    nearest = ((points - points[first]) ** 2).sum(axis=1)
    for _ in range(1, k):
        p = nearest * weights
        total = float(p.sum())
        if total <= 1e-6:  # every point already sits on a centre: fewer distinct colours than k
            break
        # Inverse-CDF sampling with one uniform draw: the same pick as rng.choice, without its checks.
        pick = min(int(np.searchsorted(np.cumsum(p), rng.random() * total)), len(points) - 1)
        chosen.append(pick)
        nearest = np.minimum(nearest, ((points - points[pick]) ** 2).sum(axis=1))
    centres = points[chosen].copy()
    sq = (points * points).sum(axis=1)
    labels = np.full(len(points), -1, dtype=np.intp)
    for _ in range(KMEANS_ITERATIONS):
        new_labels = _nearest_centre(points, sq, centres)
        if np.array_equal(new_labels, labels):
            break
        labels = new_labels
        mass = np.bincount(labels, weights=weights, minlength=len(centres))
        for i in range(3):
            sums = np.bincount(labels, weights=weights * points[:, i], minlength=len(centres))
            centres[:, i] = np.where(mass > 0, sums / np.maximum(mass, 1e-12), centres[:, i])
    labels = _nearest_centre(all_points, (all_points * all_points).sum(axis=1), centres)
    counts = np.bincount(labels, weights=all_weights, minlength=len(centres))
    used = np.flatnonzero(counts > 0)
    remap = np.full(len(centres), -1, dtype=np.intp)
    remap[used] = np.arange(len(used))
    return centres[used], remap[labels]


def _nearest_centre(points: FloatArray, sq: FloatArray, centres: FloatArray) -> npt.NDArray[np.intp]:
    # |p - c|^2 = |p|^2 - 2 p.c + |c|^2 as one matrix product (an (N, k, 3) broadcast is ~10x slower).
    d = sq[:, None] - 2.0 * points @ centres.T + (centres * centres).sum(axis=1)[None, :]
    labels: npt.NDArray[np.intp] = np.argmin(d, axis=1)
    return labels


def _ramp(x: FloatArray, full: float, none: float) -> FloatArray:
    """1 at ``full``, 0 at ``none``, linear between, clipped (``full`` may be above or below ``none``)."""
    ramp: FloatArray = np.clip((x - none) / (full - none), 0.0, 1.0)
    return ramp


def neutrality(lab: FloatArray, rules: ColorRules) -> FloatArray:
    """How neutral each CIELAB colour (shape (..., 3)) is, from 0 (a colour) to 1 (grey, near-black or
    near-white); all zeros when the kit does not allow neutrals. Continuous in L*, a* and b*, with a slope
    of at most 1/8 per unit of chroma by default: small encoding shifts make small changes."""
    if not rules.neutrals_allowed:
        return np.zeros(lab.shape[:-1])
    low, high = rules.neutral_chroma
    weight: FloatArray = np.maximum.reduce(
        [
            _ramp(np.hypot(lab[..., 1], lab[..., 2]), low, high),
            _ramp(lab[..., 0], *NEUTRAL_DARK_L),
            _ramp(lab[..., 0], *NEUTRAL_LIGHT_L),
        ]
    )
    return weight


@dataclass(frozen=True)
class OffBrand:
    """An off-brand colour: one off-brand pixel standing for a group of them (one or more clusters)."""

    rgb: FloatArray  # a whole-number sRGB colour, out of tolerance of every brand colour
    share: float  # off-brand pixel mass of the group, as a share of the image
    mask: npt.NDArray[np.bool_]  # (h, w) on the downsampled grid
    nearest_name: str
    nearest_hex: str
    nearest_delta: float

    def describe(self) -> str:
        return (
            f"{rgb_to_hex(self.rgb)} ({self.share:.0%}; nearest {self.nearest_name} {self.nearest_hex}, "
            f"ΔE00 {self.nearest_delta:.1f})"
        )

    def box(self, factor: int, shape: tuple[int, ...]) -> ImageBox:
        """Bounding box, in source pixels, of this colour's blocks (a box around them, not a traced region)."""
        ys, xs = np.nonzero(self.mask)
        x0, y0 = int(xs.min()) * factor, int(ys.min()) * factor
        x1, y1 = min((int(xs.max()) + 1) * factor, shape[1]), min((int(ys.max()) + 1) * factor, shape[0])
        return ImageBox(x=x0, y=y0, width=x1 - x0, height=y1 - y0)


@dataclass(frozen=True)
class Nameable:
    """Off-brand pixels as a report would name them: their whole-number sRGB values (what a hex shows),
    the nearest brand colour and its distance, and whether the named colour is itself off-brand."""

    rgb: FloatArray  # (n, 3)
    lab: FloatArray  # (n, 3), of the whole-number values
    nearest: npt.NDArray[np.intp]  # (n,) palette index
    delta: FloatArray  # (n,) CIEDE2000 to that brand colour
    ok: npt.NDArray[np.bool_]  # (n,) out of tolerance of every brand colour and not neutral, once rounded


def _nameable(rgb: FloatArray, palette_lab: FloatArray, rules: ColorRules) -> Nameable:
    # Rounded first: the report shows a hex, and a block mean just past the tolerance can round back inside it.
    whole = np.clip(np.round(rgb), 0, 255)
    lab = srgb_to_lab(whole)
    distance = ciede2000(palette_lab[:, None, :], lab[None, :, :]).reshape(len(palette_lab), len(whole))
    nearest = np.argmin(distance, axis=0)
    delta = distance[nearest, np.arange(len(whole))]
    ok = (delta > rules.tolerance) & (neutrality(lab, rules) < NAMED_NEUTRALITY_LIMIT)
    return Nameable(rgb=whole, lab=lab, nearest=nearest, delta=delta, ok=ok)


def _off_brand_colours(
    small: Downsampled,
    lab: FloatArray,
    off_mass: FloatArray,
    named: npt.NDArray[np.bool_],
    labels: npt.NDArray[np.intp],
    rules: ColorRules,
    kit: BrandKit,
    palette_lab: FloatArray,
) -> list[OffBrand]:
    """Off-brand pixels (``named``: out of tolerance and mostly not neutral) grouped by cluster, largest first.

    ``off_mass``: each pixel's off-brand mass (its weight times how far from neutral it is). Clusters whose
    off-brand means are within ``tolerance`` of a larger one are merged, so one off-brand area that k-means
    happened to split still counts (and warns) once. Each group is named by the member nearest its mean
    (in Lab) whose hex is itself off-brand: a medoid-like representative, where the mean itself may land
    inside the tolerance of a brand colour. A group with no such member (every pixel rounds back inside
    the tolerance) is not named. Distances are computed in a few vectorised calls: a per-group loop of
    small numpy calls costs tens of ms.
    """
    total = float(small.weight.sum())
    n = int(labels.max()) + 1 if labels.size else 0
    w_off = np.where(named, off_mass, 0.0)
    mass = np.bincount(labels, weights=w_off, minlength=n)
    sums = np.stack([np.bincount(labels, weights=w_off * lab[:, i], minlength=n) for i in range(3)], axis=1)
    order = [int(c) for c in np.argsort(-mass, kind="stable") if mass[c] > 0]
    if not order:
        return []
    means = sums[order] / mass[order, None]
    pairwise = ciede2000(means[:, None, :], means[None, :, :])
    root = list(range(len(order)))
    for i in range(len(order)):
        for j in range(i):
            if root[j] == j and pairwise[i, j] <= rules.tolerance:
                root[i] = j
                break
    group_of_cluster = np.full(n, -1, dtype=np.intp)
    for i, c in enumerate(order):
        group_of_cluster[c] = root[i]
    members = np.flatnonzero(w_off > 0)
    member_group = group_of_cluster[labels[members]]
    rgb = small.rgb.reshape(-1, 3)
    groups: list[tuple[float, npt.NDArray[np.intp]]] = []  # (off-brand mass, its pixels nearest the mean first)
    for r in sorted(set(root)):
        pixels = members[member_group == r]
        mass_in = w_off[pixels]
        centre = (lab[pixels] * mass_in[:, None]).sum(axis=0) / mass_in.sum()
        groups.append(
            (float(mass_in.sum()), pixels[np.argsort(((lab[pixels] - centre) ** 2).sum(axis=1), kind="stable")])
        )
    # The pixel nearest the mean nearly always qualifies: try each group's first few in one call, and only
    # for a group where none does, the rest of its pixels.
    first = _nameable(np.concatenate([rgb[p[:NAME_CANDIDATES]] for _, p in groups]), palette_lab, rules)
    starts = np.cumsum([0] + [min(len(p), NAME_CANDIDATES) for _, p in groups])
    grid = small.rgb.shape[:2]
    out = []
    for g, (group_mass, pixels) in enumerate(groups):
        candidates, offset = first, int(starts[g])
        usable = np.flatnonzero(first.ok[starts[g] : starts[g + 1]])
        if usable.size == 0 and len(pixels) > NAME_CANDIDATES:
            candidates, offset = _nameable(rgb[pixels[NAME_CANDIDATES:]], palette_lab, rules), 0
            usable = np.flatnonzero(candidates.ok)
        if usable.size == 0:
            continue
        pick = offset + int(usable[0])
        brand = kit.palette[int(candidates.nearest[pick])]
        mask = np.zeros(named.shape, dtype=np.bool_)
        mask[pixels] = True
        out.append(
            OffBrand(
                rgb=candidates.rgb[pick],
                share=group_mass / total,
                mask=mask.reshape(grid),
                nearest_name=brand.name,
                nearest_hex=brand.hex.upper(),
                nearest_delta=float(candidates.delta[pick]),
            )
        )
    out.sort(key=lambda g: -g.share)
    return out


def _as_rgb_array(image: npt.ArrayLike) -> npt.NDArray[np.uint8]:
    arr = np.asarray(image)
    if arr.dtype != np.uint8:
        raise ValueError(f"expected a uint8 image, got {arr.dtype}")
    if arr.ndim == 2:  # greyscale ("L" mode)
        arr = np.repeat(arr[..., None], 3, axis=2)
    if arr.ndim != 3 or arr.shape[2] not in (3, 4):
        raise ValueError(f"expected an (H, W, 3) RGB or (H, W, 4) RGBA image, got shape {arr.shape}")
    return arr


@dataclass(frozen=True)
class Shares:
    """Where the image's pixel mass goes: brand colours, neutrals (all of them, before the cap), the score."""

    brand: float
    neutral: float
    counted_neutral: float  # min(neutral, the kit's cap)

    @property
    def compliant(self) -> float:
        return self.brand + self.counted_neutral


def check_colors(image: npt.ArrayLike, kit: BrandKit) -> CheckResult:
    """Check an RGB image (H, W, 3) uint8 against the kit's palette; RGBA and greyscale are accepted."""
    if not kit.palette:
        return CheckResult(not_checked=[NotChecked(check=RULE, reason="the brand kit defines no palette")])
    arr = _as_rgb_array(image)
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        return CheckResult(not_checked=[NotChecked(check=RULE, reason="the image has no pixels")])
    rules = kit.colors
    small = downsample(arr)
    lab = srgb_to_lab(small.rgb).reshape(-1, 3)
    weights = small.weight.reshape(-1)
    total = float(weights.sum())
    if total <= 0:
        return CheckResult(not_checked=[NotChecked(check=RULE, reason="the image is fully transparent")])

    palette_lab = srgb_to_lab(np.array([hex_to_rgb(c.hex) for c in kit.palette], dtype=np.float64))
    # Palette on the outer axis, pixels on the inner one: numpy broadcasts fast along a long inner axis
    # and ~15x slower when the inner axis is the short palette.
    distance = ciede2000(palette_lab[:, None, :], lab[None, :, :]).min(axis=0)
    brand = distance <= rules.tolerance
    neutral = np.where(brand, 0.0, neutrality(lab, rules))
    neutral_share = float((weights * neutral).sum() / total)
    shares = Shares(
        brand=float(weights[brand].sum() / total),
        neutral=neutral_share,
        counted_neutral=min(neutral_share, rules.max_neutral_share),
    )
    share = shares.compliant

    centres, labels = kmeans(lab, weights)
    metrics = {
        "colors.compliantShare": round(share, 4),
        "colors.brandShare": round(shares.brand, 4),
        "colors.neutralShare": round(shares.neutral, 4),
        "colors.clusters": float(len(centres)),
    }

    off_mass = np.where(brand, 0.0, weights * (1.0 - neutral))
    named = ~brand & (neutral < NAMED_NEUTRALITY_LIMIT)
    colours = _off_brand_colours(small, lab, off_mass, named, labels, rules, kit, palette_lab)
    violations: list[Violation] = []
    if share < rules.min_compliant_share:
        violations.append(_below_share(shares, rules, colours, small.factor, arr.shape))
    else:
        # Compliant overall, but one large off-brand colour is still worth a reviewer's look.
        violations += [
            Violation(
                rule_id=RULE,
                severity="warning",
                message=f"one off-brand colour covers a large area: {c.describe()}",
                location=c.box(small.factor, arr.shape),
                suggestion=f"consider recolouring it towards {c.nearest_name} {c.nearest_hex}",
            )
            for c in colours
            if c.share > OFF_BRAND_WARNING_SHARE
        ]
    return CheckResult(violations=violations, rules_checked=[RULE], metrics=metrics)


RECOLOUR = (
    "recolour the off-brand areas towards the nearest brand colour named, "
    "or regenerate with the palette's hex values in the prompt"
)


def _below_share(
    shares: Shares, rules: ColorRules, colours: list[OffBrand], factor: int, shape: tuple[int, ...]
) -> Violation:
    # Name the main off-brand colours; slivers under 1% are summarised, not listed.
    shown = [c for c in colours[:MESSAGE_COLOURS] if c.share >= 0.01]
    listed = "; ".join(c.describe() for c in shown)
    if len(colours) > len(shown):
        rest = sum(c.share for c in colours[len(shown) :])
        listed += f"{'; and' if shown else ''} {len(colours) - len(shown)} more ({rest:.0%})"
    over_cap = shares.neutral > shares.counted_neutral
    message = (
        f"{shares.compliant:.1%} of the image is on-brand, below the {rules.min_compliant_share:.0%} required: "
        f"{shares.brand:.1%} in brand colours (CIEDE2000 tolerance {rules.tolerance:g})"
    )
    if shares.counted_neutral > 0:
        message += f" + {shares.counted_neutral:.1%} neutral"
    if over_cap:
        message += (
            f"; neutrals (greys, near-black, near-white) cover {shares.neutral:.0%} of the image and count for "
            f"at most {rules.max_neutral_share:.0%}"
        )
    if listed.strip():
        message += f". Off-brand: {listed.strip()}"
    suggestion = RECOLOUR
    if over_cap:
        cap = f"{rules.max_neutral_share:.0%}"
        more = f"give brand colours more of the image (neutral areas past {cap} of it do not count)"
        suggestion = f"{more}; {RECOLOUR}" if shown else more
    return Violation(
        rule_id=RULE,
        severity="error",
        message=message,
        location=colours[0].box(factor, shape) if colours else None,
        suggestion=suggestion,
    )
