"""API Gateway (HTTP API, payload 2.0) in front of the local engine, over real HTTP on 127.0.0.1.

A request is answered as the deployed API answers it:

1. its route is looked up among the template's ``HttpApi`` events (no route: 404 ``{"message":"Not Found"}``,
   the function is not invoked);
2. unless the route says ``Auth: {Authorizer: NONE}``, the JWT authorizer checks the token
   (``ffo.local_issuer``; refused: 401 ``{"message":"Unauthorized"}``);
3. the request becomes the event API Gateway sends (``ffo.engine.http_api_event``, with the real headers,
   cookies, query string, body, base64 for binary bodies, and the claims as strings);
4. the function's answer becomes the HTTP response (a failed invoke: 500, or 413 past Lambda's 6 MB).

Besides the API, the server answers ``/.well-known/jwks.json`` and ``/.well-known/openid-configuration``
(the local issuer's keys), ``/local-s3/<bucket>/<key>`` (presigned S3 URLs, see ``ffo.local_s3``) and
``/local/token`` (a local sign-in token, see ``ffo.local_token``; ``ffo serve`` only).
"""

from __future__ import annotations

import base64
import json
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3

from ffo import local_s3, local_s3_post, local_token
from ffo.engine import LocalEngine, http_api_event, match_route
from ffo.local_issuer import JwtAuthorizer, gateway_claims

MAX_BODY_BYTES = 10 * 1024 * 1024
"""API Gateway HTTP APIs refuse a payload over 10 MB with 413."""
MAX_S3_BODY_BYTES = 256 * 1024 * 1024
"""Presigned uploads to ``/local-s3/`` go to S3, not API Gateway: up to the largest upload the API offers."""
TEXT_TYPES = ("text/", "application/json", "application/problem+json", "application/xml", "application/x-www-form")
JSON = "application/json"


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    function: str
    authorized: bool
    """False where the template says ``Auth: {Authorizer: NONE}`` (a public route)."""


def http_routes(template: dict[str, Any]) -> list[Route]:
    """Every ``HttpApi`` event of every function of the template."""
    routes: list[Route] = []
    for logical_id, resource in template["Resources"].items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        for event in resource.get("Properties", {}).get("Events", {}).values():
            if event.get("Type") != "HttpApi":
                continue
            props = event.get("Properties", {})
            authorizer = str((props.get("Auth") or {}).get("Authorizer", ""))
            routes.append(
                Route(
                    method=str(props.get("Method", "ANY")).upper(),
                    path=str(props.get("Path", "/")),
                    function=logical_id,
                    authorized=authorizer.upper() != "NONE",
                )
            )
    return routes


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    cookies: tuple[str, ...] = ()


def _json_answer(status: int, body: Any, headers: dict[str, str] | None = None) -> Answer:
    return Answer(status, {"content-type": JSON, **(headers or {})}, json.dumps(body).encode("utf-8"))


NOT_FOUND = _json_answer(404, {"message": "Not Found"})
UNAUTHORIZED = _json_answer(401, {"message": "Unauthorized"}, {"www-authenticate": "Bearer"})
FORBIDDEN = _json_answer(403, {"message": "Forbidden"})
TOO_LARGE = _json_answer(413, {"message": "Request Entity Too Large"})


def _is_text(content_type: str) -> bool:
    return not content_type or content_type.lower().startswith(TEXT_TYPES)


