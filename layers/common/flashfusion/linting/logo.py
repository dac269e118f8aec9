"""Find the brand logo in an image and check where it sits, how big it is and its clear space.

Method: multi-scale, masked, normalised cross-correlation (NCC) template matching, coarse to fine.

1. Coarse search. Both the image and the logo become grayscale. The logo's scale (logo width / image
   width) is swept geometrically from ``MIN_SCALE`` to ``MAX_SCALE``. Scales are grouped in octaves;
   each octave works on one downsampled copy of the image, sized so the smallest template of the
   octave is still ``COARSE_MIN_SIDE`` pixels on its short side (big logos are searched on small
   images, small logos on larger ones), which keeps every FFT small. The correlation is done with
   ``numpy.fft``: one forward transform of the image and of its square per octave, then per scale two
   forward transforms (template, mask) and three inverse ones (numerator, masked local sum, masked local
   sum of squares). The logo's alpha is the mask, so transparent pixels never count, whatever the
   background behind the logo. The best peaks of every scale are pooled and the best ``CANDIDATES``
   distinct boxes go on. Transforms are zero-padded to lengths with small prime factors (pocketfft is
   several times slower on a side like 779 = 19 x 41), and the logo's resized templates and their spectra
   are kept between searches, so a video's sampled frames (all one size) transform the logo once.
2. Refinement. Each candidate is matched again on a crop around it, at a resolution where the logo's
   short side is ``REFINE_MIN_SIDE`` pixels (or full resolution, never enlarged), over finer scale
   steps; the range follows the peak if it sits on the range's edge.
3. Verification. Grayscale NCC sees only light/dark patterns, so the refined box is also compared in
   colour (the three channels correlated together). Confidence = min(grayscale NCC, colour NCC),
   compared with ``THRESHOLD``.

The threshold was tuned on 144 positives (4 backgrounds x 4 sizes 5-35 % x 3 positions x resized
0.5/0.75/1.5 and JPEG q75) against 36 negatives (gradients, RGB noise, brand-coloured shapes and logo
look-alikes without the logo, a photo-like synthetic scene): positives scored >= 0.75, negatives
<= 0.55, so 0.65 sits in the middle of the gap. Smallest reliable logo: ~25 px wide (below that JPEG's
chroma subsampling erodes the colour match).

Why numpy + Pillow and not OpenCV (``cv2.matchTemplate``) or scikit-image: the problem is one rigid
template at an unknown uniform scale and position, which is exactly what FFT-based NCC solves, and
numpy's pocketfft does the heavy lifting in C. Pillow already ships in the layer for decoding and
anti-aliased resizing. OpenCV would add ~50-100 MB to a Lambda layer whose limit is 250 MB unzipped,
plus a native wheel per architecture and slower cold starts, for no accuracy gain on this problem.
Rotated or perspective-warped logos are out of scope (brand logos are placed flat).
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import NDArray
from PIL import Image

# flashfusion.models must be imported before flashfusion.brandkit (models re-exports the kit types).
from flashfusion.brandkit import BrandLogo, Region
from flashfusion.linting.base import CheckResult
from flashfusion.linting.media import describe_error
from flashfusion.models import BrandKit, ImageBox, NotChecked, Violation

MISSING_RULE = "logo.missing"
PLACEMENT_RULE = "logo.placement"
SIZE_RULE = "logo.size"
CLEAR_SPACE_RULE = "logo.clear-space"
CHECK = "logo"

MIN_SCALE = 0.04
MAX_SCALE = 0.40
SCALE_STEP = 1.15  # coarse NCC peaks within about half a step of the true scale; refinement covers +/-12 %
COARSE_MIN_SIDE = 7  # px of the template's short side at coarse resolution: enough to rank candidates
REFINE_MIN_SIDE = 24  # px at refinement: enough detail (the logo's text) to separate true from look-alike
PEAKS_PER_SCALE = 2
CANDIDATES = 6
COARSE_FLOOR = 0.45  # coarse NCC under which a candidate is not refined (true logos score >= ~0.8)
REFINE_STEPS = np.geomspace(1 / 1.12, 1.3, 14)  # ~2.9 % steps; reaches further up because coarse undershoots
REFINE_ROUNDS = 3
SCALE_EPSILON = 0.015  # NCC difference within which two refined scales count as equally good
THRESHOLD = 0.65
VERIFY_FLOOR = 0.3  # refined grayscale NCC under which a candidate is dropped without the colour check
MIN_STD = 0.02  # local std (0..1 gray) under which a window is flat: NCC there is noise, scored 0
ALPHA_OPAQUE = 0.5  # template pixels at least this opaque count; the rest is background

# Measurement tolerance: the detected box is accurate to a pixel or two and the scale to a few percent,
# so a logo placed exactly on a limit must not flip between pass and fail.
SIZE_TOLERANCE = 0.03  # relative, on min/max width share
CLEAR_SPACE_TOLERANCE = 0.0025  # of the image width

GRID: tuple[tuple[Region, Region, Region], ...] = (
    ("top-left", "top", "top-right"),
    ("left", "center", "right"),
    ("bottom-left", "bottom", "bottom-right"),
)

FloatArray = NDArray[np.float32]


@dataclass(frozen=True)
class LogoMatch:
    box: ImageBox
    scale: float
    """logo width / image width"""
    confidence: float
    """refined masked NCC, clipped to 0..1"""


@dataclass(frozen=True)
class _Sized:
    """The logo at one size in pixels, ready to correlate: its zero-mean masked grayscale and its mask."""

    centred: FloatArray  # (gray - masked mean) * mask
    mask: FloatArray
    count: float  # pixels in the mask
    norm: float  # sqrt of the sum of centred squared

    @property
    def shape(self) -> tuple[int, int]:
        return self.mask.shape[0], self.mask.shape[1]


SPECTRA_BUDGET_BYTES = 48 * 2**20
"""Template spectra kept per logo: the coarse stage's for a few frame sizes (a video's frames all share one)."""
SIZED_KEPT = 512  # resized templates kept per logo (a search asks for ~100 sizes)
TEMPLATES_KEPT = 2  # logos kept prepared (a kit has one or two); each holds up to SPECTRA_BUDGET_BYTES


@dataclass(frozen=True)
class _Template:  # not hashable on purpose: cached_property needs an instance __dict__
    rgb: FloatArray  # (h, w, 3) straight (not premultiplied) colour, 0..1
    alpha: FloatArray  # (h, w), 0..1
    # The logo resized per pixel size, and its spectra per transform shape: the frames of a video (and the
    # refinement rounds of one candidate) ask for the same sizes again. Same inputs, same arrays: caching
    # changes no result.
    _sized: dict[tuple[int, int], _Sized | None] = field(default_factory=dict, repr=False, compare=False)
    _spectra: OrderedDict[tuple[int, int, int, int], NDArray[np.complex64]] = field(
        default_factory=OrderedDict, repr=False, compare=False
    )
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def aspect(self) -> float:
        return self.alpha.shape[0] / self.alpha.shape[1]

    def colour_at(self, width: int, height: int) -> tuple[FloatArray, FloatArray]:
        """RGB and alpha resized to (width, height), without background colour bleeding into the edge."""
        alpha = _resize(self.alpha, width, height)
        # Resize premultiplied colour, then un-premultiply: the colour under transparent pixels is arbitrary.
        channels = [_resize(self.rgb[..., c] * self.alpha, width, height) for c in range(3)]
        safe = np.maximum(alpha, 1e-3)
        rgb = np.stack([np.where(alpha > 1e-3, ch / safe, 0.0) for ch in channels], axis=-1).astype(np.float32)
        return rgb, alpha

    def at(self, width: float) -> _Sized | None:
        """The template resized so the logo is ``width`` px wide; None when too small or flat to correlate."""
        w = round(width)
        h = round(width * self.aspect)
        if w < 2 or h < 2:
            return None
        key = (w, h)
        if key in self._sized:
            return self._sized[key]
        made = self._size(w, h)
        with self._lock:
            if len(self._sized) >= SIZED_KEPT:
                self._sized.clear()
            self._sized[key] = made
        return made

    def spectra(self, sized: _Sized, fft_shape: tuple[int, int]) -> NDArray[np.complex64]:
        """Conjugate spectra of the centred template and of its mask, zero-padded to ``fft_shape``."""
        key = (*sized.shape, *fft_shape)
        with self._lock:
            found = self._spectra.get(key)
            if found is not None:
                self._spectra.move_to_end(key)
                return found
        # Cross-correlation multiplies by the conjugate spectrum of the template.
        made = np.conj(np.fft.rfft2(np.stack([sized.centred, sized.mask]), s=fft_shape))
        with self._lock:
            self._spectra[key] = made
            total = sum(v.nbytes for v in self._spectra.values())
            while total > SPECTRA_BUDGET_BYTES and len(self._spectra) > 1:
                total -= self._spectra.popitem(last=False)[1].nbytes
        return made

    def _size(self, w: int, h: int) -> _Sized | None:
        # Luma is linear in RGB, so resizing premultiplied luma equals the luma of resized colour: two
        # single-channel resizes instead of four.
        alpha = _resize(self.alpha, w, h)
        gray_alpha = _resize(self.gray_alpha, w, h)
        gray = np.where(alpha > 1e-3, gray_alpha / np.maximum(alpha, 1e-3), 0.0).astype(np.float32)
        mask = (alpha >= ALPHA_OPAQUE).astype(np.float32)
        if mask.sum() < 4:
            return None
        n = float(mask.sum())
        mean = float((gray * mask).sum()) / n
        # Zero-mean inside the mask, zero outside: the numerator then needs no local image mean.
        centred = (gray - mean) * mask
        norm = math.sqrt(float((centred * centred).sum()))
        if norm < 1e-6:
            return None  # a flat logo has no pattern to correlate
        return _Sized(centred=centred, mask=mask, count=n, norm=norm)

    @cached_property
    def gray_alpha(self) -> FloatArray:
        return _gray(self.rgb) * self.alpha


@dataclass(frozen=True)
class _Candidate:
    score: float
    x: float  # image pixels
    y: float
    width: float
    height: float
    scale: float


def _gray(rgb: NDArray[Any]) -> FloatArray:
    """Rec. 601 luma (Pillow's "L" weights), 0..1, from uint8 0..255 or float 0..1 RGB."""
    # Channel by channel, in place: no float copy of the whole RGB image (half the time on a video frame).
    unit = 1 / 255 if rgb.dtype == np.uint8 else 1.0
    out = rgb[..., 0].astype(np.float32)
    out *= np.float32(0.299 * unit)
    for channel, weight in ((1, 0.587), (2, 0.114)):
        part = rgb[..., channel].astype(np.float32)
        part *= np.float32(weight * unit)
        out += part
    return out


def _resize(array: FloatArray, width: int, height: int) -> FloatArray:
    if array.shape[1] == width and array.shape[0] == height:
        return array.astype(np.float32, copy=False)
    # BOX averages when shrinking (no aliasing of fine text) and is cheap; BILINEAR when growing.
    shrinking = width <= array.shape[1] and height <= array.shape[0]
    resample = Image.Resampling.BOX if shrinking else Image.Resampling.BILINEAR
    out = Image.fromarray(np.ascontiguousarray(array, dtype=np.float32)).resize((width, height), resample)
    return np.asarray(out, dtype=np.float32)


_templates: OrderedDict[tuple[tuple[int, ...], str, bytes], _Template] = OrderedDict()
_templates_lock = threading.Lock()


def _prepared(logo: NDArray[Any]) -> _Template:
    """The logo's template, kept between calls: each sampled frame of a video searches for the same logo."""
    key = (logo.shape, logo.dtype.str, hashlib.blake2b(np.ascontiguousarray(logo).tobytes(), digest_size=16).digest())
    with _templates_lock:
        found = _templates.get(key)
        if found is not None:
            _templates.move_to_end(key)
            return found
    made = _template(logo)
    with _templates_lock:
        _templates[key] = made
        while len(_templates) > TEMPLATES_KEPT:
            _templates.popitem(last=False)
    return made


def _template(logo: NDArray[Any]) -> _Template:
    if logo.ndim == 2:
        rgb = np.repeat(logo[..., None], 3, axis=2).astype(np.float32) / 255.0
        alpha = np.ones(logo.shape, dtype=np.float32)
    elif logo.ndim == 3 and logo.shape[2] in (3, 4):
        rgb = logo[..., :3].astype(np.float32) / 255.0
        if logo.shape[2] == 4:
            alpha = logo[..., 3].astype(np.float32) / 255.0
        else:
            alpha = np.ones(logo.shape[:2], dtype=np.float32)
    else:
        raise ValueError(f"a logo must be (h, w), (h, w, 3) or (h, w, 4), got shape {logo.shape}")
    # Crop fully transparent borders: padding in the file is not part of the logo's visible width.
    rows = np.flatnonzero(alpha.max(axis=1) >= ALPHA_OPAQUE)
    cols = np.flatnonzero(alpha.max(axis=0) >= ALPHA_OPAQUE)
    if rows.size < 2 or cols.size < 2:
        raise ValueError("the logo is fully transparent")
    sl = (slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1))
    return _Template(rgb=np.ascontiguousarray(rgb[sl]), alpha=np.ascontiguousarray(alpha[sl]))


