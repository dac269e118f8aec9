"""Presigned S3 URLs that work locally: signed for ``ffo serve``'s own address, checked there, served from moto.

Deployed, the API hands a client a presigned S3 URL (a review's preview, an upload ticket, an asset's
download) and S3 checks its SigV4 query signature and expiry. Locally the buckets live in moto inside
``ffo serve``'s process, so a URL naming ``<bucket>.s3.amazonaws.com`` leads nowhere. While the server
runs, a botocore ``before-sign.s3`` hook points every *presigned* request (only those: the handlers' own
S3 calls still go to moto) at ``http://127.0.0.1:PORT/local-s3/<bucket>/<key>`` before botocore signs
it, so the signature covers the local URL; the server recomputes that signature with botocore and the
local credentials, checks the expiry, and only then reads or writes the object, as S3 would.

Both query signatures botocore makes are checked: SigV4 (``X-Amz-Signature``) and the legacy SigV2
(``Signature`` + ``Expires``), which botocore still makes for S3 when the client's ``Config`` names no
``signature_version`` (the layer's clients today).

Presigned POSTs (``generate_presigned_post``: an HTML form's fields and a signed policy) are posted to
``/local-s3/<bucket>/``; ``ffo.local_s3_post`` checks them as S3 does.
"""

from __future__ import annotations

import datetime as dt
import hmac
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.auth import HmacV1QueryAuth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.credentials import Credentials

PREFIX = "/local-s3/"
HOOK_ID = "ffo-local-s3-presign"
SIGV4_TIME = "%Y%m%dT%H%M%SZ"


def _bucket_and_key(url: str) -> tuple[str, str]:
    """From an S3 URL, virtual-hosted (``bucket.s3.amazonaws.com/key``) or path style (``s3.../bucket/key``)."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    path = parts.path.lstrip("/")
    if ".s3" in host and not host.startswith(("s3.", "s3-")):
        return host.split(".s3", 1)[0], path
    bucket, _, key = path.partition("/")
    return bucket, key


@dataclass
class PresignRedirect:
    """The ``before-sign.s3`` hook, installed on boto3's default session (the layer's clients come from it)."""

    base_url: str

    def __call__(self, request: AWSRequest, **_: Any) -> None:
        presigned_post = request.context.get("s3-presign-post-policy") is not None
        if request.context.get("is_presign_request") is not True and not presigned_post:
            return
        bucket, key = _bucket_and_key(request.url)
        query = urllib.parse.urlsplit(request.url).query
        request.url = f"{self.base_url}{PREFIX}{bucket}/{key}" + (f"?{query}" if query else "")

    def install(self) -> None:
        if boto3.DEFAULT_SESSION is None:
            boto3.setup_default_session()
        assert boto3.DEFAULT_SESSION is not None
        boto3.DEFAULT_SESSION.events.register("before-sign.s3", self, unique_id=HOOK_ID)

    def uninstall(self) -> None:
        if boto3.DEFAULT_SESSION is not None:
            boto3.DEFAULT_SESSION.events.unregister("before-sign.s3", unique_id=HOOK_ID)


def bucket_of_post(path: str) -> str | None:
    """The bucket of a presigned POST's ``/local-s3/<bucket>/`` path (the key is a form field), or None."""
    if not path.startswith(PREFIX):
        return None
    bucket, _, rest = path[len(PREFIX) :].partition("/")
    return bucket if bucket and not rest else None


def split_path(path: str) -> tuple[str, str] | None:
    """(bucket, key) of a ``/local-s3/<bucket>/<key>`` path (key still percent-encoded as signed), or None."""
    if not path.startswith(PREFIX):
        return None
    bucket, _, key = path[len(PREFIX) :].partition("/")
    return (bucket, key) if bucket and key else None


