"""The offline video generator: the embedded default when no video vendor is configured.

It is not a video model. It animates the offline image generator's scene (palette background, the
composition sliding in, the headline fading in, a shape drifting on a loop, the wordmark) and encodes
it as MP4 (H.264, yuv420p, BT.709, moov atom first) with PyAV, whose wheels bundle FFmpeg and libx264,
so the file is one every social platform accepts and Lambda needs no ffmpeg binary of its own.
Same job, same bytes: the frames depend only on the prompt hash and the brand kit, and x264 is
deterministic with its default settings, threads included.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Iterator
from fractions import Fraction

import av
import numpy as np
import numpy.typing as npt
from av.video.reformatter import Colorspace, VideoReformatter
from PIL import Image, ImageDraw

from flashfusion.errors import ProviderRejected
from flashfusion.providers.base import GeneratedContent, GenerationJob
from flashfusion.providers.offline_image import (
    DATASET_TAG,
    SUPERSAMPLE,
    Scene,
    build_scene,
    hash_bytes,
    requested_size,
    scene_parameters,
)
from flashfusion.routing.pricing import seconds_for

DEFAULT_VIDEO_SIZE = "1080x1920"
FPS = 24  # every platform takes 24 fps, and a fifth fewer frames than 30 keeps encoding quick
MAX_MACROBLOCKS = 8192  # H.264 level 4.x frame-size limit (1920x1080, 1080x1920): what phones decode
INTRO_SECONDS = 0.8
HEADLINE_FADE = (0.15, 0.65)  # (start, length) in seconds: done with the shapes at 0.8 s
# ultrafast is ~2x faster than veryfast on flat graphics and writes Constrained Baseline, which every
# phone and platform decodes. A constant quantiser rather than crf: crf analyses every frame at half size
# to rate it (~25 % of the encode here); qp 16 keeps the worst frame at least as close to the source as
# crf 20 did (luma PSNR 59.4 vs 58.1 dB, largest error 10 levels for both) at about the same size (~0.17 MB/s).
X264_OPTIONS = {"preset": "ultrafast", "qp": "16"}
# BT.709, limited range: what players assume for HD; tagged so none of them has to guess.
BT709 = 1
LIMITED_RANGE = 1


def _ease_out(x: float) -> float:
    x = min(1.0, max(0.0, x))
    return 1 - (1 - x) ** 3


def _even_size(width: int, height: int) -> tuple[int, int]:
    # 4:2:0 chroma needs even dimensions: round down one pixel rather than refuse the request.
    return width - width % 2, height - height % 2


def _disc(radius: int, fill: tuple[int, int, int], edge: tuple[int, int, int]) -> Image.Image:
    """The drifting shape: a disc with a thin ring in the page colour, so it shows over any shape."""
    ss = SUPERSAMPLE
    size = 2 * radius * ss
    big = Image.new("RGBA", (size, size), (*fill, 0))
    draw = ImageDraw.Draw(big)
    draw.ellipse((0, 0, size - 1, size - 1), fill=(*edge, 255))
    ring = max(ss, round(radius * 0.12) * ss)
    draw.ellipse((ring, ring, size - 1 - ring, size - 1 - ring), fill=(*fill, 255))
    return big.resize((2 * radius, 2 * radius), Image.Resampling.BOX)


def _yuv(image: Image.Image, reformatter: VideoReformatter) -> av.VideoFrame:
    # A reformatter keeps its swscale context while sizes repeat; a fresh one per frame costs ~1 ms.
    return reformatter.reformat(
        av.VideoFrame.from_image(image),
        format="yuv420p",
        src_colorspace=Colorspace.ITU709,
        dst_colorspace=Colorspace.ITU709,
    )


def _planes(frame: av.VideoFrame) -> list[npt.NDArray[np.uint8]]:
    """Writable views of a yuv420p frame's Y, U and V planes, without their row padding."""
    return [
        np.frombuffer(memoryview(plane), dtype=np.uint8).reshape(plane.height, plane.line_size)[:, : plane.width]
        for plane in frame.planes
    ]


PATCH_PAD = 8  # converted around the disc but not copied: keeps chroma filtering edges out of the frame


