"""The offline image, video and music generators: real, decodable files, deterministic, on brand."""

from __future__ import annotations

import io
import json
import wave
from dataclasses import replace
from typing import Any

import av
import numpy as np
import pytest
from av.video.reformatter import Colorspace
from PIL import Image

from flashfusion.errors import ProviderRejected
from flashfusion.models import BrandKit, ContentType, prompt_hash
from flashfusion.providers.base import GeneratedContent, GenerationJob, GenerationOptions
from flashfusion.providers.offline_image import (
    COMPOSITIONS,
    DATASET_TAG,
    NEUTRAL,
    OfflineImageProvider,
    contrast,
    headline_of,
    hex_to_rgb,
    printable,
    resolve_palette,
)
from flashfusion.providers.offline_music import OfflineMusicProvider
from flashfusion.providers.offline_video import FPS, OfflineVideoProvider
from flashfusion.routing.matrix import load_matrix_file
from tests.helpers import ROOT

MATRIX = load_matrix_file()
KIT = BrandKit.model_validate(json.loads((ROOT / "events" / "brand-kit.sample.json").read_text("utf-8")))
PALETTE = {hex_to_rgb(c.hex) for c in KIT.palette}
NO_PALETTE = BrandKit(kit_id="plain", name="Plain Co")
# One prompt per composition (the hash picks it), so every drawing path runs.
PROMPTS = ["Spring collection launch", "Autumn hiking boots", "Winter jackets sale", "New store in Bergen"]

MEDIUM = {"image": ContentType.IMAGE, "video": ContentType.VIDEO, "music": ContentType.MUSIC}


def make_job(
    medium: str,
    prompt: str = PROMPTS[0],
    *,
    kit: BrandKit = KIT,
    tier: str = "standard",
    **options: Any,
) -> GenerationJob:
    return GenerationJob(
        request_id="req-1",
        content_type=MEDIUM[medium],
        prompt=prompt,
        prompt_hash=prompt_hash(prompt),
        model=MATRIX.get(f"local/{medium}-{tier}"),
        brand_kit=kit,
        options=GenerationOptions(**options),
    )


def assert_offline(content: GeneratedContent, job: GenerationJob) -> None:
    assert content.offline is True
    assert content.dataset_tag == DATASET_TAG
    assert content.vendor_model == job.model.vendor_model
    assert content.cost_usd is None  # priced from usage by the matrix (free rows cost 0)


# --- image ------------------------------------------------------------------------------------------


def png(content: GeneratedContent) -> Image.Image:
    image = Image.open(io.BytesIO(content.data))
    image.load()
    return image


def colour_shares(image: Image.Image) -> list[tuple[float, tuple[int, int, int]]]:
    rgb = image.convert("RGB")
    total = rgb.width * rgb.height
    counts = rgb.getcolors(maxcolors=total) or []
    return sorted(((n / total, c) for n, c in counts), reverse=True)


def test_image_is_a_png_at_the_models_default_size_marked_offline() -> None:
    job = make_job("image")
    content = OfflineImageProvider().generate(job)
    image = png(content)
    assert image.format == "PNG"
    assert job.model.limits.default_size == "1080x1080"
    assert image.size == (1080, 1080)
    assert (content.mime_type, content.extension) == ("image/png", "png")
    assert_offline(content, job)
    assert content.usage == {"images": 1.0}
    assert content.parameters["composition"] in COMPOSITIONS
    assert content.parameters["palette"]["background"] == "#E8F1F2"
    assert image.text["Software"] == "FlashFusion offline-procedural (offline-procedural-v1)"
    assert b"tIME" not in content.data  # no timestamp chunk: same job, same bytes
    assert "Spring" not in json.dumps(content.parameters)  # prompt words stay out of provenance


@pytest.mark.parametrize(
    ("options", "size"),
    [
        ({"size": "1080x1350"}, (1080, 1350)),
        ({"size": "1200 x 628"}, (1200, 628)),
        ({"aspect_ratio": "16:9"}, (1920, 1080)),
        ({"aspect_ratio": "9:16"}, (1080, 1920)),
        ({"aspect_ratio": "4:5"}, (1080, 1350)),
    ],
)
def test_image_follows_the_requested_size_or_aspect_ratio(options: dict[str, str], size: tuple[int, int]) -> None:
    assert png(OfflineImageProvider().generate(make_job("image", **options))).size == size


