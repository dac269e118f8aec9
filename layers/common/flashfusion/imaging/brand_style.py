"""Brand style transfer: a photo recoloured toward the brand kit's palette in CIELAB, the photo kept a photo.

The kit's colour check (``linting.colors``) counts a pixel on-brand when it is within CIEDE2000
``tolerance`` of a palette colour, or neutral (grey, near-black, near-white) up to ``max_neutral_share``
of the image. The transfer aims at that rule, not at a look of its own:

- each pixel is softly assigned to the palette colours nearest it in Lab (L* weighted less than a*b*,
  so a dark pixel prefers a dark brand colour, but a blue sky stays with the brand's blue); the soft
  weights make transitions between two brand colours smooth instead of posterised;
- around its palette colour the pixel keeps its own lightness, compressed by ``tanh`` into the band the
  tolerance allows (local contrast, i.e. the photo's structure, survives), and a little of its own a*b*;
- pixels whose lightness the palette cannot hold (a white shirt where the palette has no light colour)
  turn neutral instead, keeping their L* exactly, up to the kit's neutral allowance;
- skin tones (a hue band of warm, moderately saturated colours) are protected: they move only partly, and
  only as many of them as the kit's off-brand allowance lets stay off-brand;
- the strength is the least (of a few steps) for which the result passes the kit's colour check, so an
  image already near the brand changes little. ``strength`` fixes it instead.

Then the kit's logo is placed in the quietest allowed region with its clear space, and an optional headline
is set in the kit's heading font (or Pillow's embedded font, said so in the outcome).

numpy and Pillow only: it runs in the image generation Lambda.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFont

from flashfusion.brandkit import BrandKit, BrandLogo, LogoPlacement, Region
from flashfusion.linting.colors import check_colors, ciede2000, hex_to_rgb, lab_to_srgb, neutrality, srgb_to_lab
from flashfusion.linting.logo import GRID

FloatArray = npt.NDArray[np.float64]
RGBArray = npt.NDArray[np.uint8]

LIGHTNESS_WEIGHT = 0.5
"""How much L* counts when a pixel picks its palette colour, against a*b* (1: plain CIE76)."""
ASSIGN_SOFTNESS = 2.5
"""Lab units over which the weight of a farther palette colour falls by 1/e: soft edges between colours."""
CHROMA_KEEP = 0.15
"""Share of the pixel's own a*b* offset from its palette colour that it keeps (texture in the colour)."""
TOLERANCE_USE = 0.7
"""Share of the kit's tolerance a mapped pixel may use: the rest is margin for blending and re-encoding."""
NEUTRAL_TINT = 0.5
"""Neutral pixels keep this share of the kit's fully-neutral chroma, in their palette colour's hue."""
SKIN_PROTECTION = 1.0
"""How much of the transfer a clear skin tone is spared (before the off-brand allowance caps it)."""
SKIN_ALLOWANCE_USE = 0.5
"""Share of the kit's off-brand allowance (1 - minCompliantShare) that spared skin may take: the rest is
for the soft edges between colours and between colour and grey."""
SHARE_MARGIN = 0.03
"""The result aims this far above the kit's minimum compliant share."""
REGION_DIVISOR = 48
"""Decisions (which brand colour, neutral or not, skin) are made on the photo blurred over 1/48 of its short
side: a few of the blocks the colour check averages, so a decision covers whole blocks."""
NEUTRAL_RAMP_SHARE = 0.04
"""Share of the pixels over which the neutral weight ramps from 1 to 0 (by rank of cost)."""
ALREADY_NEUTRAL_BONUS = 1000.0
"""Added to the selection cost of what is neutral already, so it is kept neutral before anything is greyed."""
STRENGTH_STEPS = (0.4, 0.55, 0.7, 0.85, 1.0)
PREVIEW_SIDE = 256
"""Strengths are tried on a preview this size; the chosen one is checked again on the full image."""
MAX_SIDE = 2048
"""Sources are reduced to 2048 x 2048 pixels at most before the transfer: measured at 11-14 s a megapixel on two
shared cores (tests/bench/bench_brand_style.py), a larger photo would not finish within the Generate step's
110 s."""
LOGO_WIDTH_SHARE = 0.15
"""Preferred logo width (of the image width), within the kit's size band."""
EDGE_SLACK_PX = 2
HEADLINE_HEIGHT_SHARE = 0.08


