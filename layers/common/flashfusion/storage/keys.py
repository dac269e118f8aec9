"""Key layouts. Every key starts with the organisation, so no query can cross organisations.

statemachine/create_asset.asl.json builds the request and campaign-asset keys with States.Format for
its direct DynamoDB updates; the generator (local/ffo/asl) takes those templates from the ``*_FORMAT``
constants below, and tests/unit/test_keys.py checks that they match ``request_key`` and
``campaign_asset_key``.
"""

from __future__ import annotations

import re

from flashfusion.errors import KeyTooLarge

MAX_PARTITION_KEY_BYTES = 2048
"""DynamoDB's limit on a partition key value (table and index keys alike), in UTF-8 bytes."""
MAX_SORT_KEY_BYTES = 1024
"""DynamoDB's limit on a sort key value, in UTF-8 bytes."""

_SAFE = re.compile(r"^[A-Za-z0-9._:-]+$")

ORG_PREFIX = "ORG#"
REQUEST_PREFIX = "REQUEST#"
CAMPAIGN_ASSET_PREFIX = "CAMPAIGNASSET#"

# Templates for code that builds keys outside Python (the state machine's States.Format): one ``{}``
# per id, in the builder's argument order.
ORG_PK_FORMAT = ORG_PREFIX + "{}"
"""``org_pk(org_id)``."""
REQUEST_SK_FORMAT = REQUEST_PREFIX + "{}"
"""``request_key(org_id, request_id)["SK"]``."""
CAMPAIGN_ASSET_SK_FORMAT = CAMPAIGN_ASSET_PREFIX + "{}#{}"
"""``campaign_asset_key(org_id, campaign_id, asset_id)["SK"]``."""


def _safe(part: str, what: str) -> str:
    if not is_key_part(part):
        raise ValueError(f"{what} {part!r} has characters a key cannot hold")
    return part


def is_key_part(part: str) -> bool:
    """Whether ``part`` can be a key segment: ids a caller sends are checked with this before a lookup."""
    return bool(_SAFE.fullmatch(part)) and "#" not in part


def checked_pk(value: str) -> str:
    """A partition key value (of the table or an index) DynamoDB accepts, or KeyTooLarge."""
    if len(value.encode("utf-8")) > MAX_PARTITION_KEY_BYTES:
        raise KeyTooLarge(
            f"a partition key is longer than {MAX_PARTITION_KEY_BYTES} bytes",
            [{"field": "id", "problem": "too long"}],
        )
    return value


def checked_sk(value: str) -> str:
    """A sort key value (or sort key prefix) DynamoDB accepts, or KeyTooLarge."""
    if len(value.encode("utf-8")) > MAX_SORT_KEY_BYTES:
        raise KeyTooLarge(
            f"a sort key is longer than {MAX_SORT_KEY_BYTES} bytes", [{"field": "id", "problem": "too long"}]
        )
    return value


def _key(pk: str, sk: str) -> dict[str, str]:
    return {"PK": checked_pk(pk), "SK": checked_sk(sk)}


def org_pk(org_id: str) -> str:
    return checked_pk(f"{ORG_PREFIX}{_safe(org_id, 'organisation id')}")


def request_key(org_id: str, request_id: str) -> dict[str, str]:
    return _key(org_pk(org_id), f"{REQUEST_PREFIX}{_safe(request_id, 'request id')}")


def idempotency_key(org_id: str, client_request_id: str) -> dict[str, str]:
    return _key(org_pk(org_id), f"IDEMPOTENCY#{_safe(client_request_id, 'client request id')}")


def brand_kit_key(org_id: str, kit_id: str, version: int | None = None) -> dict[str, str]:
    suffix = "" if version is None else f"#V#{version:06d}"
    return _key(org_pk(org_id), f"BRANDKIT#{_safe(kit_id, 'brand kit id')}{suffix}")


def budget_config_key(org_id: str) -> dict[str, str]:
    return _key(org_pk(org_id), "BUDGET#CONFIG")


def budget_month_key(org_id: str, month: str) -> dict[str, str]:
    return _key(org_pk(org_id), f"BUDGET#{_safe(month, 'month')}")


def notification_settings_key(org_id: str) -> dict[str, str]:
    """Where the organisation's notifications go (chat webhook, reviewers' addresses)."""
    return _key(org_pk(org_id), "NOTIFY#SETTINGS")


def provenance_key(org_id: str, asset_id: str, version: int) -> dict[str, str]:
    return _key(org_pk(org_id), f"ASSET#{_safe(asset_id, 'asset id')}#V#{version:06d}")


def provenance_by_time(org_id: str) -> str:
    """GSI1 partition of an organisation's provenance records, sorted by generatedAt."""
    return checked_pk(f"{org_pk(org_id)}#PROVENANCE")


