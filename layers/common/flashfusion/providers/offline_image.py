"""The offline image generator: the embedded default when no image vendor is configured.

It is not a diffusion model. It lays out a branded social graphic (palette background, a geometric
composition, the prompt's subject as a headline, the brand's wordmark) chosen deterministically from
the prompt hash and filled with the brand kit's colours, so the rest of the workflow (lint, save,
provenance) runs on a real PNG. Provenance records it as a ``local/...`` model with ``offline: true``.

The scene pieces (palette, layout, composition layer, headline, wordmark) are public because the
offline video generator animates the same scene.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont
from PIL.PngImagePlugin import PngInfo

from flashfusion.errors import ProviderRejected
from flashfusion.models import BrandKit
from flashfusion.providers.base import GeneratedContent, GenerationJob

DATASET_TAG = "offline-procedural-v1"
GENERATOR = "offline-procedural"
DEFAULT_IMAGE_SIZE = "1080x1080"
COMPOSITIONS = ("bands", "circles", "grid", "arches")
SUPERSAMPLE = 2  # shapes are drawn at 2x and box-filtered down: ImageDraw itself does not anti-alias

RGB = tuple[int, int, int]
Box = tuple[int, int, int, int]


# --- colour -----------------------------------------------------------------------------------------


def hex_to_rgb(value: str) -> RGB:
    value = value.lstrip("#")
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))


def rgb_to_hex(rgb: RGB) -> str:
    return "#{:02X}{:02X}{:02X}".format(*rgb)


def luminance(rgb: RGB) -> float:
    """WCAG relative luminance."""

    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: RGB, b: RGB) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


WHITE: RGB = (255, 255, 255)
BLACK: RGB = (0, 0, 0)
READABLE = 4.5  # WCAG AA for body text; a headline is large, but social thumbnails are small


@dataclass(frozen=True)
class Palette:
    background: RGB
    primary: RGB
    secondary: RGB
    accent: RGB
    text: RGB

    def as_hex(self) -> dict[str, str]:
        return {
            "background": rgb_to_hex(self.background),
            "primary": rgb_to_hex(self.primary),
            "secondary": rgb_to_hex(self.secondary),
            "accent": rgb_to_hex(self.accent),
            "text": rgb_to_hex(self.text),
        }


# A kit without a palette still gets a calm, readable graphic: warm off-white, slate, sand.
NEUTRAL = Palette(
    background=hex_to_rgb("#F4F3EF"),
    primary=hex_to_rgb("#2F3E4E"),
    secondary=hex_to_rgb("#8C9BA5"),
    accent=hex_to_rgb("#C9A66B"),
    text=hex_to_rgb("#1B1F24"),
)


def resolve_palette(kit: BrandKit) -> Palette:
    """The kit's colours by role; a role the kit lacks borrows the nearest one it has.

    Only the kit's own colours are used (plus white or black where the kit has no usable background
    or readable text colour), so the brand linter's palette check sees brand colours.
    """
    if not kit.palette:
        return NEUTRAL
    by_role: dict[str, list[RGB]] = {}
    for colour in kit.palette:
        by_role.setdefault(colour.role, []).append(hex_to_rgb(colour.hex))
    everything = [hex_to_rgb(c.hex) for c in kit.palette]

    def first(*roles: str) -> RGB | None:
        for role in roles:
            if by_role.get(role):
                return by_role[role][0]
        return None

    background = first("background")
    if background is None:
        lightest = max(by_role.get("neutral", []) + everything, key=luminance)
        background = lightest if luminance(lightest) >= 0.6 else WHITE
    shapes = [c for c in everything if c != background] or [NEUTRAL.primary]
    primary = first("primary")
    if primary is None or primary == background:
        primary = shapes[0]
    secondary = first("secondary", "neutral")
    if secondary is None or secondary == background:
        secondary = primary
    accent = first("accent", "secondary")
    if accent is None or accent == background:
        accent = primary
    text_candidates = by_role.get("text", []) + everything
    text = next((c for c in text_candidates if contrast(c, background) >= READABLE), None)
    if text is None:  # nothing in the kit is readable on its background: plain black or white is
        text = max((BLACK, WHITE), key=lambda c: contrast(c, background))
    return Palette(background=background, primary=primary, secondary=secondary, accent=accent, text=text)


# --- sizes ------------------------------------------------------------------------------------------

_SIZE = re.compile(r"^\s*(\d{1,5})\s*[xX\u00d7]\s*(\d{1,5})\s*$")  # "1080x1080"; \u00d7 is the multiplication sign
_RATIO = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*:\s*(\d+(?:\.\d+)?)\s*$")


def _even(n: float) -> int:
    return max(2, round(n / 2) * 2)


def size_from_ratio(ratio: str) -> str | None:
    """A social-platform size for an aspect ratio: short side 1080, long side at most 1920."""
    match = _RATIO.match(ratio)
    if not match or float(match[1]) <= 0 or float(match[2]) <= 0:
        return None
    r = float(match[1]) / float(match[2])
    w, h = (1080 * r, 1080.0) if r >= 1 else (1080.0, 1080 / r)
    scale = min(1.0, 1920 / max(w, h))
    return f"{_even(w * scale)}x{_even(h * scale)}"


def requested_size(job: GenerationJob, fallback: str, *, minimum: int, maximum: int) -> tuple[int, int]:
    """The size to render: the request's, else its aspect ratio's, else the model's default."""
    spec = job.model
    text = job.options.size
    if not text and job.options.aspect_ratio:
        text = size_from_ratio(job.options.aspect_ratio)
        if text is None:
            raise ProviderRejected(
                f"aspect ratio {job.options.aspect_ratio!r} is not W:H", provider=spec.provider, model=spec.id
            )
    text = text or spec.limits.default_size or fallback
    match = _SIZE.match(text)
    if not match:
        raise ProviderRejected(f"size {text!r} is not WIDTHxHEIGHT", provider=spec.provider, model=spec.id)
    width, height = int(match[1]), int(match[2])
    if spec.limits.sizes and f"{width}x{height}" not in spec.limits.sizes:
        raise ProviderRejected(
            f"size {width}x{height} is not one of {spec.limits.sizes}", provider=spec.provider, model=spec.id
        )
    if not (minimum <= width <= maximum and minimum <= height <= maximum):
        raise ProviderRejected(
            f"size {width}x{height} is outside {minimum}..{maximum} pixels a side",
            provider=spec.provider,
            model=spec.id,
        )
    return width, height