def frames(scene: Scene, count: int, seed: bytes) -> Iterator[av.VideoFrame]:
    """The animation as yuv420p frames.

    The intro (shapes rising, headline fading in) is drawn and converted whole. After it the picture
    only changes where the disc is, so each frame is the settled picture's YUV planes plus a small
    converted patch around the disc: colour conversion of full 1080x1920 frames would otherwise cost
    as much as encoding them.
    """
    layout, palette = scene.layout, scene.palette
    width, height = layout.width, layout.height
    ax0, ay0, ax1, ay1 = layout.art_box
    art = scene.art.crop(layout.art_box)
    rise = round(height * 0.12)
    headline_alpha = scene.headline.getchannel("A")
    headline_rgb = scene.headline.convert("RGB")
    fade_start, fade_len = HEADLINE_FADE
    short = min(ax1 - ax0, ay1 - ay0)
    radius = max(4, round(short * 0.07))
    disc = _disc(radius, palette.accent, palette.background)
    # A Lissajous path over the whole clip: it ends where it began, so the clip loops cleanly.
    phase_x, phase_y = seed[20] / 255 * math.tau, seed[21] / 255 * math.tau
    span_x, span_y = (ax1 - ax0) / 2 - radius * 1.5, (ay1 - ay0) / 2 - radius * 1.5
    centre_x, centre_y = (ax0 + ax1) / 2, (ay0 + ay1) / 2
    background = Image.new("RGB", (width, height), palette.background)
    settled = background.copy()
    settled.paste(art, (ax0, ay0), art)
    settled.paste(scene.headline, scene.headline_at, scene.headline)
    settled.paste(scene.wordmark, scene.wordmark_at)
    settled_planes: list[npt.NDArray[np.uint8]] | None = None
    whole, patch = VideoReformatter(), VideoReformatter()
    for index in range(count):
        t = index / FPS
        turn = math.tau * index / max(1, count)
        x = round(centre_x + span_x * math.sin(turn + phase_x)) - radius
        y = round(centre_y + span_y * math.sin(2 * turn + phase_y)) - radius
        headline_level = _ease_out((t - fade_start) / fade_len)
        if t < INTRO_SECONDS or headline_level < 1.0:
            frame = background.copy()
            offset = round(rise * (1 - _ease_out(t / INTRO_SECONDS)))
            if offset < art.height:  # the shapes rise out of the art box's floor, never below it
                rising = art.crop((0, 0, art.width, art.height - offset))
                frame.paste(rising, (ax0, ay0 + offset), rising)
            if headline_level > 0:
                mask = headline_alpha.point([round(v * headline_level) for v in range(256)])
                hx, hy = scene.headline_at
                frame.paste(headline_rgb, (hx, hy + round(rise * 0.25 * (1 - headline_level))), mask)
            frame.paste(scene.wordmark, scene.wordmark_at)
            frame.paste(disc, (x, y), disc)
            yield _yuv(frame, whole)
            continue
        if settled_planes is None:
            settled_planes = [plane.copy() for plane in _planes(_yuv(settled, whole))]
        out = av.VideoFrame(width, height, "yuv420p")
        for target, source in zip(_planes(out), settled_planes, strict=True):
            target[:] = source
        # The disc's box on even pixels (4:2:0 chroma covers 2x2), and a padded box around it.
        dx0, dy0 = max(0, x - x % 2), max(0, y - y % 2)
        dx1, dy1 = min(width, x + 2 * radius + 2 - x % 2), min(height, y + 2 * radius + 2 - y % 2)
        dx1, dy1 = dx1 - (dx1 - dx0) % 2, dy1 - (dy1 - dy0) % 2
        px0, py0 = max(0, dx0 - PATCH_PAD), max(0, dy0 - PATCH_PAD)
        px1, py1 = min(width, dx1 + PATCH_PAD), min(height, dy1 + PATCH_PAD)
        px1, py1 = px1 - (px1 - px0) % 2, py1 - (py1 - py0) % 2
        crop = settled.crop((px0, py0, px1, py1))
        crop.paste(disc, (x - px0, y - py0), disc)
        for level, (target, source) in enumerate(zip(_planes(out), _planes(_yuv(crop, patch)), strict=True)):
            k = 1 if level == 0 else 2  # chroma planes are half size
            target[dy0 // k : dy1 // k, dx0 // k : dx1 // k] = source[
                (dy0 - py0) // k : (dy1 - py0) // k, (dx0 - px0) // k : (dx1 - px0) // k
            ]
        yield out


def encode_mp4(video: Iterator[av.VideoFrame], width: int, height: int) -> bytes:
    # The mp4 muxer's faststart pass rewrites the file to put the index first (players and platforms
    # start streaming sooner); it needs a seekable real file, so encode to a temporary one (/tmp in Lambda).
    with tempfile.TemporaryDirectory(prefix="ffo-video-") as folder:
        path = os.path.join(folder, "out.mp4")
        with av.open(path, mode="w", format="mp4", options={"movflags": "+faststart"}) as container:
            stream = container.add_stream("libx264", rate=FPS)
            stream.width, stream.height = width, height
            stream.pix_fmt = "yuv420p"
            stream.options = dict(X264_OPTIONS)
            context = stream.codec_context
            context.gop_size = 2 * FPS  # a keyframe every 2 s: seekable, and what platforms recommend
            context.color_primaries = BT709
            context.color_trc = BT709
            context.colorspace = BT709
            context.color_range = LIMITED_RANGE
            for index, frame in enumerate(video):
                frame.pts = index
                frame.time_base = Fraction(1, FPS)
                container.mux(stream.encode(frame))
            container.mux(stream.encode(None))
        with open(path, "rb") as handle:
            return handle.read()


class OfflineVideoProvider:
    name = "local"

    def generate(self, job: GenerationJob) -> GeneratedContent:
        spec = job.model
        width, height = _even_size(*requested_size(job, DEFAULT_VIDEO_SIZE, minimum=128, maximum=1920))
        if math.ceil(width / 16) * math.ceil(height / 16) > MAX_MACROBLOCKS:
            raise ProviderRejected(
                f"video size {width}x{height} is larger than H.264 level 4 allows (1920x1080 or 1080x1920)",
                provider=spec.provider,
                model=spec.id,
            )
        seconds = seconds_for(spec, job.options.duration_seconds)
        count = max(1, round(seconds * FPS))
        scene = build_scene(job, width, height)
        data = encode_mp4(frames(scene, count, hash_bytes(job.prompt_hash)), width, height)
        duration = count / FPS
        return GeneratedContent(
            data=data,
            mime_type="video/mp4",
            extension="mp4",
            vendor_model=spec.vendor_model,
            offline=True,
            dataset_tag=DATASET_TAG,
            usage={"videoSeconds": duration},
            parameters={
                **scene_parameters(scene),
                "size": f"{width}x{height}",
                "durationSeconds": duration,
                "fps": FPS,
                "frames": count,
                "container": "mp4",
                "codec": "h264",
                "pixelFormat": "yuv420p",
                "colorSpace": "bt709",
            },
        )