@pytest.mark.parametrize("prompt", PROMPTS)
def test_image_dominant_colours_are_the_kits_palette(prompt: str) -> None:
    shares = colour_shares(png(OfflineImageProvider().generate(make_job("image", prompt))))
    top = [colour for share, colour in shares[:3]]
    assert set(top) <= PALETTE
    # Anti-aliased edges blend neighbours; nearly every pixel is still exactly a brand colour.
    assert sum(share for share, colour in shares if colour in PALETTE) > 0.97


def test_every_composition_is_reachable_from_some_prompt() -> None:
    made = [OfflineImageProvider().generate(make_job("image", p, size="360x360")) for p in PROMPTS]
    seen = {content.parameters["composition"] for content in made}
    assert seen == set(COMPOSITIONS)


def test_image_is_deterministic_and_prompts_change_it() -> None:
    first = OfflineImageProvider().generate(make_job("image"))
    again = OfflineImageProvider().generate(make_job("image"))
    assert first.data == again.data
    assert first == again
    others = {OfflineImageProvider().generate(make_job("image", p, size="360x360")).data for p in PROMPTS}
    assert len(others) == len(PROMPTS)
    # Same composition, different words: the headline alone changes the picture.
    assert (
        OfflineImageProvider().generate(make_job("image", "Spring collection launch", size="360x360")).data
        != OfflineImageProvider().generate(make_job("image", "Spring collection launch!!", size="360x360")).data
    )


def test_image_without_a_palette_uses_the_neutral_default() -> None:
    content = OfflineImageProvider().generate(make_job("image", kit=NO_PALETTE))
    shares = colour_shares(png(content))
    neutral = {NEUTRAL.background, NEUTRAL.primary, NEUTRAL.secondary, NEUTRAL.accent, NEUTRAL.text}
    assert shares[0][1] == NEUTRAL.background
    assert {colour for _, colour in shares[:3]} <= neutral


def test_partial_palettes_still_give_readable_text() -> None:
    only_primary = BrandKit.model_validate(
        {"kitId": "red", "name": "Red", "palette": [{"name": "Red", "hex": "#C0392B", "role": "primary"}]}
    )
    palette = resolve_palette(only_primary)
    assert palette.background == (255, 255, 255)
    assert palette.primary == (0xC0, 0x39, 0x2B)
    dark = BrandKit.model_validate(
        {
            "kitId": "night",
            "name": "Night",
            "palette": [
                {"name": "Ink", "hex": "#101820", "role": "background"},
                {"name": "Sun", "hex": "#FEE715", "role": "primary"},
                {"name": "Shadow", "hex": "#202830", "role": "text"},  # unreadable on the background
            ],
        }
    )
    palette = resolve_palette(dark)
    assert palette.text == (0xFE, 0xE7, 0x15)
    assert contrast(palette.text, palette.background) >= 4.5
    for kit in (only_primary, dark):
        assert png(OfflineImageProvider().generate(make_job("image", kit=kit))).size == (1080, 1080)


def test_headline_comes_from_the_prompts_subject() -> None:
    assert headline_of("a LinkedIn image for the spring campaign, premium quality", "B") == "Spring campaign"
    assert headline_of('Poster with the text "Summer Sale -20%"', "B") == "Summer Sale -20%"
    assert headline_of("Create an Instagram post about our trail shoes", "B") == "Our trail shoes"
    long = headline_of("one two three four five six seven eight nine ten eleven", "B")
    assert long.endswith("…")
    assert len(long.split()) == 9
    assert headline_of("   ", "Aurora") == "Aurora"
    assert printable("Ærø Friluft \u2013 crème brûlée") == "AEro Friluft - creme brulee"


@pytest.mark.parametrize(
    "options", [{"size": "huge"}, {"size": "10x10"}, {"size": "9000x9000"}, {"aspect_ratio": "wide"}]
)
def test_image_refuses_sizes_it_cannot_make(options: dict[str, str]) -> None:
    with pytest.raises(ProviderRejected):
        OfflineImageProvider().generate(make_job("image", **options))


# --- video ------------------------------------------------------------------------------------------


def probe(data: bytes) -> dict[str, Any]:
    """What a player sees, read with the library that wrote it: every frame decoded and counted."""
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        first = last = None
        count = 0
        for frame in container.decode(stream):
            first = first or frame
            last = frame
            count += 1
        return {
            "codec": stream.codec_context.name,
            "pix_fmt": stream.codec_context.pix_fmt,
            "size": (stream.width, stream.height),
            "fps": stream.average_rate,
            "frames": count,
            "duration": (container.duration or 0) / 1_000_000,
            "first": first,
            "last": last,
        }