class StyleInputError(ValueError):
    """The request cannot be styled (no palette, an empty image, a strength out of range)."""


@dataclass(frozen=True)
class StyleOptions:
    strength: float | None = None
    """0.05..1: how far toward the palette; None: the least step that passes the kit's colour check."""
    place_logo: bool = True
    headline: str | None = None


@dataclass
class StyleOutcome:
    image: Image.Image
    strength: float
    share_before: float
    share_after: float
    passes_colors: bool
    skin_share: float
    neutral_share: float
    placed: list[str] = field(default_factory=list)
    """What was put on the photo besides the colour change: "logo", "headline"."""
    notes: dict[str, Any] = field(default_factory=dict)

    def parameters(self) -> dict[str, Any]:
        return {
            "operation": "brand_style",
            "strength": round(self.strength, 3),
            "colorShareBefore": round(self.share_before, 4),
            "colorShareAfter": round(self.share_after, 4),
            "skinShare": round(self.skin_share, 4),
            "neutralShare": round(self.neutral_share, 4),
            "placed": list(self.placed),
            **self.notes,
        }


# --- colour -----------------------------------------------------------------------------------------


def palette_lab(kit: BrandKit) -> FloatArray:
    if not kit.palette:
        raise StyleInputError("the brand kit defines no palette: there is no look to transfer")
    return srgb_to_lab(np.array([hex_to_rgb(c.hex) for c in kit.palette], dtype=np.float64))


def _lightness_scale(lightness: FloatArray) -> FloatArray:
    """CIEDE2000's S_L: how many L* units count as one unit of difference at this lightness."""
    d = (lightness - 50.0) ** 2
    scale: FloatArray = 1.0 + 0.015 * d / np.sqrt(20.0 + d)
    return scale


def skin_weight(lab: FloatArray) -> FloatArray:
    """0..1 per pixel: how clearly a colour is a skin tone (warm hue 20-75 degrees, moderate chroma, not
    too dark or light). Covers light to deep skin; also catches some wood, sand and bread (they are spared
    a little of the transfer too, which the off-brand allowance bounds)."""
    lightness, a, b = lab[..., 0], lab[..., 1], lab[..., 2]
    hue = np.degrees(np.arctan2(b, a))
    chroma = np.hypot(a, b)

    def band(x: FloatArray, lo: float, lo_full: float, hi_full: float, hi: float) -> FloatArray:
        up = np.clip((x - lo) / (lo_full - lo), 0.0, 1.0)
        down = np.clip((hi - x) / (hi - hi_full), 0.0, 1.0)
        out: FloatArray = np.minimum(up, down)
        return out

    weight: FloatArray = band(hue, 15.0, 30.0, 65.0, 80.0) * band(chroma, 6.0, 12.0, 40.0, 55.0)
    weight *= band(lightness, 18.0, 30.0, 85.0, 94.0)
    return weight


@dataclass(frozen=True)
class _Mapping:
    """The full-strength target of each pixel, and how much of the transfer each pixel takes."""

    target: FloatArray  # (n, 3) Lab
    protect: FloatArray  # (n,) 0..1: share of the transfer spared (skin)
    skin_share: float
    neutral_share: float


