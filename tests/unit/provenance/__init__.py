"""Content Credentials tests. Small real media, made in-process: Pillow PNG/JPEG, PyAV MP4, stdlib WAV."""

from __future__ import annotations

import io
import math
import os
import struct
import tempfile
import wave
from fractions import Fraction

import av
from PIL import Image, ImageDraw


def make_png(size: tuple[int, int] = (64, 48), colour: tuple[int, int, int] = (200, 40, 90)) -> bytes:
    image = Image.new("RGB", size, colour)
    ImageDraw.Draw(image).ellipse((8, 8, size[0] - 8, size[1] - 8), fill=(20, 120, 220))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def make_jpeg(size: tuple[int, int] = (64, 48), colour: tuple[int, int, int] = (30, 160, 70)) -> bytes:
    image = Image.new("RGB", size, colour)
    ImageDraw.Draw(image).rectangle((10, 10, 40, 30), fill=(250, 250, 250))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)  # Pillow writes a JFIF APP0 segment first
    return buffer.getvalue()


def make_mp4(frames: int = 6, size: tuple[int, int] = (64, 64)) -> bytes:
    # The project's encoder settings (offline_video): H.264 yuv420p, moov first (faststart).
    # faststart rewrites the file after muxing, which needs a real file rather than a BytesIO.
    with tempfile.TemporaryDirectory(prefix="ffo-test-mp4-") as folder:
        path = os.path.join(folder, "clip.mp4")
        _encode_mp4(path, frames, size)
        with open(path, "rb") as handle:
            return handle.read()


def _encode_mp4(path: str, frames: int, size: tuple[int, int]) -> None:
    with av.open(path, mode="w", format="mp4", options={"movflags": "+faststart"}) as container:
        stream = container.add_stream("libx264", rate=12)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.codec_context.time_base = Fraction(1, 12)
        stream.options = {"preset": "ultrafast", "crf": "28"}
        for index in range(frames):
            image = Image.new("RGB", size, (index * 40 % 255, 80, 160))
            frame = av.VideoFrame.from_image(image).reformat(format="yuv420p")
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))


def make_wav(samples: int = 800, rate: int = 8000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(
            b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate))) for i in range(samples))
        )
    return buffer.getvalue()


def decode_mp4_frames(data: bytes) -> int:
    with av.open(io.BytesIO(data)) as container:
        return sum(1 for _ in container.decode(video=0))


def decode_wav(data: bytes) -> tuple[int, bytes]:
    with wave.open(io.BytesIO(data), "rb") as reader:
        return reader.getnframes(), reader.readframes(reader.getnframes())


def decode_image(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
