"""The offline text generator, provider fault injection, and the provider registry."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flashfusion.errors import (
    TRANSIENT_PROVIDER_ERRORS,
    FaultInjectionNotAllowed,
    InvalidRequest,
    NoModelAvailable,
    ProviderAuthError,
    ProviderError,
    ProviderRejected,
    ProviderThrottled,
    ProviderTimeout,
    ProviderUnavailable,
)
from flashfusion.linting import terms
from flashfusion.linting.text import lint_text
from flashfusion.models import BrandKit, ContentType, Fault, Tier, prompt_hash
from flashfusion.providers import faults
from flashfusion.providers.base import GeneratedContent, GenerationJob, ProviderContext
from flashfusion.providers.faults import FaultInjectingProvider
from flashfusion.providers.local import LocalProvider
from flashfusion.providers.offline_text import DATASET_TAG, OfflineTextProvider, compose, subject_of
from flashfusion.providers.registry import available_providers, provider_for
from flashfusion.providers.traced import TracedProvider
from flashfusion.routing.matrix import ModelSpec, load_matrix_file

MATRIX = load_matrix_file()
PROMPTS = [
    "Write a LinkedIn post announcing our spring hiking collection",
    "Create a short caption about waterproof jackets for rainy commutes",
    "Draft an announcement for the new trail running shoe",
    "Give me a tweet about our summer sale on tents",
    "Write copy for a weekend climbing workshop",
    "Compose a blog post about packing light for multi day treks",
    "Make a catchy headline for insulated water bottles",
    "Generate an Instagram caption about sunrise paddle boarding",
    "Tell people about the reopening of our Oslo store",
    "Produce a message on recycled fleece jackets",
    "Write a post about camping stoves that fold flat",
    "Create some text announcing gift cards for the holidays",
]

CTX = ProviderContext(api_key=lambda provider: "unused", aws_client=lambda service: None)


def model(tier: Tier = Tier.STANDARD) -> ModelSpec:
    return MATRIX.get(f"local/text-{tier.value}")


def make_kit(
    brand: str = "Aurora Outdoor", required: list[str] | None = None, banned: list[str] | None = None
) -> BrandKit:
    return BrandKit.model_validate(
        {
            "kitId": "kit-1",
            "name": brand,
            "voice": {"brandName": brand, "requiredTerms": required or []},
            "legal": {"bannedTerms": banned or []},
        }
    )


def job(
    prompt: str = PROMPTS[0],
    *,
    tier: Tier = Tier.STANDARD,
    kit: BrandKit | None = None,
    request_id: str = "req-1",
    spec: ModelSpec | None = None,
) -> GenerationJob:
    return GenerationJob(
        request_id=request_id,
        content_type=ContentType.TEXT,
        prompt=prompt,
        prompt_hash=prompt_hash(prompt),
        model=spec or model(tier),
        brand_kit=kit or make_kit(),
    )


def text_of(generation_job: GenerationJob) -> str:
    return OfflineTextProvider().generate(generation_job).data.decode("utf-8")


def sentence_count(text: str) -> int:
    return len(re.findall(r"[.!?](?:\s|$)", text))


# --- the offline generator --------------------------------------------------------------------


def test_same_job_gives_the_same_bytes() -> None:
    first = OfflineTextProvider().generate(job())
    second = OfflineTextProvider().generate(job())
    assert first.data == second.data
    assert first == second


def test_whitespace_and_case_variants_of_a_prompt_hash_alike_and_give_the_same_template_choice() -> None:
    a = job("write a post about our boots")
    b = job("Write a post   about our boots")
    assert a.prompt_hash == b.prompt_hash
    assert text_of(a).lower() == text_of(b).lower()


def test_different_prompts_give_different_text() -> None:
    texts = {text_of(job(p)) for p in PROMPTS}
    assert len(texts) > 1
    # Template choice follows the hash, not only the echoed subject: opening sentences vary too.
    openers = {t.split(".")[0] for t in texts}
    assert len(openers) > 1


def test_output_is_utf8_plain_text_and_marked_offline() -> None:
    kit = make_kit(brand="Ærø Friluft", required=["naturlig glæde"])
    content = OfflineTextProvider().generate(job("Write a post about crème brûlée picnics", kit=kit))
    text = content.data.decode("utf-8")
    assert "Ærø Friluft" in text
    assert "crème brûlée" in text
    assert text.endswith("\n")
    assert content.mime_type.startswith("text/plain")
    assert "utf-8" in content.mime_type.lower()
    assert content.extension == "txt"
    assert content.offline is True
    assert content.dataset_tag == DATASET_TAG
    assert content.vendor_model == model().vendor_model
    assert content.cost_usd is None  # priced from usage by the matrix, like any vendor
    assert content.usage["outputChars"] == float(len(text))
    assert content.usage["inputChars"] == float(len(job("Write a post about crème brûlée picnics").prompt))


@pytest.mark.parametrize("prompt", PROMPTS)
def test_includes_brand_name_and_every_required_term(prompt: str) -> None:
    required = ["Aurora Outdoor", "trail-ready", "Made in Norway"]
    text = text_of(job(prompt, kit=make_kit(required=required)))
    assert "Aurora Outdoor" in text
    for term in required:
        assert terms.term_pattern(term).search(text), term


def test_brand_name_falls_back_to_kit_name() -> None:
    kit = BrandKit.model_validate({"kitId": "k", "name": "Fjell Gear"})
    assert "Fjell Gear" in text_of(job(kit=kit))


def test_required_term_that_is_part_of_a_template_word_is_still_written_as_a_word() -> None:
    """A short required term such as "AI" hides inside "detail"; lint looks for whole words."""
    kit = make_kit(brand="Nova Labs", required=["AI"])
    missing = [p for p in PROMPTS if not lint_text(text_of(job(p, kit=kit)), kit).compliant]
    assert missing == []


def test_tier_changes_sentence_count() -> None:
    kit = make_kit(brand="Aurora Outdoor")
    prompt = "Write a post about our spring hiking collection"
    counts = {}
    for tier in Tier:
        content = OfflineTextProvider().generate(job(prompt, tier=tier, kit=kit))
        counts[tier] = sentence_count(content.data.decode("utf-8"))
        assert counts[tier] == content.parameters["sentences"]
    assert counts[Tier.BASIC] < counts[Tier.STANDARD] < counts[Tier.PREMIUM]


@pytest.mark.parametrize("prompt", PROMPTS)
def test_higher_tier_never_writes_fewer_sentences(prompt: str) -> None:
    kit = make_kit()
    counts = [sentence_count(text_of(job(prompt, tier=t, kit=kit))) for t in Tier]
    assert counts == sorted(counts)
    assert len(set(counts)) == len(counts)


@pytest.mark.parametrize(
    ("prompt", "subject"),
    [
        ("Write a LinkedIn post announcing our spring hiking collection", "our spring hiking collection"),
        ("Write a LinkedIn post announcing spring hiking boots", "spring hiking boots"),
        ("please write a short punchy tweet about trail snacks", "trail snacks"),
        ("Create an Instagram caption for sunrise paddle boarding.", "sunrise paddle boarding"),
        ("Give me a catchy headline on recycled fleece", "recycled fleece"),
        ("Draft a blog post that says we are hiring guides", "we are hiring guides"),
        ("Generate marketing copy about insulated bottles!", "insulated bottles"),
        ("celebrate ten years of trail building", "celebrate ten years of trail building"),
    ],
)
def test_subject_of_strips_instruction_words(prompt: str, subject: str) -> None:
    result = subject_of(prompt)
    assert subject in result
    for word in ("write", "linkedin", "caption", "headline", "please", "tweet"):
        if word not in subject:
            assert not re.search(rf"\b{word}\b", result, re.IGNORECASE), (word, result)


def test_subject_of_never_cuts_a_word_in_half() -> None:
    """Instruction words are whole words: "text" is not the start of "textile", nor "for" of "forest"."""
    cases = {
        "Write a textile sale announcement": "textile sale",
        "Write a postcard greeting for our members": "postcard greeting",
        "Write a LinkedIn post onboarding tips for new guides": "onboarding tips",
        "Write some copy forest cleanup day": "forest cleanup day",
    }
    cut = {prompt: subject_of(prompt) for prompt, subject in cases.items() if subject not in subject_of(prompt)}
    assert cut == {}


def test_subject_is_echoed_in_the_generated_text() -> None:
    text = text_of(job("Write a LinkedIn post announcing our spring hiking collection"))
    assert "our spring hiking collection" in text
    assert "LinkedIn" not in text


def test_subject_of_an_instruction_only_prompt_is_never_empty() -> None:
    for prompt in ("Write a post", "Write a LinkedIn post about", "."):
        assert subject_of(prompt).strip()


@pytest.mark.parametrize("prompt", PROMPTS)
def test_output_passes_lint_for_the_sample_kit(prompt: str, sample_kit: dict[str, Any]) -> None:
    kit = BrandKit.model_validate(sample_kit)
    assert not terms.banned_terms(prompt, kit.legal.banned_terms)
    for tier in Tier:
        report = lint_text(text_of(job(prompt, tier=tier, kit=kit)), kit)
        assert report.compliant, report.violations


SAFE_WORDS = ["boots", "tents", "river", "autumn", "maps", "lanterns", "summit", "club", "gloves", "trail"]


@settings(max_examples=60, deadline=None)
@given(
    words=st.lists(st.sampled_from(SAFE_WORDS), min_size=1, max_size=6),
    lead=st.sampled_from(["Write a post about ", "Create a caption for ", "", "Announce "]),
    tier=st.sampled_from(list(Tier)),
)
def test_property_output_passes_lint_when_prompt_has_no_banned_term(words: list[str], lead: str, tier: Tier) -> None:
    kit = make_kit(
        required=["Aurora Outdoor", "outdoors"],
        banned=["guaranteed", "miracle", "risk-free", "cheapest", "best in the world"],
    )
    prompt = lead + " ".join(words)
    report = lint_text(text_of(job(prompt, tier=tier, kit=kit)), kit)
    assert report.compliant, report.violations


def test_template_sentences_never_introduce_a_banned_term() -> None:
    """A kit may ban ordinary words; when the prompt has none of them, neither should the output."""
    banned = ["quality", "first", "tested", "simple"]
    kit = make_kit(banned=banned)
    introduced = {}
    for prompt in PROMPTS:
        assert not terms.banned_terms(prompt, banned)
        for tier in Tier:
            report = lint_text(text_of(job(prompt, tier=tier, kit=kit)), kit)
            if not report.compliant:
                introduced[(prompt, tier.value)] = [v.location.text for v in report.violations if v.location]
    assert introduced == {}


@pytest.mark.parametrize(
    ("prompt", "term"),
    [
        ("Write a post announcing our guaranteed waterproof boots", "guaranteed"),
        ("Write a caption about the cheapest tents in town", "cheapest"),
        ("Create a post about our risk-free returns", "risk-free"),
        ("Write a tweet about the best in the world camp stove", "best in the world"),
    ],
)
def test_banned_term_in_the_prompt_is_echoed_and_caught(prompt: str, term: str, sample_kit: dict[str, Any]) -> None:
    kit = BrandKit.model_validate(sample_kit)
    text = text_of(job(prompt, kit=kit))
    report = lint_text(text, kit)
    assert not report.compliant
    banned = [v for v in report.violations if v.rule_id == terms.BANNED_RULE]
    assert banned
    assert any(v.location and " ".join(v.location.text.lower().split()) == term for v in banned)
    for v in banned:
        assert v.location is not None
        assert text[v.location.start : v.location.end] == v.location.text


def test_compose_matches_provider_output() -> None:
    j = job(PROMPTS[3], tier=Tier.PREMIUM)
    assert OfflineTextProvider().generate(j).data == compose(j).encode("utf-8")


# --- fault injection --------------------------------------------------------------------------


class CountingProvider:
    name = "local"

    def __init__(self) -> None:
        self.calls = 0

    def generate(self, generation_job: GenerationJob) -> GeneratedContent:
        self.calls += 1
        return GeneratedContent(
            data=b"ok",
            mime_type="text/plain",
            extension="txt",
            vendor_model=generation_job.model.vendor_model,
            offline=True,
            dataset_tag="test",
        )


def faulty(*fault_list: dict[str, Any]) -> tuple[FaultInjectingProvider, CountingProvider]:
    inner = CountingProvider()
    return FaultInjectingProvider(inner, [Fault.model_validate(f) for f in fault_list]), inner


def test_throttle_twice_then_succeeds() -> None:
    provider, inner = faulty({"kind": "throttle", "times": 2})
    j = job()
    for _ in range(2):
        with pytest.raises(ProviderThrottled) as exc:
            provider.generate(j)
        assert exc.value.model == j.model.id
        assert exc.value.provider == "local"
    assert inner.calls == 0
    assert provider.generate(j).data == b"ok"
    assert provider.generate(j).data == b"ok"
    assert inner.calls == 2


def test_times_none_always_raises() -> None:
    provider, inner = faulty({"kind": "unavailable"})
    for _ in range(25):
        with pytest.raises(ProviderUnavailable):
            provider.generate(job())
    assert inner.calls == 0


def test_fault_only_hits_the_named_model() -> None:
    provider, inner = faulty({"kind": "timeout", "model": "local/text-standard"})
    with pytest.raises(ProviderTimeout):
        provider.generate(job(tier=Tier.STANDARD))
    assert provider.generate(job(tier=Tier.BASIC)).data == b"ok"
    assert provider.generate(job(tier=Tier.PREMIUM)).data == b"ok"
    assert inner.calls == 2


def test_fault_counts_are_per_request() -> None:
    provider, _ = faulty({"kind": "throttle", "times": 1})
    with pytest.raises(ProviderThrottled):
        provider.generate(job(request_id="req-1"))
    provider.generate(job(request_id="req-1"))
    with pytest.raises(ProviderThrottled):
        provider.generate(job(request_id="req-2"))
    provider.generate(job(request_id="req-2"))


def test_fault_counts_are_per_model() -> None:
    provider, _ = faulty({"kind": "throttle", "times": 1})
    with pytest.raises(ProviderThrottled):
        provider.generate(job(tier=Tier.STANDARD))
    with pytest.raises(ProviderThrottled):
        provider.generate(job(tier=Tier.BASIC))
    provider.generate(job(tier=Tier.STANDARD))


def test_count_survives_a_new_wrapper_in_the_same_process() -> None:
    """Each Lambda invocation builds a new provider; the count lives in the process."""
    first, _ = faulty({"kind": "throttle", "times": 1})
    with pytest.raises(ProviderThrottled):
        first.generate(job())
    second, inner = faulty({"kind": "throttle", "times": 1})
    assert second.generate(job()).data == b"ok"
    assert inner.calls == 1


def test_several_faults_apply_in_order() -> None:
    provider, inner = faulty({"kind": "throttle", "times": 1}, {"kind": "timeout", "times": 2})
    raised = []
    for _ in range(3):
        with pytest.raises(ProviderError) as exc:
            provider.generate(job())
        raised.append(type(exc.value))
    assert raised == [ProviderThrottled, ProviderTimeout, ProviderTimeout]
    provider.generate(job())
    assert inner.calls == 1


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("throttle", ProviderThrottled),
        ("unavailable", ProviderUnavailable),
        ("timeout", ProviderTimeout),
        ("rejected", ProviderRejected),
        ("auth", ProviderAuthError),
    ],
)
def test_each_kind_maps_to_its_error_class(kind: str, error: type[ProviderError]) -> None:
    provider, _ = faulty({"kind": kind, "times": 1})
    with pytest.raises(error) as exc:
        provider.generate(job())
    assert type(exc.value) is error
    assert str(exc.value)
    assert (error.__name__ in TRANSIENT_PROVIDER_ERRORS) == (kind in {"throttle", "unavailable", "timeout"})


def test_reset_clears_the_counts() -> None:
    provider, _ = faulty({"kind": "rejected", "times": 1})
    with pytest.raises(ProviderRejected):
        provider.generate(job())
    provider.generate(job())
    faults.reset()
    with pytest.raises(ProviderRejected):
        provider.generate(job())


def test_wrapper_keeps_the_inner_provider_name() -> None:
    provider, inner = faulty({"kind": "auth"})
    assert provider.name == inner.name


# --- registry ---------------------------------------------------------------------------------


def test_provider_for_refuses_faults_unless_allowed() -> None:
    fault = [Fault(kind="throttle", times=1)]
    with pytest.raises(FaultInjectionNotAllowed) as exc:
        provider_for("local", CTX, frozenset({"local"}), fault, allow_faults=False)
    assert isinstance(exc.value, InvalidRequest)
    wrapped = provider_for("local", CTX, frozenset({"local"}), fault, allow_faults=True)
    assert isinstance(wrapped, TracedProvider)  # outermost, so the injected fault shows on the vendor span
    assert isinstance(wrapped.inner, FaultInjectingProvider)
    with pytest.raises(ProviderThrottled):
        wrapped.generate(job())


def test_provider_for_without_faults_is_the_plain_adapter_traced() -> None:
    provider = provider_for("local", CTX, frozenset({"local"}), [], allow_faults=False)
    assert isinstance(provider, TracedProvider)
    assert isinstance(provider.inner, LocalProvider)
    assert provider.generate(job()).offline is True


@pytest.mark.parametrize(
    ("name", "enabled"),
    [
        ("local", frozenset()),
        ("local", frozenset({"openai"})),
        ("no-such-vendor", frozenset({"no-such-vendor", "local"})),
        ("nonexistent", frozenset({"nonexistent"})),
    ],
)
def test_provider_for_unknown_or_disabled_provider(name: str, enabled: frozenset[str]) -> None:
    with pytest.raises(NoModelAvailable, match=name):
        provider_for(name, CTX, enabled, [], allow_faults=True)


def test_available_providers_is_enabled_and_implemented() -> None:
    assert available_providers(frozenset({"local", "no-such-vendor"})) == {"local"}
    assert available_providers(frozenset()) == frozenset()