def _assign(lab: FloatArray, palette: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Each pixel's palette colour: (a soft mixture with nearly all weight on the nearest, the nearest).

    The mixture smooths the edge between two regions mapped to different colours; it is kept near the
    nearest colour (within a third of the kit's tolerance, see ``_around``), so a pixel halfway between
    two brand colours does not become a third, off-brand one."""
    scale = np.array([LIGHTNESS_WEIGHT, 1.0, 1.0])
    distance = np.sqrt((((lab[:, None, :] - palette[None, :, :]) * scale) ** 2).sum(axis=2))
    nearest = palette[distance.argmin(axis=1)]
    weight = np.exp(-(distance - distance.min(axis=1, keepdims=True)) / ASSIGN_SOFTNESS)
    weight /= weight.sum(axis=1, keepdims=True)
    mixed: FloatArray = weight @ palette
    return mixed, nearest


def _pull_within(out: FloatArray, centre: FloatArray, limit: float) -> FloatArray:
    """``out`` moved straight toward ``centre`` wherever CIEDE2000 puts it farther than ``limit``."""
    todo = np.arange(len(out))
    for _ in range(3):
        distance = ciede2000(out[todo], centre[todo])
        over = distance > limit
        if not over.any():
            break
        todo, distance = todo[over], distance[over]  # only what is still too far is measured again
        shrink = (limit / distance)[:, None] * 0.98
        out[todo] = centre[todo] + (out[todo] - centre[todo]) * shrink
    return out


def _around(lab: FloatArray, mixed: FloatArray, nearest: FloatArray, tolerance: float) -> FloatArray:
    """The pixel moved next to its palette colour: lightness compressed into the tolerance band (tanh keeps
    the order and the local contrast), a little of its own a*b* kept; then pulled in wherever CIEDE2000 still
    puts it too far from the nearest brand colour."""
    anchor = _pull_within(mixed.copy(), nearest, tolerance / 3)
    radius_l = TOLERANCE_USE * tolerance * _lightness_scale(anchor[:, 0])
    out = np.empty_like(lab)
    out[:, 0] = anchor[:, 0] + radius_l * np.tanh((lab[:, 0] - anchor[:, 0]) / radius_l)
    out[:, 1:] = anchor[:, 1:] + CHROMA_KEEP * (lab[:, 1:] - anchor[:, 1:])
    return _pull_within(out, nearest, TOLERANCE_USE * tolerance)


def _neutral(lab: FloatArray, anchor: FloatArray, kit: BrandKit) -> FloatArray:
    """The pixel as a neutral: its own lightness, a trace of its palette colour's hue."""
    low, _ = kit.colors.neutral_chroma
    hue = anchor[:, 1:]
    norm = np.maximum(np.hypot(hue[:, 0], hue[:, 1]), 1e-9)[:, None]
    out = np.empty_like(lab)
    out[:, 0] = lab[:, 0]
    out[:, 1:] = hue / norm * (NEUTRAL_TINT * low)
    return out


def box_blur(values: FloatArray, radius: int) -> FloatArray:
    """Mean over a (2r+1)-square window of an (H, W) or (H, W, C) array, edges extended (integral images)."""
    if radius < 1:
        return values
    out = values
    for axis in (0, 1):
        pad = [(0, 0)] * out.ndim
        pad[axis] = (radius + 1, radius)
        padded = np.pad(out, pad, mode="edge")
        summed = np.cumsum(padded, axis=axis)
        size = out.shape[axis]
        upper = np.take(summed, np.arange(2 * radius + 1, 2 * radius + 1 + size), axis=axis)
        lower = np.take(summed, np.arange(0, size), axis=axis)
        out = (upper - lower) / (2 * radius + 1)
    return out


def _plan(lab_image: FloatArray, kit: BrandKit, palette: FloatArray) -> _Mapping:
    """Decide, per region, which brand colour each part of the photo takes, which parts turn neutral and which
    skin is spared; the pixel's own lightness rides on top. Decisions are made on a blurred copy: the colour
    check averages blocks of pixels, and a speckle of grey and brand colour averages to neither."""
    rules = kit.colors
    height, width = lab_image.shape[:2]
    radius = max(1, round(min(height, width) / REGION_DIVISOR))
    lab = lab_image.reshape(-1, 3)
    smooth = box_blur(lab_image, radius).reshape(-1, 3)
    anchor, nearest = _assign(smooth, palette)
    branded = _around(lab, anchor, nearest, rules.tolerance)
    target = branded
    skin = skin_weight(smooth)
    protect = SKIN_PROTECTION * skin
    allowance = SKIN_ALLOWANCE_USE * max(1.0 - rules.min_compliant_share - SHARE_MARGIN, 0.0)
    if float(protect.sum()) > allowance * len(protect):
        # Spare the clearest skin first, whole, rather than every warm pixel a little: a pixel spared a
        # fifth of the way is off-brand as surely as one spared entirely.
        order = np.argsort(-protect, kind="stable")
        kept = np.cumsum(protect[order]) <= allowance * len(protect)
        capped = np.zeros_like(protect)
        capped[order[kept]] = protect[order[kept]]
        protect = capped
    neutral_share = 0.0
    if rules.neutrals_allowed and rules.max_neutral_share > 0:
        # Regions the palette distorts most in lightness go neutral, up to the allowance (less what is neutral
        # already and stays so).
        budget = max(rules.max_neutral_share - SHARE_MARGIN, 0.0)
        cost = box_blur(np.abs(branded[:, 0] - lab[:, 0]).reshape(height, width), radius).reshape(-1)
        cost = cost * (1.0 - protect)  # spared skin is never greyed: a grey face is not a face
        # What is neutral already stays neutral first (it costs nothing to keep), the costliest of it first; past
        # the allowance (a black-and-white photo) the rest takes brand colours too.
        already = neutrality(smooth, rules) >= 1.0
        cost = np.where(already, cost + ALREADY_NEUTRAL_BONUS, cost)
        n = len(cost)
        take = round(budget * n)
        if take > 0:
            # By rank, not by a cost threshold: a grey photo's costs are all alike, and a threshold band would
            # take far more than the allowance. A band of ranks ramps down: no hard seam between grey and colour.
            rank = np.empty(n)
            rank[np.argsort(-cost, kind="stable")] = np.arange(n)
            band = max(1.0, NEUTRAL_RAMP_SHARE * n)
            weight = np.clip((take - rank) / band + 0.5, 0.0, 1.0)
            weight = np.where(cost < 2.0, 0.0, weight)  # a region the palette holds well stays in colour
            neutral_target = _neutral(lab, anchor, kit)
            target = branded + weight[:, None] * (neutral_target - branded)
            neutral_share = float(weight.mean())
    return _Mapping(target=target, protect=protect, skin_share=float((skin > 0.5).mean()), neutral_share=neutral_share)


def _apply(lab: FloatArray, mapping: _Mapping, strength: float) -> FloatArray:
    amount = (strength * (1.0 - mapping.protect))[:, None]
    out: FloatArray = lab + amount * (mapping.target - lab)
    return out


def _to_rgb(lab: FloatArray, shape: tuple[int, ...]) -> RGBArray:
    rgb = np.clip(np.rint(lab_to_srgb(lab)), 0, 255).astype(np.uint8)
    return rgb.reshape(shape)


def compliant_share(rgb: RGBArray, kit: BrandKit) -> float:
    """The kit's colour check's compliant share of an image (the linter's own figure)."""
    return float(check_colors(rgb, kit).metrics.get("colors.compliantShare", 0.0))


def recolour(rgb: RGBArray, kit: BrandKit, strength: float | None = None) -> tuple[RGBArray, float, _Mapping]:
    """The image moved toward the palette: (result, strength used, the mapping's figures)."""
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8 or 0 in rgb.shape:
        raise StyleInputError(f"expected a non-empty (H, W, 3) uint8 image, got {rgb.dtype} {rgb.shape}")
    if strength is not None and not 0.05 <= strength <= 1.0:
        raise StyleInputError("strength must be between 0.05 and 1")
    palette = palette_lab(kit)
    chosen = strength is None
    if strength is None:
        strength = _least_passing_strength(rgb, kit, palette)
    lab_image = srgb_to_lab(rgb)
    lab = lab_image.reshape(-1, 3)
    mapping = _plan(lab_image, kit, palette)
    out = _to_rgb(_apply(lab, mapping, strength), rgb.shape)
    # The preview can flatter: step up until the full image passes too (or nothing is left to step to).
    # A strength the caller fixed is used as given.
    required = kit.colors.min_compliant_share
    for step in (s for s in STRENGTH_STEPS if chosen and s > strength):
        if compliant_share(out, kit) >= required:
            break
        strength = step
        out = _to_rgb(_apply(lab, mapping, strength), rgb.shape)
    return out, strength, mapping


def _least_passing_strength(rgb: RGBArray, kit: BrandKit, palette: FloatArray) -> float:
    image = Image.fromarray(rgb)
    image.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE), Image.Resampling.BOX)
    small = np.asarray(image)
    lab_image = srgb_to_lab(small)
    lab = lab_image.reshape(-1, 3)
    mapping = _plan(lab_image, kit, palette)
    wanted = kit.colors.min_compliant_share + SHARE_MARGIN
    for step in STRENGTH_STEPS:
        if compliant_share(_to_rgb(_apply(lab, mapping, step), small.shape), kit) >= wanted:
            return step
    return STRENGTH_STEPS[-1]


