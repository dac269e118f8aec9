"""The brand kit: everything the linter checks an asset against. Versioned, one per organisation.

Loaded from DynamoDB in AWS (its logo and font files in S3) or from a JSON/YAML file locally
(`events/brand-kit.sample.json`). An invalid kit is rejected with the field and the reason.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, StringConstraints, field_validator, model_validator

from flashfusion.modelbase import CamelModel, Identifier

HexColor = Annotated[str, StringConstraints(pattern=r"^#[0-9A-Fa-f]{6}$")]
Platform = Literal["x", "linkedin", "instagram", "facebook", "tiktok", "youtube"]
Level = Literal["error", "warning", "suggestion"]


def _info_is_suggestion(value: Any) -> Any:
    """Kits may say "info" (as many linters do) for what a report calls a suggestion."""
    return "suggestion" if isinstance(value, str) and value == "info" else value


RuleLevel = Annotated[Literal["error", "warning", "suggestion", "off"], BeforeValidator(_info_is_suggestion)]
"""How a kit rates a rule's findings: error (the asset is not compliant), warning, suggestion (alias: info) or off
(the rule does not run)."""
Region = Literal["top-left", "top", "top-right", "left", "center", "right", "bottom-left", "bottom", "bottom-right"]


CORNERS: tuple[Region, ...] = ("bottom-right", "bottom-left", "top-left", "top-right")


class BrandColor(CamelModel):
    name: str = Field(min_length=1, max_length=64)
    hex: HexColor
    role: Literal["primary", "secondary", "accent", "background", "text", "neutral"] = "primary"


class ColorRules(CamelModel):
    """How the palette is checked (``linting.colors``). Compliance = the share of the image within ``tolerance``
    of a brand colour, plus the share that is neutral (greys, near-black, near-white), counted up to
    ``max_neutral_share``; it must reach ``min_compliant_share``."""

    tolerance: float = Field(default=10.0, gt=0, le=50, description="CIEDE2000 distance that still counts as on-brand")
    neutrals_allowed: bool = Field(
        default=True, description="greys, near-white and near-black count as on-brand, up to maxNeutralShare"
    )
    min_compliant_share: float = Field(
        default=0.8, ge=0, le=1, description="share of the image's pixels that must be within tolerance"
    )
    max_neutral_share: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="at most this share of the image counts as on-brand for being neutral: a mostly grey or "
        "near-black image needs brand colours too (1: neutrals count without limit)",
    )
    neutral_chroma: tuple[float, float] = Field(
        default=(4.0, 12.0),
        description="CIELAB chroma: at or below the first a colour is fully neutral, at or above the second not "
        "neutral, partly neutral in between (linearly), so a re-encode that nudges a pale tint moves the score "
        "a little instead of flipping it",
    )

    @model_validator(mode="after")
    def _chroma_band_in_order(self) -> ColorRules:
        low, high = self.neutral_chroma
        if not 0 <= low < high <= 50:
            raise ValueError("neutralChroma must be two numbers with 0 <= first < second <= 50")
        return self


class BrandFont(CamelModel):
    family: str = Field(min_length=1, max_length=100)
    role: Literal["heading", "body", "accent"] = "body"
    file: str | None = Field(default=None, description="TTF/OTF: a path locally, an S3 key in AWS")


class LogoPlacement(CamelModel):
    allowed_regions: list[Region] = Field(default_factory=lambda: list(CORNERS))
    min_width_share: float = Field(default=0.05, gt=0, le=1, description="logo width / image width, at least")
    max_width_share: float = Field(default=0.3, gt=0, le=1, description="logo width / image width, at most")
    clear_space_share: float = Field(default=0.02, ge=0, le=0.5, description="margin to the image edge / image width")

    @model_validator(mode="after")
    def _sizes_in_order(self) -> LogoPlacement:
        if self.min_width_share > self.max_width_share:
            raise ValueError("minWidthShare must not exceed maxWidthShare")
        return self


class BrandLogo(CamelModel):
    logo_id: Identifier
    file: str = Field(description="PNG (transparency allowed): a path locally, an S3 key in AWS")
    required: bool = False
    placement: LogoPlacement = Field(default_factory=LogoPlacement)


class ExistenceRule(CamelModel):
    type: Literal["existence"] = "existence"
    id: Identifier
    tokens: list[str] = Field(min_length=1)
    message: str = "avoid {match}"
    level: Level = "warning"


class SubstitutionRule(CamelModel):
    type: Literal["substitution"] = "substitution"
    id: Identifier
    swap: dict[str, str] = Field(min_length=1, description="what is written -> what the brand says instead")
    level: Level = "warning"


class OccurrenceRule(CamelModel):
    type: Literal["occurrence"] = "occurrence"
    id: Identifier
    token: str = Field(min_length=1)
    max: int | None = Field(default=None, ge=0)
    min: int | None = Field(default=None, ge=0)
    level: Level = "warning"


class RepetitionRule(CamelModel):
    type: Literal["repetition"] = "repetition"
    id: Identifier
    level: Level = "warning"


class CapitalizationRule(CamelModel):
    type: Literal["capitalization"] = "capitalization"
    id: Identifier
    terms: list[str] = Field(min_length=1, description="terms whose exact capitalisation is required, e.g. iPhone")
    level: Level = "error"


class ConsistencyRule(CamelModel):
    type: Literal["consistency"] = "consistency"
    id: Identifier
    either: list[list[str]] = Field(min_length=1, description="groups of variants; use one of each group throughout")
    level: Level = "warning"


class ReadabilityRule(CamelModel):
    type: Literal["readability"] = "readability"
    id: Identifier
    metric: Literal["flesch-kincaid"] = "flesch-kincaid"
    max_grade: float = Field(default=9.0, gt=0)
    level: Level = "warning"


VoiceRule = Annotated[
    ExistenceRule
    | SubstitutionRule
    | OccurrenceRule
    | RepetitionRule
    | CapitalizationRule
    | ConsistencyRule
    | ReadabilityRule,
    Field(discriminator="type"),
]


class VoiceLevels(CamelModel):
    """The severity of each built-in voice check's findings. The defaults are the levels the checks always had;
    only "error" makes an asset non-compliant, "off" skips the check (it is then absent from ``rulesChecked``)."""

    sentiment: RuleLevel = "warning"
    exclamations: RuleLevel = "warning"
    formality: RuleLevel = "warning"
    emoji: RuleLevel | None = Field(
        default=None, description='None: "error" when the kit allows no emoji, "warning" past maxEmoji'
    )
    reading_grade: RuleLevel = "warning"
    person: RuleLevel = Field(
        default="warning",
        description="for copy with none of the kit's person; copy where another person merely outnumbers it is "
        "reported one level softer (error -> warning -> suggestion)",
    )


class VoiceRules(CamelModel):
    brand_name: str = ""
    required_terms: list[str] = Field(default_factory=list)
    sentiment_range: tuple[float, float] = Field(default=(-0.05, 1.0), description="VADER compound, min and max")
    reading_grade_range: tuple[float, float] = Field(default=(0.0, 12.0), description="Flesch-Kincaid grade")
    formality: Literal["casual", "neutral", "formal"] = "neutral"
    person: Literal["first", "second", "third", "any"] = "any"
    max_exclamations: int = Field(default=1, ge=0)
    emoji: Literal["allowed", "limited", "none"] = "limited"
    max_emoji: int = Field(default=2, ge=0)
    preferred_terms: dict[str, str] = Field(
        default_factory=dict, description="what is written -> the brand's preferred term (auto-fixable)"
    )
    rules: list[VoiceRule] = Field(default_factory=list)
    levels: VoiceLevels = Field(default_factory=VoiceLevels)


class Disclaimer(CamelModel):
    """A line every post on its channels must carry, sponsored or not ("Capital at risk.", "Terms apply.").
    Paid-content disclosures ("#ad") belong in ``LegalRules.sponsored_disclosures``, which apply to sponsored
    posts only."""

    text: str = Field(min_length=1, max_length=300)
    channels: list[str] = Field(default_factory=list, description="empty: every channel")
    position: Literal["start", "end"] = "end"


DisclosureText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
HASHTAG_BODY = r"[^\W]+"
"""Letters, digits and underscores: what a platform reads as one hashtag after its '#'."""


class SponsoredDisclosure(CamelModel):
    """What a sponsored post must show on some channels: any one of ``any_of``, placed within the first
    ``within_first_chars`` characters when that is set (so readers see it before the platform's "more" fold)."""

    channels: list[str] = Field(
        default_factory=list,
        max_length=16,
        description="platforms this rule is for (any case); empty: every channel that has no rule of its own",
    )
    any_of: list[DisclosureText] = Field(
        min_length=1,
        max_length=20,
        description='accepted disclosures, any one suffices: "#ad" matches the whole hashtag in any case (not '
        '#advice), other entries match as words in any case and spacing ("Paid partnership"). The first is '
        "the one an auto-fix inserts",
    )
    within_first_chars: int | None = Field(
        default=None,
        ge=1,
        le=10_000,
        description="the disclosure must end within this many characters (Unicode code points) from the start; "
        "None: anywhere in the post",
    )
    level: RuleLevel = Field(default="error", description='"off": no disclosure is required on these channels')

    @field_validator("any_of")
    @classmethod
    def _hashtags_are_one_word(cls, entries: list[str]) -> list[str]:
        for entry in entries:
            if entry.startswith("#") and not re.fullmatch(HASHTAG_BODY, entry[1:]):
                raise ValueError(f"{entry!r}: a hashtag is '#' then letters, digits or underscores, no spaces")
        return entries

    @model_validator(mode="after")
    def _each_fits_the_fold(self) -> SponsoredDisclosure:
        limit = self.within_first_chars
        if limit is not None:
            too_long = [entry for entry in self.any_of if len(entry) > limit]
            if too_long:
                raise ValueError(f"{too_long[0]!r} is longer than withinFirstChars ({limit}): it could never fit")
        return self


DEFAULT_DISCLOSURE_TEXTS: tuple[str, ...] = ("#ad", "#sponsored", "Advertisement", "Paid partnership")
"""What a sponsored post must show on a channel the kit has no disclosure rule for: a sponsored post always
needs a disclosure (FTC, ASA and EU consumer law all ask for one); a kit turns that off per channel with a rule
whose level is "off"."""


class Trademark(CamelModel):
    term: str = Field(min_length=1)
    symbol: Literal["™", "®", "℠"] = "®"
    first_use_only: bool = True


class Claim(CamelModel):
    phrase: str = Field(min_length=1)
    substantiation: str = Field(default="", description="what evidence the claim needs")


class LegalRules(CamelModel):
    banned_terms: list[str] = Field(default_factory=list)
    required_disclaimers: list[Disclaimer] = Field(default_factory=list)
    trademarks: list[Trademark] = Field(default_factory=list)
    claims: list[Claim] = Field(default_factory=list, description="claims that need substantiation")
    sponsored_disclosures: list[SponsoredDisclosure] = Field(
        default_factory=list,
        max_length=32,
        description="checked on sponsored posts only: the rules naming the post's channel apply, else those with "
        "no channels, else one any-channel rule accepting " + ", ".join(DEFAULT_DISCLOSURE_TEXTS),
    )


class AudioRules(CamelModel):
    target_lufs: float = Field(default=-14.0, ge=-40, le=0)
    tolerance_lu: float = Field(default=1.0, gt=0, le=10)
    max_true_peak_dbtp: float = Field(default=-1.0, ge=-20, le=0)


GroupName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._:@+-]{1,128}$")]
"""A group of the identity provider (a Cognito group, an external issuer's groups claim value)."""
MAX_APPROVAL_STEPS = 5