def asset_object_key(org_id: str, asset_id: str, version: int, extension: str) -> str:
    return f"orgs/{_safe(org_id, 'organisation id')}/assets/{_safe(asset_id, 'asset id')}/{version}.{extension}"


def asset_prefix_of(org_id: str) -> str:
    return f"orgs/{_safe(org_id, 'organisation id')}/assets/"


def brand_prefix_of(org_id: str) -> str:
    return f"orgs/{_safe(org_id, 'organisation id')}/brand/"


def brand_file_key(org_id: str, kit_id: str, name: str) -> str:
    return f"{brand_prefix_of(org_id)}{_safe(kit_id, 'brand kit id')}/{_safe(name, 'file name')}"


def staging_object_key(prefix: str, org_id: str, request_id: str, name: str) -> str:
    return f"{prefix}/{_safe(org_id, 'organisation id')}/{_safe(request_id, 'request id')}/{_safe(name, 'name')}"


def staging_prefix_of(prefix: str, org_id: str) -> str:
    return f"{prefix}/{_safe(org_id, 'organisation id')}/"


# campaigns, posts, platform accounts (scheduling) ------------------------------------------------
# statemachine/create_asset.asl.json's AddToCampaign writes ``campaign_asset_key`` items directly
# (States.Format of CAMPAIGN_ASSET_SK_FORMAT with campaignId, assetId); CampaignRepository reads them back.


def campaign_key(org_id: str, campaign_id: str) -> dict[str, str]:
    return _key(org_pk(org_id), f"CAMPAIGN#{_safe(campaign_id, 'campaign id')}")


def campaign_prefix() -> str:
    return "CAMPAIGN#"


def campaign_asset_key(org_id: str, campaign_id: str, asset_id: str) -> dict[str, str]:
    """One item per asset in a campaign (not a list on the campaign): an idempotent put, no read first."""
    return _key(org_pk(org_id), f"{campaign_assets_prefix(campaign_id)}{_safe(asset_id, 'asset id')}")


def campaign_assets_prefix(campaign_id: str) -> str:
    return checked_sk(f"{CAMPAIGN_ASSET_PREFIX}{_safe(campaign_id, 'campaign id')}#")


def post_key(org_id: str, post_id: str) -> dict[str, str]:
    return _key(org_pk(org_id), f"POST#{_safe(post_id, 'post id')}")


def posts_by_campaign(org_id: str, campaign_id: str) -> str:
    """GSI1 partition of a campaign's posts, sorted by scheduled time."""
    return checked_pk(f"{org_pk(org_id)}#CAMPAIGN#{_safe(campaign_id, 'campaign id')}#POSTS")


def posts_by_org(org_id: str) -> str:
    """GSI1 partition of the posts that belong to no campaign, sorted by scheduled time."""
    return checked_pk(f"{org_pk(org_id)}#POSTS")


def account_key(org_id: str, account_id: str) -> dict[str, str]:
    return _key(org_pk(org_id), f"ACCOUNT#{_safe(account_id, 'account id')}")


def account_prefix() -> str:
    return "ACCOUNT#"


def account_secret_name(prefix: str, org_id: str, account_id: str) -> str:
    """Secrets Manager name of an account's credentials: ``<prefix>/<orgId>/<accountId>``."""
    return f"{prefix}/{_safe(org_id, 'organisation id')}/{_safe(account_id, 'account id')}"


def review_key(org_id: str, review_id: str) -> dict[str, str]:
    return _key(org_pk(org_id), f"REVIEW#{_safe(review_id, 'review id')}")


REVIEW_LINK_PREFIX = "REVIEWLINK#"
"""Sort keys of a review's shared links (not under ``REVIEW#``: a review's own prefix never matches them)."""


def review_links_prefix(review_id: str) -> str:
    return checked_sk(f"{REVIEW_LINK_PREFIX}{_safe(review_id, 'review id')}#")


def review_link_key(org_id: str, review_id: str, link_id: str) -> dict[str, str]:
    return _key(org_pk(org_id), review_links_prefix(review_id) + _safe(link_id, "link id"))


def reviews_by_status(org_id: str, status: str) -> str:
    """GSI1 partition of an organisation's reviews in one status, sorted by when they were opened."""
    return checked_pk(f"{org_pk(org_id)}#REVIEWS#{_safe(status, 'review status')}")


def asset_versions_prefix(asset_id: str) -> str:
    return checked_sk(f"ASSET#{_safe(asset_id, 'asset id')}#V#")


def asset_child_key(org_id: str, parent_asset_id: str, child_asset_id: str) -> dict[str, str]:
    """A link from an asset to an asset derived from it (a translation), beside the parent's versions."""
    return _key(org_pk(org_id), f"ASSET#{_safe(parent_asset_id, 'asset id')}#CHILD#{_safe(child_asset_id, 'asset id')}")


