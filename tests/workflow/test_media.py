"""Image, video and music through the real workflow; long jobs go submit -> Wait -> poll -> Choice."""

from __future__ import annotations

import io
import json
import wave
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ORG, ROOT, body_of, claims

EVENTS = ROOT / "events"


def body(name: str, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EVENTS / name).read_text("utf-8"))["body"]
    data.update(overrides)
    return data


def run(engine: Any, request: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    response = engine.api("POST", "/v1/assets", request, claims())
    assert response["statusCode"] == 202, response
    request_id = body_of(response)["requestId"]
    return request_id, engine.wait_for_execution(engine.execution_arn(request_id), timeout=120)


def saved(engine: Any, request_id: str) -> tuple[bytes, dict[str, Any], dict[str, Any]]:
    from flashfusion.wiring import get_deps

    status = body_of(engine.api("GET", f"/v1/requests/{request_id}", None, claims()))
    asset = status["asset"]
    data, _ = get_deps().assets.read(asset["key"])
    record = get_deps().provenance.get(ORG, asset["assetId"], asset["version"]).to_json()
    return data, asset, record


def entered(engine: Any, request_id: str) -> list[str]:
    return [
        e["stateEnteredEventDetails"]["name"]
        for e in engine.history(engine.execution_arn(request_id))
        if e["type"].endswith("StateEntered")
    ]


def test_image_request_saves_a_jpeg_for_instagram_in_the_requested_size(engine: Any) -> None:
    from PIL import Image

    request_id, execution = run(engine, body("image-post.json"))

    assert execution["status"] == "SUCCEEDED"
    data, asset, record = saved(engine, request_id)
    assert asset["key"].endswith("/1.jpg")  # Instagram's publishing API takes JPEG only
    assert asset["mimeType"] == "image/jpeg"
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert image.size == (1080, 1080)
    assert record["model"] == "local/image-premium"
    assert record["cost"]["units"]["images"] == 1
    assert "WaitForVendor" not in entered(engine, request_id)


def test_video_is_a_long_job_polled_until_done(engine: Any) -> None:
    request_id, execution = run(engine, body("video-reel.json"))

    assert execution["status"] == "SUCCEEDED"
    states = entered(engine, request_id)
    assert states.count("PollGeneration") == 2  # running once, then done
    assert states.count("WaitForVendor") == 2
    spec_poll = next(
        m["pollSeconds"]
        for m in json.loads((ROOT / "layers/common/flashfusion/routing/model_matrix.json").read_text())["models"]
        if m["id"] == "local/video-standard"
    )
    assert engine.sleeps.waits == [spec_poll, spec_poll]
    data, asset, record = saved(engine, request_id)
    assert asset["mimeType"] == "video/mp4"
    assert data[4:8] == b"ftyp"  # an ISO media file
    assert record["cost"]["units"]["videoSeconds"] == pytest.approx(4)


def test_music_is_a_long_job_and_saves_a_wav(engine: Any) -> None:
    request_id, execution = run(engine, body("music-jingle.json"))

    assert execution["status"] == "SUCCEEDED"
    assert "PollGeneration" in entered(engine, request_id)
    data, asset, record = saved(engine, request_id)
    assert asset["mimeType"] in ("audio/wav", "audio/x-wav")
    with wave.open(io.BytesIO(data)) as audio:
        assert audio.getnframes() / audio.getframerate() == pytest.approx(12, abs=0.05)
    assert record["cost"]["units"]["audioSeconds"] == pytest.approx(12)


@pytest.fixture
def short_wait_matrix(tmp_path: Path) -> Path:
    matrix = json.loads((ROOT / "layers/common/flashfusion/routing/model_matrix.json").read_text())
    for model in matrix["models"]:
        if model["provider"] == "local" and model["medium"] == "video":
            model["maxWaitSeconds"] = 20
    path = tmp_path / "matrix.json"
    path.write_text(json.dumps(matrix))
    return path


def test_a_job_that_never_finishes_times_out_and_falls_back(
    short_wait_matrix: Path, sample_kit: dict[str, Any], fresh_engine: Any
) -> None:
    with fresh_engine.configured({"MODEL_MATRIX_PATH": str(short_wait_matrix)}) as engine:
        engine.seed_brand_kit(ORG, sample_kit)
        request = body("video-reel.json", faults=[{"model": "local/video-standard", "kind": "stall"}])
        request_id, execution = run(engine, request)

        assert execution["status"] == "SUCCEEDED"
        output = json.loads(execution["output"])
        assert output["route"]["failed"][0]["model"] == "local/video-standard"
        assert output["route"]["failed"][0]["error"] == "GenerationTimedOut"
        assert output["route"]["model"] == "local/video-basic"
        # polls every 5 s until the next wait would pass 20 s, then gives up without a retry
        polls_before_timeout = entered(engine, request_id).index("Fallback")
        assert entered(engine, request_id)[:polls_before_timeout].count("PollGeneration") == 4
        _, _, record = saved(engine, request_id)
        assert record["fallbackChain"] == ["local/video-standard", "local/video-basic"]