class ApprovalStep(CamelModel):
    """One approval a review needs, in order: an approve from a member of ``group`` (never the requester)."""

    group: GroupName = Field(description="members of this group (from the token's groups claim) approve this step")
    label: str | None = Field(default=None, max_length=100, description="shown to reviewers, e.g. Legal sign-off")


class ReviewRules(CamelModel):
    """The human-in-the-loop rules: how long a review may wait and how often a reviewer may regenerate."""

    # At most 6 days: the preview is the staged output, and staged outputs expire after 7 (template.yaml).
    timeout_seconds: int = Field(default=5 * 86400, ge=1, le=6 * 86400, description="a decision within this")
    heartbeat_seconds: int = Field(
        default=2 * 86400, ge=1, le=6 * 86400, description="a review nobody opens for this long is abandoned"
    )
    max_regenerations: int = Field(default=2, ge=0, le=10)
    approvals: list[ApprovalStep] = Field(
        default_factory=list,
        max_length=MAX_APPROVAL_STEPS,
        description="approvals needed in order (e.g. brand, then legal); each by another person, never the "
        "requester; empty: one decision by any member of the reviewer group",
    )


class LocaleRules(CamelModel):
    """Rules that apply to one locale's copy on top of (or instead of) the kit's defaults."""

    banned_terms: list[str] = Field(default_factory=list, description="added to the kit's banned terms")
    required_disclaimers: list[Disclaimer] | None = Field(default=None, description="replace the kit's when set")
    preferred_terms: dict[str, str] = Field(default_factory=dict, description="added to the kit's preferred terms")
    required_terms: list[str] | None = Field(default=None, description="replace the kit's when set")
    sponsored_disclosures: list[SponsoredDisclosure] | None = Field(
        default=None, description='replace the kit\'s when set (e.g. "#Werbung" for German copy)'
    )