@pytest.fixture(scope="module")
def default_video() -> tuple[GenerationJob, GeneratedContent, dict[str, Any]]:
    job = make_job("video", "a TikTok video for the spring campaign")
    content = OfflineVideoProvider().generate(job)
    return job, content, probe(content.data)


def rgb(frame: av.VideoFrame) -> np.ndarray:
    return frame.to_ndarray(format="rgb24", src_colorspace=Colorspace.ITU709, dst_colorspace=Colorspace.ITU709)


def test_video_is_an_h264_mp4_at_the_models_defaults(
    default_video: tuple[GenerationJob, GeneratedContent, dict[str, Any]],
) -> None:
    job, content, info = default_video
    assert (content.mime_type, content.extension) == ("video/mp4", "mp4")
    assert_offline(content, job)
    assert info["codec"] == "h264"
    assert info["pix_fmt"] == "yuv420p"
    assert info["size"] == (1080, 1920)
    assert info["fps"] == FPS
    assert info["frames"] == 4 * FPS
    assert info["duration"] == pytest.approx(4.0, abs=0.05)
    assert content.usage == {"videoSeconds": 4.0}
    # faststart: the index (moov) comes before the media data, so playback starts while downloading.
    assert content.data[4:8] == b"ftyp"
    assert 0 < content.data.find(b"moov") < content.data.find(b"mdat")


def test_video_frames_are_on_palette_and_animated(
    default_video: tuple[GenerationJob, GeneratedContent, dict[str, Any]],
) -> None:
    _, _, info = default_video
    last, first = rgb(info["last"]), rgb(info["first"])
    # H.264 is lossy and YUV is limited range: brand colours come back within a few levels.
    background = np.array(hex_to_rgb("#E8F1F2"))
    assert np.abs(last[20, 540].astype(int) - background).max() <= 6
    pixels = last.reshape(-1, 3).astype(int)
    near = {colour: float((np.abs(pixels - np.array(colour)).max(axis=1) <= 8).mean()) for colour in PALETTE}
    assert near[hex_to_rgb("#E8F1F2")] > 0.4
    assert sum(near.values()) > 0.9
    # The headline fades in: the first frame's headline area is still the page colour.
    assert np.abs(first[150:260, 80:700].astype(int) - background).max() <= 6
    assert np.abs(last[150:260, 80:700].astype(int) - background).max() > 60


def test_video_is_deterministic_and_prompts_change_it() -> None:
    first = OfflineVideoProvider().generate(make_job("video", PROMPTS[0], size="360x640", duration_seconds=1))
    again = OfflineVideoProvider().generate(make_job("video", PROMPTS[0], size="360x640", duration_seconds=1))
    other = OfflineVideoProvider().generate(make_job("video", PROMPTS[1], size="360x640", duration_seconds=1))
    assert first.data == again.data
    assert first.data != other.data


@pytest.mark.parametrize(("asked", "made"), [(0.2, 1.0), (2.5, 2.5), (60.0, 15.0)])
def test_video_duration_is_clamped_to_the_models_limits(asked: float, made: float) -> None:
    content = OfflineVideoProvider().generate(make_job("video", size="128x128", duration_seconds=asked))
    info = probe(content.data)
    assert info["frames"] == round(made * FPS)
    assert info["duration"] == pytest.approx(made, abs=0.05)
    assert content.usage == {"videoSeconds": made}


def test_video_sizes_landscape_odd_and_too_large() -> None:
    landscape = OfflineVideoProvider().generate(make_job("video", size="640x360", duration_seconds=1))
    assert probe(landscape.data)["size"] == (640, 360)
    odd = OfflineVideoProvider().generate(make_job("video", size="361x641", duration_seconds=1))
    assert probe(odd.data)["size"] == (360, 640)  # 4:2:0 needs even sides
    assert odd.parameters["size"] == "360x640"
    with pytest.raises(ProviderRejected):
        OfflineVideoProvider().generate(make_job("video", size="1920x1920", duration_seconds=1))


def test_video_without_a_palette_uses_the_neutral_default() -> None:
    content = OfflineVideoProvider().generate(make_job("video", kit=NO_PALETTE, size="360x640", duration_seconds=1))
    corner = rgb(probe(content.data)["last"])[8, 180].astype(int)
    assert np.abs(corner - np.array(NEUTRAL.background)).max() <= 6


# --- music ------------------------------------------------------------------------------------------