def _fast_length(n: int) -> int:
    """The smallest even 2^a 3^b 5^c >= n: pocketfft is several times slower on lengths with large prime factors
    (a frame's 779 rows are 19 x 41), and zero padding up to such a length changes no valid correlation offset."""
    best = 2 * n
    power5 = 1
    while power5 < 2 * n:
        power35 = power5
        while power35 < 2 * n:
            length = 2 * power35
            while length < n:
                length *= 2
            best = min(best, length)
            power35 *= 3
        power5 *= 5
    return best


class _Correlator:
    """Masked NCC of many templates against one image, sharing the image's FFTs."""

    def __init__(self, image: FloatArray) -> None:
        # Centring keeps the local-variance subtraction (sum I^2 - (sum I)^2 / n) well conditioned in float32.
        self.image = (image - image.mean()).astype(np.float32)
        self.shape = image.shape
        # Padded with zeros: the circular correlation only wraps at offsets where the template does not fit,
        # which are cut off below.
        self.fft_shape = (_fast_length(image.shape[0]), _fast_length(image.shape[1]))
        spectra = np.fft.rfft2(np.stack([self.image, self.image * self.image]), s=self.fft_shape)
        self.f_image, self.f_square = spectra[0], spectra[1]

    def ncc(self, template: _Template, sized: _Sized) -> FloatArray | None:
        """NCC map over every offset where the template fits entirely (top-left corner indexed)."""
        h, w = sized.shape
        height, width = self.shape
        if h > height or w > width:
            return None
        n = sized.count
        f_centred, f_mask = template.spectra(sized, self.fft_shape)
        products = np.stack([self.f_image * f_centred, self.f_image * f_mask, self.f_square * f_mask])
        num, s1, s2 = np.fft.irfft2(products, s=self.fft_shape)[:, : height - h + 1, : width - w + 1]
        var = s2 - s1 * s1 / n
        flat = var < n * MIN_STD * MIN_STD
        result = num / (sized.norm * np.sqrt(np.maximum(var, 1e-12)))
        result[flat] = 0.0
        return np.clip(result, -1.0, 1.0).astype(np.float32)