# --- text -------------------------------------------------------------------------------------------

# The font Pillow embeds (Aileron Regular, loaded without touching the file system or network) covers
# printable ASCII and a few typographic marks; anything else would render as empty boxes, so it is
# folded to its closest ASCII spelling first ("Ærø" -> "AEro").
_FONT_EXTRA = set("‘’“”…©«»°±·")  # noqa: RUF001 - typographic quotes are glyphs the font has
_FOLD = {
    "Æ": "AE", "æ": "ae", "Ø": "O", "ø": "o", "Œ": "OE", "œ": "oe", "ß": "ss", "Þ": "Th", "þ": "th",
    "Ð": "D", "ð": "d", "Đ": "D", "đ": "d", "Ł": "L", "ł": "l", "\u0131": "i",  # dotless i
    "\u2010": "-", "\u2013": "-", "\u2014": "-", "€": "EUR", "£": "GBP", "™": "(TM)", "®": "(R)",
}  # fmt: skip


def printable(text: str) -> str:
    """Text the embedded font can draw: accents dropped, special letters spelt out, the rest skipped."""
    out: list[str] = []
    for ch in text:
        if (" " <= ch <= "~") or ch in _FONT_EXTRA:
            out.append(ch)
        elif ch in _FOLD:
            out.append(_FOLD[ch])
        elif ch.isspace():
            out.append(" ")
        else:
            base = "".join(c for c in unicodedata.normalize("NFKD", ch) if " " <= c <= "~")
            out.append(base)
    return " ".join("".join(out).split())


