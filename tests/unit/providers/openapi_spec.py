"""OpenAI's published OpenAPI description, as a validator for the fixtures of the OpenAI adapter tests.

Each operation's schemas are looked up from the spec's own `paths` (not named from memory), `$ref`s
resolve inside the document, and request bodies are also checked for keys the schema does not declare:
OpenAI's schemas rarely set additionalProperties: false, so a misspelt parameter would otherwise pass.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.helpers import ROOT

# The operations the adapter tests use, cut from OpenAI's description (tests/fixtures/openai/README.md).
SPEC_PATH = ROOT / "tests" / "fixtures" / "openai" / "openai-openapi.subset.json"
BASE_URI = "urn:openai:openapi"
REF_PREFIX = "#/components/schemas/"


@functools.cache
def document() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SPEC_PATH.read_text("utf-8"))
    return loaded


@functools.cache
def _registry() -> Registry:
    resource = Resource.from_contents(document(), default_specification=DRAFT202012)
    return Registry().with_resource(BASE_URI, resource)


def _operation(path: str, method: str) -> dict[str, Any]:
    paths = document()["paths"]
    assert path in paths, f"{path} is not in OpenAI's OpenAPI description"
    assert method in paths[path], f"{method.upper()} {path} is not in OpenAI's OpenAPI description"
    operation: dict[str, Any] = paths[path][method]
    return operation


def _schema_name(media: dict[str, Any], where: str) -> str:
    ref = media.get("schema", {}).get("$ref", "")
    assert ref.startswith(REF_PREFIX), f"{where} has no named schema: {media}"
    return str(ref.removeprefix(REF_PREFIX))


def request_schema(path: str, method: str, media_type: str = "application/json") -> str:
    """The schema name the spec gives for this operation's request body."""
    content = _operation(path, method)["requestBody"]["content"]
    assert media_type in content, f"{method.upper()} {path} takes {sorted(content)}, not {media_type}"
    return _schema_name(content[media_type], f"{method.upper()} {path} request")


def response_schema(path: str, method: str, status: str = "200", media_type: str = "application/json") -> str:
    """The schema name the spec gives for this operation's response."""
    response = _operation(path, method)["responses"][status]
    if "$ref" in response:  # a shared response, e.g. #/components/responses/TooManyRequests
        response = document()["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
    content = response["content"]
    assert media_type in content, f"{method.upper()} {path} {status} answers {sorted(content)}"
    return _schema_name(content[media_type], f"{method.upper()} {path} {status}")


def response_media_types(path: str, method: str, status: str = "200") -> set[str]:
    return set(_operation(path, method)["responses"][status]["content"])


def component(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = document()["components"]["schemas"][name]
    return schema


def validate(name: str, instance: Any) -> None:
    """Fail the test with the most relevant error when `instance` does not match schema `name`."""
    validator = Draft202012Validator({"$ref": f"{BASE_URI}{REF_PREFIX}{name}"}, registry=_registry())
    error = best_match(validator.iter_errors(instance))
    if error is not None:
        location = "/".join(str(part) for part in error.absolute_path) or "(root)"
        pytest.fail(f"fixture does not match {name} at {location}: {error.message}")


def declared_properties(name: str) -> set[str]:
    """Every property name the schema declares at its top level, through $ref and allOf."""
    return _declared(component(name), set())


def _declared(schema: dict[str, Any], seen: set[str]) -> set[str]:
    names = set(schema.get("properties", {}))
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith(REF_PREFIX) and ref not in seen:
        seen.add(ref)
        names |= _declared(component(ref.removeprefix(REF_PREFIX)), seen)
    for part in schema.get("allOf", []):
        names |= _declared(part, seen)
    return names


def validate_request(name: str, body: dict[str, Any]) -> None:
    validate(name, body)
    unknown = set(body) - declared_properties(name)
    assert not unknown, f"request keys {sorted(unknown)} are not declared by {name}"
