"""Decode images within a memory bound, before any check sees a pixel.

A PNG of a few hundred kilobytes can declare 30000 x 30000 pixels (a decompression bomb): decoded to RGB
that is 2.7 GB, and the colour and logo checks make float copies of it. So:

- the size is read from the header first (Pillow's ``Image.open`` is lazy), and an image declaring more
  than ``MAX_DECLARED_PIXELS`` is refused with ``UnsupportedMedia`` before anything is decoded (as is
  anything Pillow itself calls a bomb, or cannot identify);
- what is decoded is reduced to at most ``LINT_PIXEL_BUDGET`` pixels: JPEG through ``draft`` (the DCT
  scales by 1/2, 1/4, 1/8 while decoding, so the full image never exists), other formats by box
  averaging (``Image.reduce``) right after the decode. The colour and logo checks downsample anyway.

Worst case in memory: a full decode of ``MAX_DECLARED_PIXELS`` at 4 bytes a pixel plus an RGB copy.
"""

from __future__ import annotations

import io
import math
import re
import warnings
from dataclasses import dataclass
from typing import Any

from flashfusion.errors import UnsupportedMedia

LINT_PIXEL_BUDGET = 4096 * 4096
"""Pixels handed to the checks at most (48 MB as RGB)."""
MAX_DECLARED_PIXELS = 85_000_000
"""Images declaring more are refused undecoded (a 9000 x 9000 image passes; Pillow warns at 89.5 Mpx)."""
REDUCIBLE_MODES = frozenset({"RGB", "RGBA", "L"})
"""Modes ``Image.reduce`` averages as they are; others (palette, 1-bit, 16-bit) are converted first."""


@dataclass(frozen=True)
class DecodedImage:
    pixels: Any
    """RGB uint8 array (height, width, 3), at most ``LINT_PIXEL_BUDGET`` pixels."""
    format: str
    """The file's format, lower case ("png", "jpeg"...); "" when Pillow does not say."""
    width: int
    """The declared (full) width."""
    height: int
    scale: float
    """Full width / decoded width: 1.0 when nothing was reduced."""


def describe_error(error: BaseException) -> str:
    """An exception's message without the object reprs (``<_io.BytesIO object at 0x...>``) some libraries add."""
    text = str(error) or type(error).__name__
    return _strip_reprs(text)


def _strip_reprs(text: str) -> str:
    return re.sub(r"\s*'?<[^<>]* object at 0x[0-9a-fA-F]+>'?", "", text).strip() or "unreadable"


def check_declared_size(width: int, height: int, what: str = "image") -> None:
    if width <= 0 or height <= 0:
        raise UnsupportedMedia(f"the {what} declares no pixels ({width}x{height})")
    if width * height > MAX_DECLARED_PIXELS:
        raise UnsupportedMedia(
            f"the {what} declares {width}x{height} pixels ({width * height / 1e6:.0f} Mpx), more than the "
            f"{MAX_DECLARED_PIXELS / 1e6:.0f} Mpx that can be linted; resize it and lint again"
        )


def reduction(width: int, height: int, budget: int) -> int:
    """The smallest integer factor that brings width x height within ``budget`` pixels."""
    factor = max(1, math.ceil(math.sqrt(width * height / budget)))
    while math.ceil(width / factor) * math.ceil(height / factor) > budget:
        factor += 1
    return factor


def open_image(data: bytes) -> Any:
    """A lazily opened Pillow image whose declared size is within bounds; nothing decoded yet."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise UnsupportedMedia(f"the image is a decompression bomb: {describe_error(error)}") from error
    except UnidentifiedImageError as error:
        raise UnsupportedMedia("the file is not an image Pillow can read") from error
    except (OSError, ValueError, SyntaxError) as error:
        raise UnsupportedMedia(f"the image could not be read: {describe_error(error)}") from error
    try:
        check_declared_size(*image.size)
    except UnsupportedMedia:
        image.close()
        raise
    return image


def decode_image(data: bytes, budget: int | None = None, mode: str = "RGB") -> DecodedImage:
    """Decode to a ``mode`` array of at most ``budget`` pixels; ``UnsupportedMedia`` for what cannot be."""
    import numpy as np
    from PIL import Image

    budget = budget or LINT_PIXEL_BUDGET
    with open_image(data) as image:
        fmt = (image.format or "").lower()
        width, height = image.size
        factor = reduction(width, height, budget)
        try:
            if factor > 1 and fmt in ("jpeg", "mpo"):
                image.draft("RGB", (math.ceil(width / factor), math.ceil(height / factor)))
            image.load()
            current: Any = image
            if current.mode not in REDUCIBLE_MODES and current.mode != mode:
                current = current.convert(mode)
            reduced_width, reduced_height = current.size
            left = reduction(reduced_width, reduced_height, budget)
            if left > 1:
                current = current.reduce(left)
            if current.mode != mode:
                current = current.convert(mode)
            pixels = np.asarray(current)
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
            raise UnsupportedMedia(f"the image could not be decoded: {describe_error(error)}") from error
    return DecodedImage(pixels, fmt, width, height, width / pixels.shape[1])