def _peaks(score: FloatArray, count: int, h: int, w: int) -> list[tuple[float, int, int]]:
    """The ``count`` best local maxima, at least about half a template apart."""
    score = score.copy()
    out: list[tuple[float, int, int]] = []
    for _ in range(count):
        idx = int(np.argmax(score))
        y, x = divmod(idx, score.shape[1])
        value = float(score[y, x])
        if value <= 0:
            break
        out.append((value, x, y))
        score[max(0, y - h // 2) : y + h // 2 + 1, max(0, x - w // 2) : x + w // 2 + 1] = -1.0
    return out


def _iou(a: _Candidate, b: _Candidate) -> float:
    ix = max(0.0, min(a.x + a.width, b.x + b.width) - max(a.x, b.x))
    iy = max(0.0, min(a.y + a.height, b.y + b.height) - max(a.y, b.y))
    inter = ix * iy
    union = a.width * a.height + b.width * b.height - inter
    return inter / union if union > 0 else 0.0


def _scales() -> list[float]:
    count = math.floor(math.log(MAX_SCALE / MIN_SCALE) / math.log(SCALE_STEP)) + 1
    return [MIN_SCALE * SCALE_STEP**i for i in range(count)]


def _coarse(image: FloatArray, template: _Template) -> list[_Candidate]:
    height, width = image.shape
    short = min(1.0, template.aspect)  # short side of the logo / its width
    found: list[_Candidate] = []
    scales = _scales()
    # Octaves of scales: [s0, 2 s0), [2 s0, 4 s0)... each searched on one downsampled image.
    octave_start = 0
    while octave_start < len(scales):
        s0 = scales[octave_start]
        octave = [s for s in scales[octave_start:] if s < 2 * s0]
        octave_start += len(octave)
        # Working width so the smallest template of the octave has COARSE_MIN_SIDE px on its short side.
        work_w = min(width, max(1, round(COARSE_MIN_SIDE / (s0 * short))))
        factor = work_w / width
        work_h = max(1, round(height * factor))
        factor_y = work_h / height
        correlator = _Correlator(_resize(image, work_w, work_h))
        for s in octave:
            sized = template.at(s * work_w)
            if sized is None:
                continue
            score = correlator.ncc(template, sized)
            if score is None:
                continue
            h, w = sized.shape
            for value, x, y in _peaks(score, PEAKS_PER_SCALE, h, w):
                found.append(
                    _Candidate(
                        score=value,
                        x=x / factor,
                        y=y / factor_y,
                        width=s * width,
                        height=s * width * template.aspect,
                        scale=s,
                    )
                )
    found.sort(key=lambda c: c.score, reverse=True)
    kept: list[_Candidate] = []
    for cand in found:
        if all(_iou(cand, k) < 0.3 for k in kept):
            kept.append(cand)
        if len(kept) == CANDIDATES:
            break
    return kept


def _refine(image: FloatArray, template: _Template, cand: _Candidate) -> _Candidate:
    """Refine around the candidate; when the chosen scale is the edge of the range, move the range there.

    The coarse stage leans towards too-small scales (see ``_peak_scale``), sometimes by more than one
    refinement range, so the range follows the peak for up to ``REFINE_ROUNDS`` rounds.
    """
    current = cand
    for _ in range(REFINE_ROUNDS):
        refined, edge = _refine_once(image, template, current)
        if refined.score < 0:
            return refined
        current = refined
        if edge == 0:
            break
    return current


def _refine_once(image: FloatArray, template: _Template, cand: _Candidate) -> tuple[_Candidate, int]:
    """The refined candidate, and -1/+1 when its scale is the smallest/largest step tried (else 0)."""
    height, width = image.shape
    # Crop around the candidate with room for the largest refined scale and the coarse position error.
    margin = 0.25 * max(cand.width, cand.height) + 4
    x0 = max(0, math.floor(cand.x - margin))
    y0 = max(0, math.floor(cand.y - margin))
    x1 = min(width, math.ceil(cand.x + cand.width * REFINE_STEPS[-1] + margin))
    y1 = min(height, math.ceil(cand.y + cand.height * REFINE_STEPS[-1] + margin))
    # Shrink big logos to REFINE_MIN_SIDE (speed). Small ones are never enlarged: an upsampled image is
    # blurrier than a template drawn at that size, and the mismatch costs more than the sub-pixel gain.
    g = min(1.0, REFINE_MIN_SIDE / max(1.0, min(cand.width, cand.height)))
    crop_w = max(1, round((x1 - x0) * g))
    crop_h = max(1, round((y1 - y0) * g))
    gx, gy = crop_w / (x1 - x0), crop_h / (y1 - y0)
    correlator = _Correlator(_resize(image[y0:y1, x0:x1], crop_w, crop_h))
    # (score, scale actually used, centre x, centre y) per step, in image pixels.
    steps: list[tuple[float, float, float, float]] = []
    for step in REFINE_STEPS:
        sized = template.at(cand.scale * float(step) * width * gx)
        if sized is None:
            continue
        score = correlator.ncc(template, sized)
        if score is None:
            continue
        h, w = sized.shape
        idx = int(np.argmax(score))
        y, x = divmod(idx, score.shape[1])
        # The template width was rounded to whole pixels: the scale is what was used, not what was asked.
        steps.append((float(score[y, x]), w / gx / width, x0 + (x + w / 2) / gx, y0 + (y + h / 2) / gy))
    if not steps:
        return replace(cand, score=-1.0), 0
    best = max(range(len(steps)), key=lambda i: steps[i][0])
    top = steps[best][0]
    chosen = _peak_scale(steps, best)
    _, scale, cx, cy = steps[chosen]
    w_px = scale * width
    h_px = w_px * template.aspect
    edge = 1 if chosen == len(steps) - 1 and scale < MAX_SCALE else -1 if chosen == 0 and scale > MIN_SCALE else 0
    return _Candidate(score=top, x=cx - w_px / 2, y=cy - h_px / 2, width=w_px, height=h_px, scale=scale), edge


def _peak_scale(steps: list[tuple[float, float, float, float]], best: int) -> int:
    """The step whose scale is taken as the logo's: the largest one scoring within ``SCALE_EPSILON`` of the best.

    A template smaller than the logo still lies on logo pixels only and scores almost as well as the exact
    one; a larger template takes in background and drops sharply. So the best score is often a step or two
    too small, and the largest step that still scores as well is the true size.
    """
    top = steps[best][0]
    chosen = best
    for i in range(best + 1, len(steps)):
        if steps[i][0] < top - SCALE_EPSILON:
            break
        chosen = i
    return chosen


def _verify(image: Image.Image, template: _Template, cand: _Candidate) -> float:
    """Colour NCC of the template against the candidate box, sampled at a fixed template size.

    Grayscale NCC only sees the pattern of light and dark: a bright bar on a dark patch of another colour can
    score ~0.7. Correlating the three channels together also requires the colours to vary the same way.
    """
    short = min(1.0, template.aspect)
    width = max(4, round(REFINE_MIN_SIDE / short))
    height = max(4, round(width * template.aspect))
    rgb, alpha = template.colour_at(width, height)
    mask = alpha >= ALPHA_OPAQUE
    img_w, img_h = image.size
    # Keep the sampled box inside the image (rounding can push a logo flush with an edge a pixel out).
    bx = min(max(0.0, cand.x), max(0.0, img_w - cand.width))
    by = min(max(0.0, cand.y), max(0.0, img_h - cand.height))
    box = (bx, by, min(float(img_w), bx + cand.width), min(float(img_h), by + cand.height))
    shrinking = cand.width >= width
    resample = Image.Resampling.BOX if shrinking else Image.Resampling.BILINEAR
    patch = np.asarray(image.resize((width, height), resample, box=box), dtype=np.float32) / 255.0
    t = rgb[mask]  # (n, 3)
    p = patch[mask]
    t = t - t.mean(axis=0)
    p = p - p.mean(axis=0)
    denominator = math.sqrt(float((t * t).sum()) * float((p * p).sum()))
    if denominator < 1e-9 or float((p * p).sum()) / p.size < MIN_STD * MIN_STD:
        return 0.0
    return float((t * p).sum()) / denominator


def _search(image: NDArray[Any], logo: NDArray[Any]) -> _Candidate | None:
    """The best match whatever its score (None when nothing can be compared at all).

    The score is the colour-verified NCC; candidates are ranked by it, not by the grayscale NCC.
    """
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=2)
    if image.ndim != 3 or image.shape[2] not in (3, 4) or image.dtype != np.uint8:
        raise ValueError(f"an image must be uint8 (H, W) or (H, W, 3), got {image.dtype} {image.shape}")
    rgb = np.ascontiguousarray(image[..., :3])
    gray = _gray(rgb)
    pil = Image.fromarray(rgb)
    template = _prepared(logo)
    best: _Candidate | None = None
    for cand in _coarse(gray, template):
        if cand.score < COARSE_FLOOR:
            break  # candidates come best first; a true logo scores ~0.9 here
        refined = _refine(gray, template, cand)
        if refined.score < VERIFY_FLOOR:
            continue  # not even the light/dark pattern matches: no need to look at colour
        verified = replace(refined, score=min(refined.score, _verify(pil, template, refined)))
        if best is None or verified.score > best.score:
            best = verified
    return best


def _match(cand: _Candidate, image_shape: tuple[int, ...]) -> LogoMatch:
    height, width = image_shape[:2]
    x = max(0, round(cand.x))
    y = max(0, round(cand.y))
    box = ImageBox(
        x=x,
        y=y,
        width=max(1, min(width - x, round(cand.width))),
        height=max(1, min(height - y, round(cand.height))),
    )
    return LogoMatch(box=box, scale=cand.scale, confidence=max(0.0, min(1.0, cand.score)))


def find_logo(image: NDArray[np.uint8], logo: NDArray[np.uint8]) -> LogoMatch | None:
    """Where ``logo`` (RGBA or RGB) appears in ``image`` (RGB), or None when it is not there.

    Finds logos 4 %-40 % of the image width at any position; survives resizing and JPEG re-encoding.
    """
    cand = _search(image, logo)
    if cand is None or cand.score < THRESHOLD:
        return None
    return _match(cand, image.shape)


def region_of(box: ImageBox, width: int, height: int) -> Region:
    """The cell of a 3x3 grid the box's centre falls in."""
    cx = box.x + box.width / 2
    cy = box.y + box.height / 2
    col = min(2, max(0, int(3 * cx / width)))
    row = min(2, max(0, int(3 * cy / height)))
    return GRID[row][col]


def _load(load_logo: Callable[[str], Any], brand_logo: BrandLogo) -> NDArray[np.uint8] | str:
    """The logo array, or why it could not be had."""
    try:
        raw = load_logo(brand_logo.file)
    except Exception as exc:  # any loader failure (missing file, S3 error, bad PNG) means "not checked"
        why = f"{type(exc).__name__}: {describe_error(exc)}"
        return f"logo {brand_logo.logo_id!r} ({brand_logo.file}) could not be loaded: {why}"
    if raw is None:
        return f"logo {brand_logo.logo_id!r} ({brand_logo.file}) cannot be read here"
    array = np.asarray(raw)
    if array.dtype != np.uint8 or array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (3, 4)):
        return (
            f"logo {brand_logo.logo_id!r} ({brand_logo.file}) is not an 8-bit gray/RGB/RGBA image "
            f"(dtype {array.dtype}, shape {array.shape})"
        )
    if min(array.shape[:2]) < 4:
        return f"logo {brand_logo.logo_id!r} ({brand_logo.file}) is too small to search for ({array.shape[:2]})"
    return array


