"""S3 presigned POST (browser-based uploads) checked locally as S3 checks it, for ``ffo serve``'s ``/local-s3/``.

A client posts ``multipart/form-data``: the fields ``generate_presigned_post`` returned (key, policy, signature
and the signed values), then the file. S3 answers, and so does this:

- the signature over the base64 policy must be the stack's (SigV4 ``x-amz-signature``, or the legacy SigV2
  ``signature`` botocore makes when a client names no signature version): else 403 ``SignatureDoesNotMatch``;
- the policy must not have expired: else 403 ``AccessDenied`` ("Policy expired");
- every condition must hold (exact values, ``starts-with``, ``eq``), and every form field but the file, the
  policy, the signature and ``x-ignore-*`` fields must be named by a condition: else 403 ``AccessDenied``
  ("Invalid according to Policy");
- the file's size must lie within ``content-length-range``: else 400 ``EntityTooLarge`` / ``EntityTooSmall``.

Then the object is stored with the form's ``Content-Type``, server-side encryption and ``x-amz-meta-*``, and the
answer is 204 (or ``success_action_status``). Errors are S3's XML.

Sources: "Browser-Based Uploads Using POST (AWS Signature Version 4)" and "Creating a POST Policy" in the
Amazon S3 API Reference.
"""

from __future__ import annotations

import base64
import datetime as dt
import hmac
import io
import json
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from botocore.auth import HmacV1Auth, S3SigV4PostAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

UNCONDITIONED = {"file", "policy", "x-amz-signature", "signature", "awsaccesskeyid"}
"""Form fields a policy does not name (S3 also skips ``x-ignore-*``)."""
POLICY_TIME = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True)
class PostForm:
    fields: dict[str, str]
    """Form fields by lower-cased name (S3 matches field names without regard to case)."""
    file: bytes
    filename: str = ""


@dataclass(frozen=True)
class Refusal:
    status: int
    code: str
    message: str

    def xml(self) -> bytes:
        body = f"<Error><Code>{escape(self.code)}</Code><Message>{escape(self.message)}</Message></Error>"
        return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body).encode("utf-8")


@dataclass(frozen=True)
class Accepted:
    key: str
    content_type: str
    extra: dict[str, Any] = field(default_factory=dict)
    """put_object arguments besides Bucket, Key and Body (encryption, metadata)."""
    status: int = 204


