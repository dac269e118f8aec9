"""Brand kits over the API: ``PUT /v1/brand-kits/{id}`` stores the body as the kit's next version (admin
role), ``GET`` reads the current one or a given version, ``GET .../versions`` lists them, and
``POST /v1/brand-kits/validate`` checks a kit against the model without storing anything.

Versions are immutable and numbered by the server (a ``version`` in the body is replaced): the next one
is the newest plus one. A PUT whose content equals the current version stores nothing and answers that
version, so a retried PUT does not make a second version. Two admins racing for the same number: the
loser's write is refused (the version exists with other content) and it takes the number after.

Logo and font files are S3 keys the lint steps read from the organisation's brand folder only; a kit
naming a file anywhere else is refused here, naming the field, rather than failing at lint time.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, ValidationError

from flashfusion.app.api_models import ApiModel
from flashfusion.app.caller import Caller
from flashfusion.app.deps import Deps
from flashfusion.app.roles import require_admin
from flashfusion.app.submissions import field_errors
from flashfusion.errors import BrandKitNotFound, BrandKitVersionExists, InvalidRequest
from flashfusion.modelbase import Identifier
from flashfusion.models import BrandKit
from flashfusion.storage import keys

MAX_ID_CHARS = 64
VERSION_ATTEMPTS = 5
"""How many numbers a PUT tries when concurrent PUTs keep taking the next one first."""
MAX_VERSION = 1_000_000


class KitVersion(ApiModel):
    kit_id: Identifier
    version: int
    kit: BrandKit


class StoredKit(KitVersion):
    created: bool = Field(description="false: the body equals the current version, which is answered unchanged")


class KitVersionSummary(ApiModel):
    version: int
    name: str
    stored_at: str | None = None
    current: bool


class KitVersions(ApiModel):
    kit_id: Identifier
    current_version: int
    items: list[KitVersionSummary] = Field(description="oldest first")


class KitCheck(ApiModel):
    """``POST /v1/brand-kits/validate`` when the kit is valid (an invalid one is a 400 naming each field)."""

    valid: bool
    kit: BrandKit = Field(description="the kit as the API reads it, defaults filled in")


def _bad(field: str, problem: str) -> InvalidRequest:
    return InvalidRequest(f"{field}: {problem}", [{"field": field, "problem": problem}])


def _known_id(kit_id: str) -> bool:
    return len(kit_id) <= MAX_ID_CHARS and keys.is_key_part(kit_id)


def _parse(body: Any, org_id: str, kit_id: str | None) -> BrandKit:
    """The body as a kit (its kitId the path's, when there is a path), or a 400 naming each field."""
    if not isinstance(body, dict):
        raise _bad("body", "not a JSON object")
    if kit_id is not None:
        if "kitId" in body and body["kitId"] != kit_id:
            raise _bad("kitId", "must match the path's kit id (or be left out)")
        body = {**body, "kitId": kit_id, "version": 1}
    try:
        kit = BrandKit.model_validate(body)
    except ValidationError as error:
        raise InvalidRequest("the brand kit is invalid", field_errors(error)) from error
    _check_files(kit, org_id)
    return kit


def _check_files(kit: BrandKit, org_id: str) -> None:
    folder = keys.brand_prefix_of(org_id)
    problems = [
        {"field": f"{where}.{i}.file", "problem": f"must be a key in this organisation's brand folder ({folder})"}
        for where, files in (("logos", [logo.file for logo in kit.logos]), ("fonts", [f.file for f in kit.fonts]))
        for i, file in enumerate(files)
        if file is not None and (not file.startswith(folder) or ".." in file.split("/"))
    ]
    if problems:
        raise InvalidRequest("the brand kit names files outside the brand folder", problems)


def validate(caller: Caller, body: Any) -> KitCheck:
    """The kit model's verdict on ``body``; nothing is stored."""
    return KitCheck(valid=True, kit=_parse(body, caller.org_id, None))


def _current(org_id: str, kit_id: str, deps: Deps) -> BrandKit | None:
    try:
        return deps.kits.get(org_id, kit_id)
    except BrandKitNotFound:
        return None


def put(caller: Caller, kit_id: str, body: Any, deps: Deps) -> StoredKit:
    require_admin(caller, deps, "changing a brand kit")
    if not _known_id(kit_id):
        raise _bad("kitId", "a kit id of at most 64 characters [A-Za-z0-9._-]")
    wanted = _parse(body, caller.org_id, kit_id)
    for _ in range(VERSION_ATTEMPTS):
        current = _current(caller.org_id, kit_id, deps)
        if current is not None and current.model_copy(update={"version": 1}) == wanted:
            return StoredKit(kit_id=kit_id, version=current.version, kit=current, created=False)
        version = (current.version if current else 0) + 1
        if version > MAX_VERSION:
            raise _bad("version", f"the kit has reached {MAX_VERSION} versions")
        kit = wanted.model_copy(update={"version": version})
        try:
            deps.kits.put(caller.org_id, kit)
        except BrandKitVersionExists:
            continue  # a concurrent PUT took this number with other content: take the next
        return StoredKit(kit_id=kit_id, version=version, kit=kit, created=True)
    raise _bad("body", "the kit kept changing under concurrent updates; try again")


def get(caller: Caller, kit_id: str, version: str | None, deps: Deps) -> KitVersion:
    """The current version, or ``version``; another organisation's kit is a 404 like an unknown one."""
    if not _known_id(kit_id):
        raise BrandKitNotFound(f"brand kit {kit_id[:MAX_ID_CHARS]!r} not found in this organisation")
    number: int | None = None
    if version:
        if not version.isascii() or not version.isdigit() or len(version) > 7 or int(version) < 1:
            raise _bad("version", "a version number, 1 or more")
        number = int(version)
    kit = deps.kits.get(caller.org_id, kit_id, number)
    return KitVersion(kit_id=kit_id, version=kit.version, kit=kit)


def versions(caller: Caller, kit_id: str, deps: Deps) -> KitVersions:
    if not _known_id(kit_id):
        raise BrandKitNotFound(f"brand kit {kit_id[:MAX_ID_CHARS]!r} not found in this organisation")
    current = deps.kits.get(caller.org_id, kit_id)
    stored = deps.kits.versions(caller.org_id, kit_id)
    return KitVersions(
        kit_id=kit_id,
        current_version=current.version,
        items=[
            KitVersionSummary(
                version=kit.version, name=kit.name, stored_at=at or None, current=kit.version == current.version
            )
            for kit, at in stored
        ],
    )