def presign_valid(
    method: str,
    url: str,
    headers: Mapping[str, str],
    credentials: Credentials,
    region: str,
    now: dt.datetime | None = None,
) -> bool:
    """Whether ``url`` carries a SigV4 query signature made with ``credentials`` that has not expired.

    The signature is recomputed by botocore's own presigner over the URL as received, the headers the
    signature names (``X-Amz-SignedHeaders``) taken from the request, as S3 does.
    """
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    params = dict(query)
    current = now or dt.datetime.now(dt.UTC)
    if "Signature" in params and "X-Amz-Signature" not in params:
        return _sigv2_valid(method, parts, query, headers, credentials, current)
    try:
        signature = params["X-Amz-Signature"]
        signed_at = dt.datetime.strptime(params["X-Amz-Date"], SIGV4_TIME).replace(tzinfo=dt.UTC)
        expires = int(params["X-Amz-Expires"])
        access_key, day, signed_region, service, _ = params["X-Amz-Credential"].split("/")
    except (KeyError, ValueError):
        return False
    if params.get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256" or service != "s3" or signed_region != region:
        return False
    if access_key != credentials.access_key or day != signed_at.strftime("%Y%m%d"):
        return False
    if not signed_at - dt.timedelta(minutes=15) <= current <= signed_at + dt.timedelta(seconds=expires):
        return False
    unsigned_query = urllib.parse.urlencode([(k, v) for k, v in query if k != "X-Amz-Signature"])
    request = AWSRequest(method=method, url=urllib.parse.urlunsplit(parts._replace(query=unsigned_query)))
    lowered = {name.lower(): value for name, value in headers.items()}
    for name in params.get("X-Amz-SignedHeaders", "host").split(";"):
        if name != "host":
            request.headers[name] = lowered.get(name, "")
    request.context["timestamp"] = params["X-Amz-Date"]
    signer = S3SigV4QueryAuth(credentials, "s3", region, expires=expires)
    canonical = signer.canonical_request(request)
    expected = signer.signature(signer.string_to_sign(request, canonical), request)
    return hmac.compare_digest(str(expected), signature)


V2_AUTH_PARAMS = {"AWSAccessKeyId", "Signature", "Expires"}
V2_SIGNED_PARAMS = ("content-md5", "content-type")


class _SigV2Check(HmacV1QueryAuth):
    """botocore's SigV2 query signer with the URL's ``Expires`` (botocore takes now + expires when signing)."""

    def __init__(self, credentials: Credentials, expires_at: str) -> None:
        super().__init__(credentials)
        self._expires_at = expires_at

    def _get_date(self) -> str:
        return self._expires_at


def _sigv2_valid(
    method: str,
    parts: urllib.parse.SplitResult,
    query: list[tuple[str, str]],
    headers: Mapping[str, str],
    credentials: Credentials,
    now: dt.datetime,
) -> bool:
    """SigV2 query authentication: HMAC-SHA1 over method, Content-MD5, Content-Type, Expires, the x-amz-
    values and the resource; the values botocore moved into the query are signed as headers."""
    params = dict(query)
    try:
        expires = int(params["Expires"])
    except (KeyError, ValueError):
        return False
    if params.get("AWSAccessKeyId") != credentials.access_key or now.timestamp() > expires:
        return False
    lowered = {name.lower(): value for name, value in headers.items()}
    signed = HTTPHeaders()
    for name, value in query:
        key = name.lower()
        if key.startswith("x-amz-") or key in V2_SIGNED_PARAMS:
            signed[key] = lowered.get(key, value) if key in V2_SIGNED_PARAMS else value
    resource_query = [(k, v) for k, v in query if k not in V2_AUTH_PARAMS and k.lower() not in signed]
    split = parts._replace(query=urllib.parse.urlencode(resource_query))
    located = split_path(parts.path)
    if located is None:
        return False
    # SigV2 signs the resource as /bucket/key (botocore's auth_path), whatever the URL's path is.
    resource = f"/{located[0]}/{located[1]}"
    expected = _SigV2Check(credentials, params["Expires"]).get_signature(method, split, signed, auth_path=resource)
    return hmac.compare_digest(str(expected), params["Signature"])