# --- logo -------------------------------------------------------------------------------------------


def _cell_of(region: Region) -> tuple[int, int]:
    for row, cells in enumerate(GRID):
        for col, name in enumerate(cells):
            if name == region:
                return row, col
    raise ValueError(region)


def logo_box(
    region: Region, placement: LogoPlacement, logo_size: tuple[int, int], size: tuple[int, int]
) -> tuple[int, int, int, int] | None:
    """(x, y, w, h) of the logo in ``region`` with the kit's clear space, or None when it cannot fit there."""
    width, height = size
    aspect = logo_size[1] / logo_size[0]
    margin = math.ceil(placement.clear_space_share * width) + EDGE_SLACK_PX
    share = min(max(LOGO_WIDTH_SHARE, placement.min_width_share), placement.max_width_share)
    row, col = _cell_of(region)
    while share >= placement.min_width_share - 1e-9:
        w = max(4, round(share * width))
        h = max(4, round(w * aspect))
        xs = (margin, (width - w) // 2, width - margin - w)
        ys = (margin, (height - h) // 2, height - margin - h)
        x, y = xs[col], ys[row]
        cx, cy = x + w / 2, y + h / 2
        inside = margin <= x and margin <= y and x + w <= width - margin and y + h <= height - margin
        in_cell = int(3 * cx / width) == col and int(3 * cy / height) == row
        if inside and in_cell:
            return x, y, w, h
        share /= 1.1
    return None


def place_logo(image: Image.Image, logo: Image.Image, brand_logo: BrandLogo) -> tuple[Image.Image, dict[str, Any]]:
    """The logo in the quietest allowed region (least luminance detail under it), with its clear space."""
    placement = brand_logo.placement
    grey = np.asarray(image.convert("L"), dtype=np.float64)
    best: tuple[float, Region, tuple[int, int, int, int]] | None = None
    for region in placement.allowed_regions:
        box = logo_box(region, placement, logo.size, image.size)
        if box is None:
            continue
        x, y, w, h = box
        busy = float(grey[y : y + h, x : x + w].std())
        if best is None or busy < best[0]:
            best = (busy, region, box)
    if best is None:
        return image, {"logo": "no allowed region can hold the logo with its clear space at the minimum size"}
    _, region, (x, y, w, h) = best
    scaled = logo.convert("RGBA").resize((w, h), Image.Resampling.LANCZOS)
    out = image.convert("RGBA")
    out.alpha_composite(scaled, (x, y))
    return out.convert("RGB"), {
        "logoId": brand_logo.logo_id,
        "logoRegion": region,
        "logoBox": {"x": x, "y": y, "width": w, "height": h},
    }


# --- headline ---------------------------------------------------------------------------------------


def _relative_luminance(rgb: tuple[int, int, int]) -> float:
    c = np.asarray(rgb, dtype=np.float64) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(linear @ np.array([0.2126, 0.7152, 0.0722]))


def _contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    la, lb = sorted((_relative_luminance(a), _relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def headline_colours(kit: BrandKit) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """(band, text): the palette pair with the most contrast (white or black when the palette has none)."""
    colours = [hex_to_rgb(c.hex) for c in kit.palette] or [(20, 20, 20)]
    best = max(
        ((band, text) for band in colours for text in [*colours, (255, 255, 255), (0, 0, 0)] if band != text),
        key=lambda pair: _contrast(*pair),
    )
    return best


def _font(data: bytes | None, size: int) -> Any:
    if data is not None:
        return ImageFont.truetype(io.BytesIO(data), size=size)
    return ImageFont.load_default(size=size)


def draw_headline(
    image: Image.Image, text: str, kit: BrandKit, font_data: bytes | None, avoid_top: bool
) -> Image.Image:
    """The headline on a band of a brand colour, at the edge away from the logo, inside the clear space."""
    width, height = image.size
    margin = math.ceil(max((lg.placement.clear_space_share for lg in kit.logos), default=0.02) * width)
    margin += EDGE_SLACK_PX
    band_h = max(16, round(HEADLINE_HEIGHT_SHARE * height))
    band_colour, text_colour = headline_colours(kit)
    size = max(8, round(band_h * 0.62))
    face = _font(font_data, size)
    draw_probe = ImageDraw.Draw(image)
    while size > 8 and draw_probe.textlength(text, font=face) > width - 4 * margin:
        size = max(8, int(size * 0.9))
        face = _font(font_data, size)
    y = height - margin - band_h if avoid_top else margin
    out = image.copy()
    draw = ImageDraw.Draw(out)
    draw.rectangle((margin, y, width - margin - 1, y + band_h - 1), fill=band_colour)
    draw.text((width / 2, y + band_h / 2), text, font=face, fill=text_colour, anchor="mm")
    return out


# --- the whole transfer -----------------------------------------------------------------------------


def brand_style(
    rgb: RGBArray,
    kit: BrandKit,
    options: StyleOptions,
    load_logo: Callable[[str], Image.Image] | None = None,
    load_font: Callable[[str], bytes] | None = None,
) -> StyleOutcome:
    """Recolour ``rgb`` toward ``kit``'s palette, then place its logo and the optional headline.

    ``load_logo``/``load_font`` read a kit file (an S3 key in AWS); a file that cannot be read is reported
    in the outcome's notes, and the transfer goes on without it."""
    before = compliant_share(rgb, kit)
    recoloured, strength, mapping = recolour(rgb, kit, options.strength)
    image, placed, notes = add_marks(Image.fromarray(recoloured), kit, options, load_logo, load_font)
    after = compliant_share(np.asarray(image), kit)
    return StyleOutcome(
        image=image,
        strength=strength,
        share_before=before,
        share_after=after,
        passes_colors=after >= kit.colors.min_compliant_share,
        skin_share=mapping.skin_share,
        neutral_share=mapping.neutral_share,
        placed=placed,
        notes=notes,
    )


def add_marks(
    image: Image.Image,
    kit: BrandKit,
    options: StyleOptions,
    load_logo: Callable[[str], Image.Image] | None = None,
    load_font: Callable[[str], bytes] | None = None,
) -> tuple[Image.Image, list[str], dict[str, Any]]:
    """The kit's logo (where the kit allows it, with its clear space) and the optional headline on ``image``:
    (the image, what was placed, notes). Also used on a vendor's restyled output."""
    placed: list[str] = []
    notes: dict[str, Any] = {}
    logo_top = False
    if options.place_logo and kit.logos and load_logo is not None:
        brand_logo = next((lg for lg in kit.logos if lg.required), kit.logos[0])
        try:
            logo = load_logo(brand_logo.file)
        except Exception as error:  # a missing or unreadable logo file: said in the outcome, not fatal
            notes["logo"] = f"logo {brand_logo.logo_id!r} could not be loaded: {type(error).__name__}"
        else:
            image, where = place_logo(image, logo, brand_logo)
            notes.update(where)
            if "logoBox" in where:
                placed.append("logo")
                logo_top = where["logoBox"]["y"] < image.size[1] / 3
    if options.headline:
        font_data, notes["headlineFont"] = _heading_font(kit, load_font)
        image = draw_headline(image, options.headline, kit, font_data, avoid_top=logo_top)
        placed.append("headline")
    return image, placed, notes


def _heading_font(kit: BrandKit, load_font: Callable[[str], bytes] | None) -> tuple[bytes | None, str]:
    """The kit's heading font file (else any of its fonts with a file), or None with why: Pillow's embedded
    font stands in."""
    fonts = sorted((f for f in kit.fonts if f.file), key=lambda f: f.role != "heading")
    if not fonts:
        return None, "fallback: Pillow's embedded font (the kit names no font file)"
    chosen = fonts[0]
    if load_font is None:
        return None, f"fallback: Pillow's embedded font ({chosen.family} cannot be read here)"
    try:
        data = load_font(str(chosen.file))
        ImageFont.truetype(io.BytesIO(data), size=12)
    except Exception as error:  # unreadable or not a font: the headline is still set, in the fallback
        return None, f"fallback: Pillow's embedded font ({chosen.family} could not be loaded: {type(error).__name__})"
    return data, chosen.family
