"""The built-in brand style transfer (``operation: brand_style`` on a local model): the organisation's photo in
the brand kit's look, made here with numpy and Pillow (``flashfusion.imaging.brand_style``), no vendor call.

The upload is decoded within the linter's memory bound (a decompression bomb or a file that is not an image is
``ProviderRejected``: no retry or fallback makes it readable) and reduced to ``MAX_SIDE`` x ``MAX_SIDE`` pixels
at most (the record's ``size`` says what was made).
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from flashfusion.errors import ProviderRejected, UnsupportedMedia
from flashfusion.imaging.brand_style import (
    MAX_SIDE,
    StyleInputError,
    StyleOptions,
    add_marks,
    brand_style,
    compliant_share,
)
from flashfusion.linting.media import decode_image
from flashfusion.providers.base import GeneratedContent, GenerationJob, StyleSource
from flashfusion.providers.offline_image import JPEG_CHANNELS, jpeg_bytes

DATASET_TAG = "offline-brand-style-v1"
"""No model and no training data: a deterministic colour mapping of the organisation's own photo."""


def png_bytes(image: Image.Image) -> bytes:
    info = PngInfo()
    info.add_text("Software", f"FlashFusion brand style transfer ({DATASET_TAG})")
    info.add_text("Comment", "The organisation's photo recoloured toward its brand palette offline, not by AI.")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", pnginfo=info, compress_level=6)
    return buffer.getvalue()


def decode_source(style: StyleSource) -> Any:
    """The upload as an RGB array of at most MAX_SIDE x MAX_SIDE pixels."""
    try:
        return decode_image(style.data, budget=MAX_SIDE * MAX_SIDE, mode="RGB").pixels
    except UnsupportedMedia as error:
        raise ProviderRejected(f"the source image cannot be used: {error}") from error


def _logo_loader(style: StyleSource) -> Any:
    load = style.load_brand_file
    if load is None:
        return None

    def load_logo(key: str) -> Image.Image:
        pixels = decode_image(load(key), mode="RGBA").pixels
        return Image.fromarray(np.ascontiguousarray(pixels), mode="RGBA")

    return load_logo


def options_of(style: StyleSource) -> StyleOptions:
    return StyleOptions(strength=style.strength, place_logo=style.place_logo, headline=style.headline)


def marked_vendor_output(data: bytes, job: GenerationJob) -> tuple[bytes, dict[str, Any]]:
    """A vendor's restyled image with the kit's logo and the headline placed as the offline path places them
    (vendors recolour; where the logo may go is the kit's rule, not the model's): PNG bytes and parameters."""
    style = job.style
    if style is None:
        raise ProviderRejected("a brand_style job needs its source image")
    try:
        pixels = decode_image(data, budget=MAX_SIDE * MAX_SIDE, mode="RGB").pixels
    except UnsupportedMedia as error:
        raise ProviderRejected(f"the vendor's image cannot be read: {error}") from error
    source = decode_source(style)
    image, placed, notes = add_marks(
        Image.fromarray(np.ascontiguousarray(pixels)),
        job.brand_kit,
        options_of(style),
        load_logo=_logo_loader(style),
        load_font=style.load_brand_file,
    )
    parameters = {
        "operation": "brand_style",
        "colorShareBefore": round(compliant_share(np.ascontiguousarray(source), job.brand_kit), 4),
        "colorShareAfter": round(compliant_share(np.asarray(image), job.brand_kit), 4),
        "placed": placed,
        **notes,
    }
    return png_bytes(image), parameters


class OfflineBrandStyleProvider:
    name = "local"

    def generate(self, job: GenerationJob) -> GeneratedContent:
        style = job.style
        if style is None:
            raise ProviderRejected("a brand_style job needs its source image")
        pixels = decode_source(style)
        try:
            outcome = brand_style(
                np.ascontiguousarray(pixels),
                job.brand_kit,
                options_of(style),
                load_logo=_logo_loader(style),
                load_font=style.load_brand_file,
            )
        except StyleInputError as error:
            raise ProviderRejected(f"the photo cannot be styled: {error}") from error
        jpeg = (job.channel or "").lower() in JPEG_CHANNELS or style.mime_type == "image/jpeg"
        width, height = outcome.image.size
        return GeneratedContent(
            data=jpeg_bytes(outcome.image) if jpeg else png_bytes(outcome.image),
            mime_type="image/jpeg" if jpeg else "image/png",
            extension="jpg" if jpeg else "png",
            vendor_model=job.model.vendor_model,
            offline=True,
            dataset_tag=DATASET_TAG,
            usage={"images": 1.0},
            parameters={**outcome.parameters(), "size": f"{width}x{height}"},
        )