@lru_cache(maxsize=64)
def font(size: int) -> ImageFont.FreeTypeFont:
    # Pillow's embedded scalable font: the same glyphs on every machine and in Lambda, no font files.
    face = ImageFont.load_default(size=size)
    if not isinstance(face, ImageFont.FreeTypeFont):  # only a Pillow built without FreeType lands here
        raise RuntimeError("Pillow has no FreeType support: the offline image generator needs it")
    return face


# Instruction words in media prompts that are not the subject ("a LinkedIn image for ...").
_MEDIA_INSTRUCTION = re.compile(
    r"^(please\s+)?((create|make|generate|design|draw|render|produce|give me|build|animate|write|compose)\s+)?"
    r"(me\s+)?((a|an|the|some)\s+)?"
    r"((short|quick|bold|simple|clean|modern|minimal|vertical|square|horizontal|premium|striking|"
    r"catchy|colou?rful|branded|animated|looping|\d+[\s-]?(s|sec|second)s?)[\s,]+)*"
    r"((linkedin|instagram|insta|facebook|tiktok|x|twitter|youtube|pinterest|social|social media|"
    r"marketing|hero|campaign|promo|promotional|product)\s+)*"
    r"((image|picture|photo|graphic|banner|poster|visual|illustration|post|video|clip|reel|story|"
    r"animation|ad|advert|thumbnail|cover|header|flyer|card)s?\b)?\s*"
    r"((of|for|about|announcing|showing|featuring|promoting|on|with|that says|saying)\b)?\s*",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"[\"“”«»]([^\"“”«»]{2,80})[\"“”«»]")
MAX_HEADLINE_WORDS = 9


def headline_of(prompt: str, fallback: str) -> str:
    """A short headline for the prompt: quoted text if the prompt gives some, else its subject."""
    quoted = _QUOTED.search(prompt)
    if quoted:
        text = quoted[1].strip()
    else:
        text = _MEDIA_INSTRUCTION.sub("", prompt.strip()).strip()
        # Trailing modifiers ("..., premium quality", "... - 9:16") are directions, not the subject.
        text = re.split(r"\s*[,;:()\[\]]\s*|\s+[-–—]\s+", text)[0].strip().rstrip(".!?")  # noqa: RUF001
        text = re.sub(r"^(the|a|an)\s+", "", text, flags=re.IGNORECASE)
    text = printable(text)
    if not text:
        return printable(fallback) or "Something new"
    words = text.split()
    if len(words) > MAX_HEADLINE_WORDS:
        text = " ".join(words[:MAX_HEADLINE_WORDS]) + "…"
    return text[0].upper() + text[1:]


def _wrap(text: str, face: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in text.split():
        while face.getlength(word) > width and len(word) > 1:  # a word wider than the box: hard-split
            cut = max(1, max(i for i in range(1, len(word) + 1) if face.getlength(word[:i]) <= width))
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:cut])
            word = word[cut:]
        candidate = f"{line} {word}".strip()
        if face.getlength(candidate) <= width or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


LINE_SPACING = 1.12
MAX_LINES = 4