class Gateway:
    """Turns (method, target, headers, body) into the function's answer, as API Gateway does."""

    def __init__(
        self,
        engine: LocalEngine,
        authorizer: JwtAuthorizer,
        jwks: dict[str, Any],
        base_url: Callable[[], str],
        org_prefix: Callable[[str], str],
        static: Callable[[str, str], Answer | None] | None = None,
        local_token: local_token.Minter | None = None,
    ) -> None:
        self.engine = engine
        self.static = static
        """Files served beside the API (the console): an answer for their paths, None for others."""
        self.local_token = local_token
        """Mints ``GET /local/token`` answers (``ffo serve`` only; None: the route does not exist)."""
        self.authorizer = authorizer
        self.jwks = jwks
        self.base_url = base_url
        self.org_prefix = org_prefix
        self.routes = http_routes(engine.template)
        self._by_function: dict[str, list[tuple[str, str]]] = {}
        for route in self.routes:
            self._by_function.setdefault(route.function, []).append((route.method, route.path))

    def route(self, method: str, path: str) -> Route | None:
        for route in self.routes:
            template, _ = match_route(method, path, [(route.method, route.path)])
            if template == route.path and (route.method in (method.upper(), "ANY")):
                return route
        return None

    def answer(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Answer:
        path, _, query = target.partition("?")
        if path.startswith(local_s3.PREFIX):
            return self._s3(method, target, headers, body)
        if self.static is not None and (page := self.static(method, path)) is not None:
            return page
        if method == "GET" and path == "/.well-known/jwks.json":
            return _json_answer(200, self.jwks)
        if method == "GET" and path == "/.well-known/openid-configuration":
            issuer = self.authorizer.config.issuer
            return _json_answer(200, {"issuer": issuer, "jwks_uri": f"{self.base_url()}/.well-known/jwks.json"})
        if method == "GET" and path == local_token.PATH and self.local_token is not None:
            status, document = local_token.answer(query, self.local_token)
            return _json_answer(status, document, {"cache-control": "no-store"})
        route = self.route(method, path)
        if route is None:
            return NOT_FOUND
        claims: dict[str, Any] | None = None
        if route.authorized:
            claims = self.authorizer.claims(headers.get("authorization"))
            if claims is None:
                return UNAUTHORIZED
        event = self.event(method, path, query, headers, body, claims, route)
        return self._response(self.engine.api_event(event, route.function))

    def event(
        self,
        method: str,
        path: str,
        query: str,
        headers: dict[str, str],
        body: bytes,
        claims: dict[str, Any] | None,
        route: Route,
    ) -> dict[str, Any]:
        """The payload 2.0 event: the engine's builder, with what the real request carried."""
        content_type = headers.get("content-type", "")
        text: str | None = None
        binary = False
        if body:
            if _is_text(content_type):
                try:
                    text = body.decode("utf-8")
                except UnicodeDecodeError:
                    binary = True
            else:
                binary = True
            if binary:
                text = base64.b64encode(body).decode("ascii")
        target = f"{path}?{query}" if query else path
        event = http_api_event(method, target, None, None, text, self._by_function[route.function])
        gateway_headers = {k: v for k, v in headers.items() if k != "cookie"}
        event["headers"] = gateway_headers
        if headers.get("cookie"):
            event["cookies"] = [c.strip() for c in headers["cookie"].split(";") if c.strip()]
        event["isBase64Encoded"] = binary
        if event["body"] is None:
            event.pop("body")
        if query:  # API Gateway joins a repeated parameter's values with commas
            joined: dict[str, list[str]] = {}
            for name, value in urllib.parse.parse_qsl(query, keep_blank_values=True):
                joined.setdefault(name, []).append(value)
            event["queryStringParameters"] = {k: ",".join(v) for k, v in joined.items()}
        else:
            event.pop("queryStringParameters", None)
        context = event["requestContext"]
        context["http"]["userAgent"] = headers.get("user-agent", "")
        if claims is None:
            context.pop("authorizer", None)
        else:
            scopes = str(claims.get("scope") or claims.get("scp") or "").split()
            context["authorizer"] = {"jwt": {"claims": gateway_claims(claims), "scopes": scopes or None}}
        return event

    def _response(self, result: Any) -> Answer:
        """Payload 2.0 response: statusCode/headers/body, or any other JSON value as a 200 JSON body."""
        if not isinstance(result, dict) or "statusCode" not in result:
            return _json_answer(200, result)
        headers = {str(k).lower(): str(v) for k, v in (result.get("headers") or {}).items()}
        for name, values in (result.get("multiValueHeaders") or {}).items():
            headers[str(name).lower()] = ",".join(str(v) for v in values)
        raw = result.get("body") or ""
        data = base64.b64decode(raw) if result.get("isBase64Encoded") else str(raw).encode("utf-8")
        return Answer(int(result["statusCode"]), headers, data, tuple(result.get("cookies") or ()))

    # presigned S3 ----------------------------------------------------------------------------
    def _s3(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Answer:
        path = target.partition("?")[0]
        if method == "POST":
            return self._s3_post(path, headers, body)
        located = local_s3.split_path(path)
        if located is None or method not in ("GET", "HEAD", "PUT"):
            return NOT_FOUND
        bucket, quoted_key = located
        key = urllib.parse.unquote(quoted_key)
        if bucket not in self.engine.resources.buckets:
            return NOT_FOUND
        if not self._s3_allowed(method, target, headers, key):
            return _json_answer(403, {"message": "AccessDenied: the URL is not signed, expired, or not yours"})
        s3 = self.engine.client("s3")
        if method == "PUT":
            extra: dict[str, Any] = {}
            if headers.get("content-type"):
                extra["ContentType"] = headers["content-type"]
            if headers.get("x-amz-server-side-encryption"):
                extra["ServerSideEncryption"] = headers["x-amz-server-side-encryption"]
            put = s3.put_object(Bucket=bucket, Key=key, Body=body, **extra)
            return Answer(200, {"etag": put["ETag"]}, b"")
        try:
            got = s3.get_object(Bucket=bucket, Key=key)
        except s3.exceptions.NoSuchKey:
            return _json_answer(404, {"message": "NoSuchKey"})
        data = got["Body"].read()
        answer_headers = {
            "content-type": got.get("ContentType") or "application/octet-stream",
            "etag": got["ETag"],
            "last-modified": got["LastModified"].strftime("%a, %d %b %Y %H:%M:%S GMT"),
        }
        return Answer(200, answer_headers, b"" if method == "HEAD" else data)

    def _s3_post(self, path: str, headers: dict[str, str], body: bytes) -> Answer:
        """A presigned POST (an HTML form upload), checked as S3 checks it (``ffo.local_s3_post``)."""
        bucket = local_s3.bucket_of_post(path)
        if bucket is None or bucket not in self.engine.resources.buckets:
            return NOT_FOUND
        form = local_s3_post.parse_form(headers.get("content-type", ""), body)
        credentials = boto3.Session().get_credentials()
        if form is None or credentials is None:
            refusal = local_s3_post.Refusal(400, "InvalidArgument", "POST requires a multipart form with a file")
            return Answer(refusal.status, {"content-type": "application/xml"}, refusal.xml())
        outcome = local_s3_post.check(bucket, form, credentials.get_frozen_credentials(), self.engine.region)
        if isinstance(outcome, local_s3_post.Refusal):
            return Answer(outcome.status, {"content-type": "application/xml"}, outcome.xml())
        put = self.engine.client("s3").put_object(
            Bucket=bucket, Key=outcome.key, Body=form.file, ContentType=outcome.content_type, **outcome.extra
        )
        location = f"{self.base_url()}{local_s3.PREFIX}{bucket}/{urllib.parse.quote(outcome.key)}"
        return Answer(outcome.status, {"etag": put["ETag"], "location": location}, b"")

    def _s3_allowed(self, method: str, target: str, headers: dict[str, str], key: str) -> bool:
        """A presigned URL the local stack signed, unexpired; or (a local convenience until the API
        hands out download links everywhere) a GET with a token of the organisation owning the key."""
        if "Signature=" in target:
            credentials = boto3.Session().get_credentials()
            if credentials is None:
                return False
            return local_s3.presign_valid(
                method, f"{self.base_url()}{target}", headers, credentials.get_frozen_credentials(), self.engine.region
            )
        if method not in ("GET", "HEAD"):
            return False
        claims = self.authorizer.claims(headers.get("authorization"))
        if claims is None:
            return False
        org_id = str(claims.get(self.authorizer.config.org_claim, ""))
        return bool(org_id) and key.startswith(self.org_prefix(org_id))


class _Handler(BaseHTTPRequestHandler):
    server: LocalHttpServer
    protocol_version = "HTTP/1.1"

    def _handle(self) -> None:
        started = time.perf_counter()
        headers = {k.lower(): v for k, v in self.headers.items()}
        length = int(headers.get("content-length") or 0)
        limit = MAX_S3_BODY_BYTES if self.path.startswith(local_s3.PREFIX) else MAX_BODY_BYTES
        if length > limit:
            answer = TOO_LARGE
            self.close_connection = True
        else:
            body = self.rfile.read(length) if length else b""
            try:
                answer = self.server.gateway.answer(self.command, self.path, headers, body)
            except Exception as error:  # API Gateway answers 500 whatever broke behind it
                self.server.log(f"ffo serve: {self.command} {self.path} failed: {type(error).__name__}: {error}\n")
                answer = _json_answer(500, {"message": "Internal Server Error"})
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            if name not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(name, value)
        for cookie in answer.cookies:
            self.send_header("set-cookie", cookie)
        self.send_header("content-length", str(len(answer.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(answer.body)
        took = (time.perf_counter() - started) * 1000
        self.server.log(f"{self.command} {self.path.partition('?')[0]} {answer.status} {took:.0f} ms\n")

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle

    def log_message(self, format: str, *args: Any) -> None:
        """One line per request is written by ``_handle``; the base class's own lines are not wanted."""


class LocalHttpServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], gateway: Gateway, log: Callable[[str], Any]) -> None:
        super().__init__(address, _Handler)
        self.gateway = gateway
        self.log = log
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        self._thread = threading.Thread(target=self.serve_forever, name="ffo-serve-http", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join(5)