def _placement_violations(brand_logo: BrandLogo, match: LogoMatch, width: int, height: int) -> list[Violation]:
    rules = brand_logo.placement
    box = match.box
    name = brand_logo.logo_id
    out: list[Violation] = []
    region = region_of(box, width, height)
    if region not in rules.allowed_regions:
        out.append(
            Violation(
                rule_id=PLACEMENT_RULE,
                severity="error",
                message=f"logo {name!r} sits in the {region} of the image; the brand kit allows "
                f"{', '.join(rules.allowed_regions)}",
                location=box,
                suggestion=f"move the logo to the {rules.allowed_regions[0]}",
            )
        )
    share = box.width / width
    if share < rules.min_width_share * (1 - SIZE_TOLERANCE):
        out.append(
            Violation(
                rule_id=SIZE_RULE,
                severity="error",
                message=f"logo {name!r} is {share:.1%} of the image width; the minimum is {rules.min_width_share:.1%}",
                location=box,
                suggestion=f"scale the logo up to at least {math.ceil(rules.min_width_share * width)} px wide",
            )
        )
    elif share > rules.max_width_share * (1 + SIZE_TOLERANCE):
        out.append(
            Violation(
                rule_id=SIZE_RULE,
                severity="error",
                message=f"logo {name!r} is {share:.1%} of the image width; the maximum is {rules.max_width_share:.1%}",
                location=box,
                suggestion=f"scale the logo down to at most {math.floor(rules.max_width_share * width)} px wide",
            )
        )
    gap = min(box.x, box.y, width - (box.x + box.width), height - (box.y + box.height))
    needed = rules.clear_space_share * width
    if gap < needed - CLEAR_SPACE_TOLERANCE * width:
        out.append(
            Violation(
                rule_id=CLEAR_SPACE_RULE,
                severity="error",
                message=f"logo {name!r} is {max(gap, 0)} px from the image edge; the brand kit requires "
                f"{math.ceil(needed)} px ({rules.clear_space_share:.1%} of the width)",
                location=box,
                suggestion=f"move the logo at least {math.ceil(needed)} px in from every edge",
            )
        )
    return out