def fit_text(text: str, width: int, height: int, largest: int, smallest: int) -> tuple[int, list[str]]:
    """The largest font size at which the text wraps into the box in at most MAX_LINES lines."""
    size = largest
    while True:
        lines = _wrap(text, font(size), width)
        fits = len(lines) <= MAX_LINES and len(lines) * size * LINE_SPACING <= height
        if fits or size <= smallest:
            break
        size = max(smallest, int(size * 0.92))
    keep = max(1, min(MAX_LINES, int(height // (size * LINE_SPACING))))
    if len(lines) > keep:  # still too long at the smallest size: end the last line that fits with "…"
        lines = lines[:keep]
        last = lines[-1]
        while last and font(size).getlength(last + "…") > width:
            last = last[:-1].rstrip()
        lines[-1] = last + "…"
    return size, lines


# --- layout and scene -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    width: int
    height: int
    margin: int
    text_box: Box
    art_box: Box
    wordmark_box: Box
    clear_box: Box
    """The wordmark's clear space: no shape may enter it."""


@dataclass(frozen=True)
class Scene:
    """Everything a frame is made of, rendered once: a still is one frame, a video many."""

    layout: Layout
    palette: Palette
    composition: str
    art: Image.Image
    """RGBA, canvas-sized: the composition's shapes inside the art box, transparent elsewhere."""
    headline: Image.Image
    """RGBA patch: the headline glyphs and the accent rule under them."""
    headline_at: tuple[int, int]
    headline_lines: int
    wordmark: Image.Image
    """RGB patch of the clear space with the wordmark box inside it."""
    wordmark_at: tuple[int, int]


def _wordmark(brand: str, palette: Palette, size: int, max_width: int) -> tuple[Image.Image, int]:
    """The brand name in a rounded box: RGBA patch of the box only, and the clear space around it."""
    label = printable(brand) or "Brand"
    # A long brand name gets a smaller type size (down to 8 px), then loses its end to "…".
    while size > 8 and font(size).getlength(label) + 1.6 * size > max_width:
        size -= 1
    face = font(size)
    while len(label) > 1 and face.getlength(label) + 1.6 * size > max_width:
        label = label[:-2].rstrip() + "…"
    ascent, descent = face.getmetrics()
    pad_x, pad_y = round(size * 0.8), round(size * 0.45)
    box_w = round(face.getlength(label)) + 2 * pad_x
    box_h = ascent + descent + 2 * pad_y
    fill = palette.primary
    if contrast(fill, palette.background) < 1.5:  # a box the colour of the page would not read as a box
        fill = palette.text
    ink = max((palette.background, palette.text, WHITE, BLACK), key=lambda c: contrast(c, fill))
    ss = SUPERSAMPLE
    big = Image.new("RGBA", (box_w * ss, box_h * ss), (*fill, 0))
    ImageDraw.Draw(big).rounded_rectangle(
        (0, 0, box_w * ss - 1, box_h * ss - 1), radius=round(box_h * 0.3 * ss), fill=(*fill, 255)
    )
    patch = big.resize((box_w, box_h), Image.Resampling.BOX)
    ImageDraw.Draw(patch).text((pad_x, pad_y + ascent), label, font=face, fill=(*ink, 255), anchor="ls")
    return patch, round(box_h * 0.6)


def _layout(width: int, height: int, wordmark_size: tuple[int, int], clear: int) -> Layout:
    short = min(width, height)
    margin = round(short * 0.07)
    box_w, box_h = wordmark_size
    wordmark_box = (width - margin - box_w, height - margin - box_h, width - margin, height - margin)
    # The clear space runs to the canvas edges: a sliver of shape between logo and edge looks like a bug.
    clear_box = (wordmark_box[0] - clear, wordmark_box[1] - clear, width, height)
    # Shapes bleed off the left, right and top edges but stop above the wordmark's row, so they never
    # crowd the logo and never need cutting around it.
    if width >= height * 1.3:  # landscape: headline on the left half, shapes on the right
        text_box = (margin, margin, width // 2 - margin // 2, height - margin)
        art_box = (width // 2 + margin // 2, 0, width, clear_box[1])
    else:  # square or portrait: headline on top, shapes below
        text_bottom = margin + round(height * (0.30 if height > width * 1.3 else 0.36))
        text_box = (margin, margin, width - margin, text_bottom)
        art_box = (0, text_bottom + margin // 2, width, clear_box[1])
    return Layout(width, height, margin, text_box, art_box, wordmark_box, clear_box)


def hash_bytes(prompt_hash: str) -> bytes:
    """The prompt hash as bytes: each design choice reads its own byte, so choices are independent."""
    try:
        raw = bytes.fromhex(prompt_hash)
    except ValueError:
        raw = b""
    # A hash that is not a SHA-256 hex digest (a hand-made job) still gives 32 well-mixed bytes.
    return raw if len(raw) >= 32 else hashlib.sha256(prompt_hash.encode("utf-8")).digest()


def _u(digits: bytes, i: int) -> float:
    return digits[i % len(digits)] / 255


def _draw_art(composition: str, layout: Layout, palette: Palette, digits: bytes) -> Image.Image:
    """The composition's shapes, clipped to the art box, on a transparent canvas-sized layer."""
    ss = SUPERSAMPLE
    ax0, ay0, ax1, ay1 = layout.art_box
    aw, ah = ax1 - ax0, ay1 - ay0
    layer = Image.new("RGBA", (aw * ss, ah * ss), (*palette.background, 0))
    draw = ImageDraw.Draw(layer)
    # Distinct colours only: a kit whose roles share a colour would otherwise merge touching shapes.
    colours = list(dict.fromkeys([palette.primary, palette.secondary, palette.accent]))
    rotate = digits[1] % len(colours)  # which colour leads
    colours = colours[rotate:] + colours[:rotate]
    short = min(aw, ah)
    m = layout.margin

    def px(v: float) -> int:
        return round(v * ss)

    if composition == "bands":
        angle = math.radians((-32, -22, 22, 32)[digits[2] % 4])
        dx, dy = math.cos(angle), math.sin(angle)
        nx, ny = -dy, dx
        cx, cy = aw * (0.45 + 0.1 * _u(digits, 3)), ah * (0.5 + 0.1 * _u(digits, 4))
        length = aw + ah
        offset = -short * 0.32
        for i in range(3):
            colour = colours[i % len(colours)]
            band = short * (0.16 + 0.1 * _u(digits, 5 + i))
            mx, my = cx + nx * (offset + band / 2), cy + ny * (offset + band / 2)
            corners = [
                (mx - dx * length - nx * band / 2, my - dy * length - ny * band / 2),
                (mx + dx * length - nx * band / 2, my + dy * length - ny * band / 2),
                (mx + dx * length + nx * band / 2, my + dy * length + ny * band / 2),
                (mx - dx * length + nx * band / 2, my - dy * length + ny * band / 2),
            ]
            draw.polygon([(px(x), px(y)) for x, y in corners], fill=(*colour, 255))
            offset += band + short * 0.05
    elif composition == "circles":
        r1 = short * (0.36 + 0.08 * _u(digits, 3))
        circles = [  # (x, y, radius) relative to the big disc's centre
            (0.0, 0.0, r1),
            (r1 * 0.95, -r1 * 0.55, r1 * (0.5 + 0.15 * _u(digits, 6))),
            (r1 * 1.15, r1 * 0.75, r1 * 0.32),
        ]
        cx, cy = aw * (0.3 + 0.12 * _u(digits, 4)), ah * (0.5 + 0.1 * _u(digits, 5))
        # Discs may bleed off the canvas edge, but an edge inside the canvas (the headline's or the
        # wordmark's side of the art box) would slice them: shrink and shift the group to clear it.
        inset = m * 0.25
        lo_x = -math.inf if ax0 == 0 else inset
        hi_x = math.inf if ax1 == layout.width else aw - inset
        lo_y = -math.inf if ay0 == 0 else inset
        hi_y = ah - inset
        gx0, gx1 = min(x - r for x, _, r in circles), max(x + r for x, _, r in circles)
        gy0, gy1 = min(y - r for _, y, r in circles), max(y + r for _, y, r in circles)
        scale = min(1.0, (hi_x - lo_x) / (gx1 - gx0), (hi_y - lo_y) / (gy1 - gy0))
        circles = [(x * scale, y * scale, r * scale) for x, y, r in circles]
        gx0, gx1, gy0, gy1 = gx0 * scale, gx1 * scale, gy0 * scale, gy1 * scale
        cx = min(max(cx, lo_x - gx0), hi_x - gx1)
        cy = min(max(cy, lo_y - gy0), hi_y - gy1)
        for i, (x, y, r) in enumerate(circles):
            bounds = (px(cx + x - r), px(cy + y - r), px(cx + x + r), px(cy + y + r))
            if i < 2:
                draw.ellipse(bounds, fill=(*colours[i % len(colours)], 255))
            else:
                draw.ellipse(bounds, outline=(*colours[i % len(colours)], 255), width=px(r * 0.28))
    elif composition == "grid":
        cols = 4 + digits[3] % 2 if aw >= ah * 0.8 else 4
        cell = (aw - 2 * m) / cols
        gap = cell * 0.14
        rows = max(1, int(ah // cell))
        top = (ah - rows * cell) / 2
        for row in range(rows):
            for col in range(cols):
                pick = digits[(6 + row * cols + col) % len(digits)]
                if pick % 5 == 0:
                    continue  # a few empty cells give the grid rhythm
                x0, y0 = m + col * cell + gap / 2, top + row * cell + gap / 2
                x1, y1 = x0 + cell - gap, y0 + cell - gap
                tile = (*colours[pick % len(colours)], 255)
                box = (px(x0), px(y0), px(x1), px(y1))
                if (pick >> 3) % 3 == 0:
                    draw.ellipse(box, fill=tile)
                else:
                    draw.rounded_rectangle(box, radius=px(cell * 0.16), fill=tile)
    else:  # arches: concentric quarter discs rising from the bottom-left corner
        ox, oy = aw * 0.08 * _u(digits, 3), ah
        radius = min(aw * 0.85, ah * 0.95)
        rings = 4
        ring = radius / (rings + 0.6)
        for i in range(rings):
            r = radius - i * ring
            # One colour alone alternates with the page, or the rings would read as one disc.
            colour = colours[i % len(colours)] if len(colours) > 1 or i % 2 == 0 else palette.background
            draw.ellipse((px(ox - r), px(oy - r), px(ox + r), px(oy + r)), fill=(*colour, 255))
        r = radius - rings * ring
        draw.ellipse((px(ox - r), px(oy - r), px(ox + r), px(oy + r)), fill=(*palette.background, 255))

    art = Image.new("RGBA", (layout.width, layout.height), (*palette.background, 0))
    art.paste(layer.resize((aw, ah), Image.Resampling.BOX), (ax0, ay0))
    return art


def _headline(text: str, layout: Layout, palette: Palette) -> tuple[Image.Image, tuple[int, int], int, int]:
    """The headline patch, where it goes, its line count, and the y where its accent rule ends."""
    tx0, ty0, tx1, ty1 = layout.text_box
    tw, th = tx1 - tx0, ty1 - ty0
    short = min(layout.width, layout.height)
    rule_h = max(2, round(short * 0.012))
    room = th - 3 * rule_h  # the rule and its gap sit under the text, inside the box
    size, lines = fit_text(text, tw, room, largest=round(short * 0.095), smallest=max(10, round(short * 0.04)))
    face = font(size)
    ascent, _ = face.getmetrics()
    patch = Image.new("RGBA", (tw, th), (*palette.text, 0))
    draw = ImageDraw.Draw(patch)
    step = round(size * LINE_SPACING)
    stroke = max(0, size // 36)  # the embedded font has one weight: a hairline stroke makes it a headline
    for i, line in enumerate(lines):
        draw.text(
            (0, ascent + i * step),
            line,
            font=face,
            fill=(*palette.text, 255),
            anchor="ls",
            stroke_width=stroke,
            stroke_fill=(*palette.text, 255),
        )
    rule_y = min(th - rule_h, (len(lines) - 1) * step + ascent + size // 2 + rule_h)
    draw.rectangle((0, rule_y, round(tw * 0.2), rule_y + rule_h - 1), fill=(*palette.accent, 255))
    return patch, (tx0, ty0), len(lines), ty0 + rule_y + rule_h


def build_scene(job: GenerationJob, width: int, height: int) -> Scene:
    kit = job.brand_kit
    palette = resolve_palette(kit)
    digits = hash_bytes(job.prompt_hash)
    composition = COMPOSITIONS[digits[0] % len(COMPOSITIONS)]
    brand = kit.voice.brand_name or kit.name
    box, clear = _wordmark(brand, palette, max(10, round(min(width, height) * 0.034)), max_width=width // 2)
    layout = _layout(width, height, box.size, clear)
    text = job.overlay_text or headline_of(job.brief or job.prompt, brand)
    headline, headline_at, lines, text_end = _headline(text, layout, palette)
    ax0, ay0, ax1, ay1 = layout.art_box
    if ay0 > text_end:  # a short headline leaves room: the shapes take it
        layout = replace(layout, art_box=(ax0, max(text_end + layout.margin, ay1 // 3), ax1, ay1))
    art = _draw_art(composition, layout, palette, digits)
    cx0, cy0, cx1, cy1 = layout.clear_box
    patch = Image.new("RGB", (cx1 - cx0, cy1 - cy0), palette.background)
    patch.paste(box, (layout.wordmark_box[0] - cx0, layout.wordmark_box[1] - cy0), box)
    return Scene(
        layout=layout,
        palette=palette,
        composition=composition,
        art=art,
        headline=headline,
        headline_at=headline_at,
        headline_lines=lines,
        wordmark=patch,
        wordmark_at=(cx0, cy0),
    )


def render_still(scene: Scene) -> Image.Image:
    frame = Image.new("RGB", (scene.layout.width, scene.layout.height), scene.palette.background)
    frame.paste(scene.art, (0, 0), scene.art)
    frame.paste(scene.headline, scene.headline_at, scene.headline)
    frame.paste(scene.wordmark, scene.wordmark_at)
    return frame


def scene_parameters(scene: Scene) -> dict[str, object]:
    # The headline's words come from the prompt: provenance keeps the prompt's hash, never its text.
    return {
        "generator": GENERATOR,
        "composition": scene.composition,
        "width": scene.layout.width,
        "height": scene.layout.height,
        "palette": scene.palette.as_hex(),
        "headlineLines": scene.headline_lines,
        "font": "Pillow embedded (Aileron Regular)",
    }


def png_bytes(image: Image.Image) -> bytes:
    info = PngInfo()
    # Fixed text chunks and no tIME chunk: the same job gives the same bytes.
    info.add_text("Software", f"FlashFusion {GENERATOR} ({DATASET_TAG})")
    info.add_text("Comment", "Generated offline by a procedural generator, not by an AI model.")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", pnginfo=info, compress_level=6)
    return buffer.getvalue()


def jpeg_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    # No EXIF or timestamps: the same job gives the same bytes.
    image.convert("RGB").save(buffer, format="JPEG", quality=92, optimize=True, progressive=False)
    return buffer.getvalue()


# Platforms whose publishing APIs take JPEG only (see linting/platforms.py).
JPEG_CHANNELS = frozenset({"instagram", "tiktok"})


class OfflineImageProvider:
    name = "local"

    def generate(self, job: GenerationJob) -> GeneratedContent:
        width, height = requested_size(job, DEFAULT_IMAGE_SIZE, minimum=64, maximum=4096)
        scene = build_scene(job, width, height)
        still = render_still(scene)
        jpeg = (job.channel or "").lower() in JPEG_CHANNELS
        return GeneratedContent(
            data=jpeg_bytes(still) if jpeg else png_bytes(still),
            mime_type="image/jpeg" if jpeg else "image/png",
            extension="jpg" if jpeg else "png",
            vendor_model=job.model.vendor_model,
            offline=True,
            dataset_tag=DATASET_TAG,
            usage={"images": 1.0},
            parameters={**scene_parameters(scene), "size": f"{width}x{height}"},
        )