class BrandKit(CamelModel):
    kit_id: Identifier
    version: int = Field(default=1, ge=1)
    name: str = Field(min_length=1, max_length=200)
    palette: list[BrandColor] = Field(default_factory=list, max_length=32)
    colors: ColorRules = Field(default_factory=ColorRules)
    fonts: list[BrandFont] = Field(default_factory=list, max_length=16)
    logos: list[BrandLogo] = Field(default_factory=list, max_length=8)
    voice: VoiceRules = Field(default_factory=VoiceRules)
    legal: LegalRules = Field(default_factory=LegalRules)
    audio: AudioRules = Field(default_factory=AudioRules)
    target_platforms: list[Platform] = Field(default_factory=list)
    review: ReviewRules = Field(default_factory=ReviewRules)
    locales: dict[str, LocaleRules] = Field(default_factory=dict, description="BCP 47 tag -> that locale's rules")

    def for_locale(self, locale: str | None) -> BrandKit:
        """The kit as it applies to copy in ``locale``: its rules (exact tag, else the language) merged in."""
        if not locale:
            return self
        rules = self.locales.get(locale) or self.locales.get(locale.split("-")[0])
        if rules is None:
            return self
        legal = self.legal.model_copy(
            update={
                "banned_terms": [*self.legal.banned_terms, *rules.banned_terms],
                "required_disclaimers": (
                    rules.required_disclaimers
                    if rules.required_disclaimers is not None
                    else self.legal.required_disclaimers
                ),
                "sponsored_disclosures": (
                    rules.sponsored_disclosures
                    if rules.sponsored_disclosures is not None
                    else self.legal.sponsored_disclosures
                ),
            }
        )
        voice = self.voice.model_copy(
            update={
                "preferred_terms": {**self.voice.preferred_terms, **rules.preferred_terms},
                "required_terms": (
                    rules.required_terms if rules.required_terms is not None else self.voice.required_terms
                ),
            }
        )
        return self.model_copy(update={"legal": legal, "voice": voice})
