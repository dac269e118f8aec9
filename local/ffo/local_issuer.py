"""The local token issuer, and the JWT checks of the deployed HTTP API's authorizer.

Deployed, API Gateway's JWT authorizer (template.yaml: HttpApi ``Auth``, issuer ``JwtIssuer`` and
audience ``JwtAudience``) refuses a request with 401 ``{"message":"Unauthorized"}`` unless the
``Authorization`` header holds a JWT (``Bearer`` prefix optional) that:

- is signed with an RSA algorithm by a key of the issuer's JWKS, named by the header's ``kid``;
- has ``iss`` equal to the issuer; ``aud`` (or, only when there is no ``aud``, ``client_id``) one of
  the audiences; ``exp`` after now; ``nbf`` and ``iat``, when present, before now.

It then hands the claims to the function as ``requestContext.authorizer.jwt.claims``, every value
a string: numbers as their digits, lists as ``"[a b]"`` (which ``flashfusion.http.identity`` parses).

Locally the issuer is ``LOCAL_ISSUER``: an RS256 key created once under ``out/.ffo-issuer`` (0600),
``ffo token`` signs with it and ``ffo serve`` verifies against its JWKS, with the audience and claim
names from template.yaml's parameters, so the handler sees what it sees behind API Gateway.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey

from ffo.devcert import _locked, _write_private
from ffo.issuer_name import LOCAL_ISSUER as LOCAL_ISSUER

KEY_FILE = "issuer-key.pem"
JWKS_FILE = "jwks.json"
ALGORITHM = "RS256"
RSA_ALGORITHMS = ["RS256", "RS384", "RS512"]
"""API Gateway's JWT authorizer accepts RSA-based algorithms only."""
DEFAULT_TTL_SECONDS = 3600


def default_directory(root: Path) -> Path:
    return root / "out" / ".ffo-issuer"


@dataclass(frozen=True)
class AuthorizerConfig:
    """What the template says the authorizer and the API function read: audiences and claim names."""

    issuer: str
    audiences: tuple[str, ...]
    org_claim: str
    groups_claim: str

    @classmethod
    def from_template(cls, template: dict[str, Any], parameters: dict[str, str] | None = None) -> AuthorizerConfig:
        declared = template.get("Parameters", {})
        values = {name: str(spec.get("Default", "")) for name, spec in declared.items()}
        values.update(parameters or {})
        audiences = tuple(a.strip() for a in values.get("JwtAudience", "").split(",") if a.strip())
        return cls(
            issuer=LOCAL_ISSUER,
            audiences=audiences,
            org_claim=values.get("OrgIdClaim") or "org_id",
            groups_claim=values.get("GroupsClaim") or "cognito:groups",
        )


@lru_cache(maxsize=8)
def _imported(pem: bytes) -> RSAKey:
    """A PEM private key, loaded once per process: loading checks the RSA key's consistency (~30 ms), and a
    server, ``ffo token`` and each client of a process open the same issuer."""
    return RSAKey.import_key(pem)


class LocalIssuer:
    """The local issuer's signing key (created on first use) and its public JWKS."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._key = self._load_or_create()
        self.kid = self._key.thumbprint()

    def _load_or_create(self) -> RSAKey:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / KEY_FILE
        with _locked(self.directory / ".lock"):  # two commands may create it at the same moment
            if not path.is_file():
                key = RSAKey.generate_key(2048, private=True)
                _write_private(path, key.as_pem(private=True))
            pem = path.read_bytes()
        return _imported(pem)

    def jwks(self) -> dict[str, Any]:
        """The public key set, as an issuer publishes it at its ``jwks_uri``."""
        public = RSAKey.import_key(self._key.as_dict(private=False))
        keys: list[dict[str, Any]] = [dict(key) for key in KeySet([public]).as_dict(private=False)["keys"]]
        for key in keys:
            key.update({"kid": self.kid, "use": "sig", "alg": ALGORITHM})
        return {"keys": keys}

    def write_jwks(self) -> Path:
        path = self.directory / JWKS_FILE
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(self.jwks(), indent=2), "utf-8")
        os.replace(temporary, path)
        return path

    def mint(
        self,
        config: AuthorizerConfig,
        *,
        org_id: str,
        subject: str,
        groups: Iterable[str] = (),
        ttl_seconds: int = DEFAULT_TTL_SECONDS,
        now: float | None = None,
        extra: dict[str, Any] | None = None,
    ) -> str:
        """A token as a Cognito user pool would issue it: the org and groups claims the API reads."""
        issued = int(time.time() if now is None else now)
        claims: dict[str, Any] = {
            "iss": config.issuer,
            "sub": subject,
            "aud": config.audiences[0] if config.audiences else "",
            "iat": issued,
            "exp": issued + ttl_seconds,
            "jti": str(uuid.uuid4()),
            "token_use": "id",
            config.org_claim: org_id,
        }
        group_list = [g for g in groups if g]
        if group_list:
            claims[config.groups_claim] = group_list
        claims.update(extra or {})
        claims = {name: value for name, value in claims.items() if value is not None}  # extra may drop a claim
        return jwt.encode({"alg": ALGORITHM, "kid": self.kid, "typ": "JWT"}, claims, self._key)


def gateway_claims(claims: dict[str, Any]) -> dict[str, str]:
    """The claims as API Gateway passes them to the function: every value a string, lists as "[a b]"."""

    def text(value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, list | tuple):
            return "[" + " ".join(text(v) for v in value) + "]"
        if isinstance(value, dict):
            return json.dumps(value, separators=(",", ":"))
        return str(value)

    return {name: text(value) for name, value in claims.items()}


class JwtAuthorizer:
    """API Gateway's JWT authorizer checks against one issuer's key set."""

    def __init__(self, config: AuthorizerConfig, jwks: dict[str, Any]) -> None:
        self.config = config
        self.keys = KeySet.import_key_set(jwks)  # type: ignore[arg-type]

    def claims(self, authorization: str | None, now: float | None = None) -> dict[str, Any] | None:
        """The token's verified claims, or None when API Gateway would answer 401."""
        token = (authorization or "").strip()
        if token[:7].lower() == "bearer ":
            token = token[7:].strip()
        if not token:
            return None
        try:
            decoded = jwt.decode(token, self.keys, algorithms=RSA_ALGORITHMS)
        except (JoseError, ValueError, TypeError):  # malformed, unknown kid, bad signature, other algorithm
            return None
        if "kid" not in decoded.header:
            return None
        claims = dict(decoded.claims)
        return claims if self._valid(claims, time.time() if now is None else now) else None

    def _valid(self, claims: dict[str, Any], now: float) -> bool:
        if claims.get("iss") != self.config.issuer:
            return False
        audience = claims["aud"] if "aud" in claims else claims.get("client_id")
        audiences = audience if isinstance(audience, list) else [audience]
        if not any(isinstance(a, str) and a in self.config.audiences for a in audiences):
            return False
        try:
            if not float(claims["exp"]) > now:
                return False
            return all(float(claims[name]) <= now for name in ("nbf", "iat") if name in claims)
        except (KeyError, TypeError, ValueError):  # exp is required; a non-numeric time is unusable
            return False
