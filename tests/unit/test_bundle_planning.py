"""Planning a bundle's parts and deriving each media part's prompt from the lead text (app.bundle_planning)."""

from __future__ import annotations

import pytest

from flashfusion.app.bundle_planning import derived_prompt, part_request, planned_parts, sentences
from flashfusion.models import AssetRequest, BundleSpec

COPY = "#ad Meet the Ridge 2 jacket. Built for wet trails, it packs into its own pocket! Shop at https://example.com"


def spec(**fields: object) -> BundleSpec:
    return BundleSpec.model_validate(fields)


def test_each_kind_plans_its_parts_lead_first() -> None:
    assert [(p.part_id, p.required) for p in planned_parts(spec(kind="post"))] == [("copy", True), ("image", True)]
    reel = planned_parts(spec(kind="reel"))
    assert [(p.part_id, p.required, p.derived_from) for p in reel] == [
        ("script", True, None),
        ("video", True, "script"),
        ("music", False, "script"),
    ]
    carousel = planned_parts(spec(kind="carousel", imageCount=4))
    assert [p.part_id for p in carousel] == ["copy", "image-1", "image-2", "image-3", "image-4"]
    assert len(planned_parts(spec(kind="carousel"))) == 4  # three slides by default
    optional = planned_parts(spec(kind="post", parts={"image": {"required": False}}))
    assert optional[1].required is False


def test_the_lead_texts_sentences_lose_links_hashtags_and_markup() -> None:
    assert sentences(COPY) == ["Meet the Ridge 2 jacket.", "Built for wet trails, it packs into its own pocket!"]


@pytest.mark.parametrize(("part_index", "headline"), [(1, "Meet the Ridge 2 jacket"), (2, "Built for wet trails")])
def test_each_slide_takes_its_headline_from_the_next_sentence_of_the_copy(part_index: int, headline: str) -> None:
    part = planned_parts(spec(kind="carousel", imageCount=3))[part_index]
    prompt = derived_prompt(part, COPY, "the brief", 3)
    assert f'"{headline}' in prompt
    assert f"Slide {part_index} of 3" in prompt


def test_a_part_request_takes_the_parts_type_prompt_and_options() -> None:
    request = AssetRequest.model_validate(
        {
            "prompt": "Spring jackets",
            "brandKitId": "kit",
            "bundle": {"kind": "reel", "parts": {"music": {"options": {"durationSeconds": 8}}}},
            "requestId": "r-1",
            "orgId": "acme",
            "userId": "u",
        }
    )
    video, music = planned_parts(request.bundle)[1:]  # type: ignore[arg-type]
    made = part_request(request, video, "a video")
    assert (made.content_type.value, made.prompt, made.options.aspect_ratio) == ("video", "a video", "9:16")
    assert part_request(request, music, "music").options.duration_seconds == 8
    assert made.request_id == request.request_id  # the parts' calls and statuses stay on the bundle's request