def read_wav(content: GeneratedContent) -> tuple[Any, np.ndarray]:
    with wave.open(io.BytesIO(content.data), "rb") as reader:
        params = reader.getparams()
        samples = np.frombuffer(reader.readframes(params.nframes), dtype="<i2").reshape(-1, params.nchannels)
    return params, samples


def test_music_is_a_16bit_wav_at_the_models_default_length_without_clipping() -> None:
    job = make_job("music", "calm ambient background for a spa")
    content = OfflineMusicProvider().generate(job)
    params, samples = read_wav(content)
    assert (content.mime_type, content.extension) == ("audio/wav", "wav")
    assert_offline(content, job)
    assert (params.nchannels, params.sampwidth, params.framerate) == (2, 2, 44_100)
    assert params.nframes / params.framerate == job.model.limits.default_seconds == 12.0
    assert content.usage == {"audioSeconds": 12.0}
    peak = int(np.abs(samples.astype(int)).max())
    assert peak < 32767  # nothing at full scale
    # levelled to what the brand's linter checks: loudness on target, true peak under the ceiling
    from flashfusion.linting.audio import integrated_loudness, true_peak

    level = samples / 32768.0
    rules = job.brand_kit.audio
    assert integrated_loudness(level, 44_100) == pytest.approx(rules.target_lufs, abs=0.2)
    assert true_peak(level, 44_100) <= rules.max_true_peak_dbtp
    assert np.sqrt(np.mean((samples / 32768) ** 2)) > 0.02  # music, not near-silence
    assert np.abs(samples[0]).max() == 0  # faded in
    assert np.abs(samples[-100:]).max() < 200  # faded out


def test_music_tempo_and_mood_follow_the_prompts_words() -> None:
    def params(prompt: str) -> dict[str, Any]:
        return OfflineMusicProvider().generate(make_job("music", prompt, duration_seconds=2)).parameters

    calm = params("calm ambient")
    party = params("energetic party anthem")
    assert calm["mood"] == "calm"  # a tie goes to the word said first
    assert party["mood"] == "energetic"
    assert params("ambient drone for a calm spa")["mood"] == "ambient"
    assert calm["moodFrom"] == party["moodFrom"] == "keywords"
    assert calm["tempoBpm"] < 85 < 120 < party["tempoBpm"]
    assert params("a sad rainy evening")["scale"] == "minor"
    assert params("happy sunny morning")["scale"] == "major"
    assert params("epic cinematic launch")["mood"] == "epic"
    explicit = params("a track in F# minor at 92 bpm")
    assert (explicit["key"], explicit["tempoBpm"]) == ("F# minor", 92)
    unmarked = params("jingle for our shoe brand")
    assert unmarked["moodFrom"] == "hash"
    assert set(unmarked) >= {"tempoBpm", "key", "scale", "mood", "progression"}


def test_music_is_deterministic_and_prompts_change_it() -> None:
    first = OfflineMusicProvider().generate(make_job("music", "happy summer", duration_seconds=3))
    again = OfflineMusicProvider().generate(make_job("music", "happy summer", duration_seconds=3))
    other = OfflineMusicProvider().generate(make_job("music", "happy winter", duration_seconds=3))
    assert first.data == again.data
    assert first == again
    assert first.data != other.data


@pytest.mark.parametrize(("asked", "made"), [(None, 12.0), (0.5, 2.0), (7.5, 7.5), (600.0, 60.0)])
def test_music_duration_is_clamped_to_the_models_limits(asked: float | None, made: float) -> None:
    content = OfflineMusicProvider().generate(make_job("music", "ambient", duration_seconds=asked))
    params, _ = read_wav(content)
    assert params.nframes == round(made * 44_100)
    assert content.parameters["durationSeconds"] == made


def test_the_kit_changes_pictures_but_not_music() -> None:
    # Music has no colours: another kit gives the same track. A picture takes the kit's palette.
    music = [
        OfflineMusicProvider().generate(make_job("music", "calm", kit=k, duration_seconds=2)).data
        for k in (KIT, NO_PALETTE)
    ]
    assert music[0] == music[1]
    images = [OfflineImageProvider().generate(make_job("image", kit=k)).data for k in (KIT, NO_PALETTE)]
    assert images[0] != images[1]


def test_a_job_without_a_hex_hash_still_works() -> None:
    job = replace(make_job("image"), prompt_hash="not-a-sha256")
    assert png(OfflineImageProvider().generate(job)).size == (1080, 1080)