def check_logos(
    image: NDArray[np.uint8], kit: BrandKit, load_logo: Callable[[str], NDArray[np.uint8] | None]
) -> CheckResult:
    """Each kit logo: present (when required), in an allowed region, within its size band, with clear space."""
    if not kit.logos:
        return CheckResult(not_checked=[NotChecked(check=CHECK, reason="the brand kit defines no logo")])
    height, width = image.shape[:2]
    result = CheckResult()
    any_found = False
    for brand_logo in kit.logos:
        loaded = _load(load_logo, brand_logo)
        if isinstance(loaded, str):
            result.not_checked.append(NotChecked(check=CHECK, reason=loaded))
            continue
        key = f"logo.{brand_logo.logo_id}"
        if MISSING_RULE not in result.rules_checked:
            result.rules_checked.append(MISSING_RULE)
        cand = _search(image, loaded)
        # The best score is reported even when below the threshold: it shows how close a miss was.
        result.metrics[f"{key}.confidence"] = max(0.0, cand.score) if cand else 0.0
        if cand is None or cand.score < THRESHOLD:
            result.metrics[f"{key}.found"] = 0.0
            if brand_logo.required:
                result.violations.append(
                    Violation(
                        rule_id=MISSING_RULE,
                        severity="error",
                        message=f"the required logo {brand_logo.logo_id!r} was not found in the image",
                        suggestion=f"add the logo ({brand_logo.file}) in the "
                        f"{brand_logo.placement.allowed_regions[0]}, "
                        f"{brand_logo.placement.min_width_share:.0%}-{brand_logo.placement.max_width_share:.0%} "
                        "of the image width",
                    )
                )
            else:
                result.violations.append(
                    Violation(
                        rule_id=MISSING_RULE,
                        severity="suggestion",
                        message=f"the logo {brand_logo.logo_id!r} does not appear in the image",
                        suggestion=f"consider adding the logo in the {brand_logo.placement.allowed_regions[0]}",
                    )
                )
            continue
        any_found = True
        match = _match(cand, image.shape)
        result.metrics.update(
            {
                f"{key}.found": 1.0,
                f"{key}.scale": match.scale,
                f"{key}.x": float(match.box.x),
                f"{key}.y": float(match.box.y),
                f"{key}.width": float(match.box.width),
                f"{key}.height": float(match.box.height),
            }
        )
        result.violations += _placement_violations(brand_logo, match, width, height)
    if any_found:
        result.rules_checked += [PLACEMENT_RULE, SIZE_RULE, CLEAR_SPACE_RULE]
    return result