def asset_children_prefix(asset_id: str) -> str:
    return checked_sk(f"ASSET#{_safe(asset_id, 'asset id')}#CHILD#")


def provenance_by_model(org_id: str, model: str) -> str:
    """GSI2 partition: an organisation's provenance records made by one model (A/B tests, cost per model)."""
    return checked_pk(f"{org_pk(org_id)}#MODEL#{model}")


def provenance_by_campaign(org_id: str, campaign_id: str) -> str:
    """GSI3 partition: an organisation's provenance records of one campaign."""
    return checked_pk(f"{org_pk(org_id)}#CAMPAIGN#{_safe(campaign_id, 'campaign id')}")


def review_upload_key(prefix: str, org_id: str, request_id: str, review_id: str, upload_id: str, ext: str) -> str:
    name = f"review-{_safe(review_id, 'review id')}-{_safe(upload_id, 'upload id')}.{_safe(ext, 'extension')}"
    return staging_object_key(prefix, org_id, request_id, name)


LINT_UPLOADS = "lint-uploads"
"""The staging folder of an organisation's files for ``POST /v1/lint`` (expired with the rest of staging)."""


def lint_upload_key(prefix: str, org_id: str, upload_id: str, ext: str) -> str:
    """Where a file to lint (``POST /v1/lint/uploads``) is PUT: under the caller's organisation only."""
    name = f"{_safe(upload_id, 'upload id')}.{_safe(ext, 'extension')}"
    return staging_object_key(prefix, org_id, LINT_UPLOADS, name)


SOURCE_UPLOADS = "source-uploads"
"""The staging folder of an organisation's source images (``POST /v1/uploads``, brand_style requests)."""


def source_upload_key(prefix: str, org_id: str, upload_id: str) -> str:
    """Where a source image is uploaded (presigned POST): under the caller's organisation only. One key per
    upload whatever its type (the object's Content-Type says it), so finding it is one HEAD."""
    return staging_object_key(prefix, org_id, SOURCE_UPLOADS, _safe(upload_id, "upload id"))


def lint_job_key(org_id: str, job_id: str) -> dict[str, str]:
    """A lint job (``POST /v1/lint`` of audio or video), in its organisation's partition."""
    return _key(org_pk(org_id), f"LINTJOB#{_safe(job_id, 'lint job id')}")


def sidecar_object_key(org_id: str, asset_id: str, version: int) -> str:
    """The C2PA sidecar manifest of a format that cannot carry one (plain text), next to the asset."""
    return f"orgs/{_safe(org_id, 'organisation id')}/assets/{_safe(asset_id, 'asset id')}/{version}.c2pa"


# predictive caching (flashfusion.app.result_cache, flashfusion.app.prefetch) ----------------------------
RESULT_CACHE_PREFIX = "RESULTCACHE#"
CANDIDATE_PREFIX = "CANDIDATE#"
HISTORY_PREFIX = "HISTORY#"
PREDICTION_ORGS = "PREDICTION#ORGS"
"""GSI1 partition listing the organisations that turned prediction on: the one key not under an organisation,
read only by the scheduled prefetch function (its items hold an organisation id and nothing else of it)."""


def result_cache_key(org_id: str, key_hash: str) -> dict[str, str]:
    """An exact-result cache entry: the SHA-256 of prediction.cache_key's document."""
    return _key(org_pk(org_id), f"{RESULT_CACHE_PREFIX}{_safe(key_hash, 'cache key')}")


def candidate_key(org_id: str, candidate_id: str) -> dict[str, str]:
    """A pre-generated candidate (its id is the speculative request's id)."""
    return _key(org_pk(org_id), f"{CANDIDATE_PREFIX}{_safe(candidate_id, 'candidate id')}")


def history_key(org_id: str, at: str, request_id: str) -> dict[str, str]:
    """One request of the history the forecast reads, sorted by time (``at``: a fixed-width UTC instant)."""
    return _key(org_pk(org_id), f"{HISTORY_PREFIX}{_safe(at, 'instant')}#{_safe(request_id, 'request id')}")


def prediction_settings_key(org_id: str) -> dict[str, str]:
    return _key(org_pk(org_id), "PREDICTION#SETTINGS")


def speculative_budget_config_key(org_id: str) -> dict[str, str]:
    """The speculative ledger's monthly cap (a sub-ledger beside the budget, flashfusion.storage.budgets)."""
    return _key(org_pk(org_id), "BUDGET#SPECULATIVE#CONFIG")


def speculative_budget_month_key(org_id: str, month: str) -> dict[str, str]:
    return _key(org_pk(org_id), f"BUDGET#SPECULATIVE#{_safe(month, 'month')}")
