"""The offline video's encoder settings trade speed for nothing a viewer or the linter sees: every decoded
frame stays close to the frame that was drawn (text edges and brand colours survive the encode)."""

from __future__ import annotations

import io

import av
import numpy as np
import pytest

from flashfusion.providers.offline_image import build_scene, hash_bytes
from flashfusion.providers.offline_video import FPS, encode_mp4, frames
from tests.unit.providers.test_offline_media import PROMPTS, make_job

WIDTH, HEIGHT = 360, 640


def luma(frame: av.VideoFrame) -> np.ndarray:
    return frame.to_ndarray()[:HEIGHT].astype(np.int16)  # yuv420p as one array: the Y plane's rows first


@pytest.mark.parametrize("prompt", PROMPTS[:2])
def test_every_decoded_frame_is_close_to_the_frame_drawn(prompt: str) -> None:
    job = make_job("video", prompt, size=f"{WIDTH}x{HEIGHT}", duration_seconds=2)
    scene = build_scene(job, WIDTH, HEIGHT)
    count = 2 * FPS
    drawn = [luma(frame) for frame in frames(scene, count, hash_bytes(job.prompt_hash))]
    data = encode_mp4(frames(scene, count, hash_bytes(job.prompt_hash)), WIDTH, HEIGHT)
    with av.open(io.BytesIO(data), mode="r") as container:
        decoded = [luma(frame) for frame in container.decode(video=0)]
    assert len(decoded) == count
    errors = [np.abs(got - want) for got, want in zip(decoded, drawn, strict=True)]
    worst_psnr = min(10 * np.log10(255**2 / max(float((e.astype(np.float64) ** 2).mean()), 1e-9)) for e in errors)
    # Measured: crf 20 and qp 16 give 55.6-56.1 dB and at most 9 levels; crf 26 or qp 22 give ~50 dB, 19-20.
    assert worst_psnr >= 54.0
    assert max(int(e.max()) for e in errors) <= 12