def parse_form(content_type: str, body: bytes) -> PostForm | None:
    """The multipart form (werkzeug's parser, as Flask uses it); None when it is not one or has no file."""
    from werkzeug.formparser import parse_form_data

    environ = {
        "REQUEST_METHOD": "POST",
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    _, form, files = parse_form_data(environ)
    upload = files.get("file")
    if upload is None:
        return None
    fields = {name.lower(): value for name, value in form.items()}
    return PostForm(fields=fields, file=upload.read(), filename=upload.filename or "")


def check(
    bucket: str, form: PostForm, credentials: Credentials, region: str, now: dt.datetime | None = None
) -> Accepted | Refusal:
    fields = dict(form.fields)
    if "key" not in fields:
        return Refusal(400, "InvalidArgument", "Bucket POST must contain a field named 'key'.")
    fields["key"] = fields["key"].replace("${filename}", form.filename)
    fields["bucket"] = bucket
    policy_b64 = fields.get("policy", "")
    try:
        policy = json.loads(base64.b64decode(policy_b64, validate=True))
        conditions = list(policy["conditions"])
        expires = dt.datetime.strptime(policy["expiration"].split(".")[0].rstrip("Z") + "Z", POLICY_TIME)
    except (ValueError, KeyError, TypeError, AttributeError):
        return Refusal(400, "InvalidPolicyDocument", "Invalid Policy: the policy is not a signed S3 POST policy.")
    if not _signed(fields, policy_b64, credentials, region):
        return Refusal(403, "SignatureDoesNotMatch", "The request signature we calculated does not match.")
    current = now or dt.datetime.now(dt.UTC)
    if current > expires.replace(tzinfo=dt.UTC):
        return Refusal(403, "AccessDenied", "Invalid according to Policy: Policy expired.")
    covered: set[str] = set()
    size_range: tuple[int, int] | None = None
    for condition in conditions:
        outcome = _condition(condition, fields, covered)
        if isinstance(outcome, Refusal):
            return outcome
        if outcome is not None:
            size_range = outcome
    extra = sorted(
        name for name in fields if name not in covered | UNCONDITIONED | {"bucket"} and not name.startswith("x-ignore-")
    )
    if extra:
        return Refusal(403, "AccessDenied", f"Invalid according to Policy: Extra input fields: {', '.join(extra)}")
    if size_range is not None:
        low, high = size_range
        if len(form.file) > high:
            return Refusal(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
        if len(form.file) < low:
            return Refusal(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size")
    extra_args: dict[str, Any] = {}
    if fields.get("x-amz-server-side-encryption"):
        extra_args["ServerSideEncryption"] = fields["x-amz-server-side-encryption"]
    metadata = {name[len("x-amz-meta-") :]: value for name, value in fields.items() if name.startswith("x-amz-meta-")}
    if metadata:
        extra_args["Metadata"] = metadata
    status = int(fields.get("success_action_status") or 204)
    return Accepted(
        key=fields["key"],
        content_type=fields.get("content-type", "binary/octet-stream"),
        extra=extra_args,
        status=status if status in (200, 201, 204) else 204,
    )


def _condition(condition: Any, fields: dict[str, str], covered: set[str]) -> Refusal | tuple[int, int] | None:
    """One policy condition against the form: a refusal, the content-length range it sets, or None (it holds)."""
    failed = Refusal(403, "AccessDenied", f"Invalid according to Policy: Policy Condition failed: {condition}")
    if isinstance(condition, dict) and len(condition) == 1:
        ((name, value),) = condition.items()
        covered.add(str(name).lower())
        return None if fields.get(str(name).lower()) == str(value) else failed
    if isinstance(condition, list) and len(condition) == 3:
        operator = str(condition[0]).lower()
        if operator == "content-length-range":
            try:
                return int(condition[1]), int(condition[2])
            except (TypeError, ValueError):
                return failed
        name = str(condition[1]).lstrip("$").lower()
        covered.add(name)
        actual, wanted = fields.get(name), str(condition[2])
        if operator == "eq":
            return None if actual == wanted else failed
        if operator == "starts-with":
            return None if actual is not None and actual.startswith(wanted) else failed
    return Refusal(400, "InvalidPolicyDocument", f"Invalid Policy: Invalid condition: {condition}")


def _signed(fields: dict[str, str], policy_b64: str, credentials: Credentials, region: str) -> bool:
    """The policy's signature recomputed with botocore's own signers (SigV4, or SigV2's HMAC-SHA1)."""
    if "x-amz-signature" in fields:
        try:
            access_key, day, signed_region, service, _ = fields["x-amz-credential"].split("/")
            signed_at = fields["x-amz-date"]
        except (KeyError, ValueError):
            return False
        if fields.get("x-amz-algorithm") != "AWS4-HMAC-SHA256" or service != "s3" or signed_region != region:
            return False
        if access_key != credentials.access_key or not signed_at.startswith(day):
            return False
        request = AWSRequest(method="POST", url="https://s3.amazonaws.com/")
        request.context["timestamp"] = signed_at
        expected = S3SigV4PostAuth(credentials, "s3", region).signature(policy_b64, request)
        return hmac.compare_digest(str(expected), fields["x-amz-signature"])
    if fields.get("awsaccesskeyid") != credentials.access_key or "signature" not in fields:
        return False
    expected = HmacV1Auth(credentials).sign_string(policy_b64)
    return hmac.compare_digest(str(expected), fields["signature"])
