"""Bearer JWTs: verified with one pinned algorithm, turned into the Actor who sends a command."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from api.problems import ProblemError
from api.settings import Settings
from api.token_cache import VerifiedTokens
from api.tokens import (
    LOCAL_ALGORITHM,
    ClaimsError,
    mint_token,
    parse_claims,
    secret_source,
    signing_secret,
)
from domain.model.errors import NotAuthorisedError
from domain.model.values import Actor, Role

#: Minting and the secret live in api/tokens.py; named here as before.
__all__ = [
    "AUDIT_TRAIL",
    "TIME_TRAVEL",
    "AuthenticationError",
    "Authenticator",
    "actor_from_claims",
    "mint_token",
    "require_auditor",
    "require_reader",
    "secret_source",
    "signing_secret",
]

logger = logging.getLogger("api.auth")

HMAC_MIN_BYTES = 32
_TOKEN = re.compile(r"[A-Za-z0-9_=-]+\.[A-Za-z0-9_=-]*\.[A-Za-z0-9_=-]*")
_KEY_TYPES: dict[str, type[Any]] = {"RS256": RSAPublicKey, "ES256": EllipticCurvePublicKey}


class AuthenticationError(ProblemError):
    """401: no token, or one that is malformed, expired, wrongly signed or not meant for us."""

    def __init__(self, detail: str, *, code: str = "invalid-token") -> None:
        if code == "missing-token":
            challenge = 'Bearer realm="roadmap-ledger"'
        else:
            description = detail.replace('"', "'").replace("\\", "/")
            challenge = (
                f'Bearer realm="roadmap-ledger", error="invalid_token", '
                f'error_description="{description}"'
            )
        super().__init__(401, code, detail, headers={"WWW-Authenticate": challenge})


# --- verifying ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Authenticator:
    """Verifies bearer tokens with the configured key; built once per app."""

    algorithm: str
    key: Any = None
    jwks: Mapping[str, Any] = field(default_factory=dict)
    issuer: str | None = None
    audience: str | None = None
    leeway: int = 0
    #: Tokens verified already (their claims and Actor), checked again for exp/nbf on each hit.
    verified: VerifiedTokens = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "verified", VerifiedTokens(self.leeway))

    @classmethod
    def from_settings(cls, settings: Settings) -> Authenticator:
        common: dict[str, Any] = {
            "algorithm": settings.jwt_algorithm,
            "issuer": settings.jwt_issuer,
            "audience": settings.jwt_audience,
            "leeway": settings.jwt_leeway_seconds,
        }
        external = settings.jwt_public_key_file, settings.jwt_jwks_file
        if settings.jwt_algorithm == LOCAL_ALGORITHM:
            if any(external):
                msg = "a public key or JWKS file needs ROADMAP_JWT_ALGORITHM=RS256 or ES256"
                raise ValueError(msg)
            secret = signing_secret(settings)
            if len(secret.encode()) < HMAC_MIN_BYTES:
                logger.warning("ROADMAP_SECRET is shorter than %d bytes", HMAC_MIN_BYTES)
            return cls(key=secret, **common)
        match external:
            case (Path() as pem_file, None):
                key = load_pem_public_key(pem_file.read_bytes())
                _require_key_type(key, settings.jwt_algorithm, str(pem_file))
                return cls(key=key, **common)
            case (None, Path() as jwks_file):
                keys = jwt.PyJWKSet.from_json(jwks_file.read_text(encoding="utf-8")).keys
                jwks = {jwk.key_id or "": jwk.key for jwk in keys}
                for kid, key in jwks.items():
                    _require_key_type(key, settings.jwt_algorithm, f"{jwks_file} key {kid!r}")
                return cls(jwks=jwks, **common)
        msg = f"{settings.jwt_algorithm} needs exactly one of ROADMAP_JWT_PUBLIC_KEY_FILE "
        msg += "or ROADMAP_JWT_JWKS_FILE"
        raise ValueError(msg)

    def authenticate(self, authorization: str | None) -> Actor:
        """The Actor of an `Authorization` header, or AuthenticationError (401)."""
        if authorization is None or not authorization.strip():
            raise AuthenticationError("a bearer token is required", code="missing-token")
        scheme, _, token = authorization.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise AuthenticationError("the Authorization header must be 'Bearer <token>'")
        if not _TOKEN.fullmatch(token):
            raise AuthenticationError("the token is not a JWT")
        known = self.verified.get(token)
        if known is not None:
            return known[1]
        claims = self.claims(token)
        actor = actor_from_claims(claims)
        self.verified.put(token, claims, actor)
        return actor

    def claims(self, token: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
            decoded: dict[str, Any] = jwt.decode(
                token,
                self._key_for(header),
                algorithms=[self.algorithm],
                issuer=self.issuer,
                audience=self.audience,
                leeway=self.leeway,
                options={"require": ["exp", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise AuthenticationError("the token has expired", code="expired-token") from None
        except jwt.InvalidAudienceError:
            raise AuthenticationError("the token is not meant for this service") from None
        except jwt.InvalidIssuerError:
            raise AuthenticationError("the token comes from an unknown issuer") from None
        except jwt.InvalidAlgorithmError:
            msg = f"the token's algorithm is not accepted (only {self.algorithm})"
            raise AuthenticationError(msg) from None
        except jwt.InvalidSignatureError:
            msg = "the token's signature does not verify"
            if self.algorithm == LOCAL_ALGORITHM:
                msg += (
                    ": was it minted with another secret? `roadmap token` signs with "
                    "ROADMAP_SECRET, else the file ROADMAP_SECRET_FILE (.roadmap-secret in the "
                    "folder it runs in): mint it where the server runs, with the same settings"
                )
            raise AuthenticationError(msg) from None
        except jwt.MissingRequiredClaimError as error:
            raise AuthenticationError(f"the token has no '{error.claim}' claim") from None
        except jwt.DecodeError:
            raise AuthenticationError("the token is malformed") from None
        except jwt.PyJWTError as error:
            raise AuthenticationError(f"the token is invalid: {error}") from None
        for claim in ("exp", "nbf", "iat"):
            value = decoded.get(claim)
            if claim in decoded and (isinstance(value, bool) or not isinstance(value, int | float)):
                # PyJWT takes "1700000000" as a number; RFC 7519 says a NumericDate is one.
                msg = f"the '{claim}' claim must be a number of seconds (a NumericDate), not text"
                raise AuthenticationError(msg)
        return decoded

    def _key_for(self, header: dict[str, Any]) -> Any:
        if not self.jwks:
            return self.key
        kid = header.get("kid")
        if kid is None and len(self.jwks) == 1:
            return next(iter(self.jwks.values()))
        if not isinstance(kid, str) or kid not in self.jwks:
            raise AuthenticationError("the token's key id (kid) is not in the key set")
        return self.jwks[kid]


def _require_key_type(key: Any, algorithm: str, where: str) -> None:
    if not isinstance(key, _KEY_TYPES[algorithm]):
        raise ValueError(f"{where} is not a key for {algorithm}")  # noqa: TRY004 - a setting


def actor_from_claims(claims: Mapping[str, Any]) -> Actor:
    """`sub`, `party` (required for officials), `roles` → the Actor; bad claims are a 401."""
    try:
        return parse_claims(claims)
    except ClaimsError as error:
        raise AuthenticationError(str(error)) from None


# --- read rules -----------------------------------------------------------------------------


def require_reader(actor: Actor) -> Actor:
    if not actor.roles:
        raise NotAuthorisedError("the token grants no role")
    return actor


#: What `require_auditor` refuses, named in the answer.
TIME_TRAVEL = "time travel (as_of, effective_on)"
AUDIT_TRAIL = "the audit trail, its signed tree heads, proofs and key"


def require_auditor(actor: Actor, what: str = TIME_TRAVEL) -> None:
    """Time travel and the audit trail are for auditors and admins; the refusal names `what`
    was asked and the roles the token has."""
    if not actor.roles & {Role.AUDITOR, Role.ADMIN}:
        roles = ", ".join(sorted(r.value for r in actor.roles)) or "none"
        raise NotAuthorisedError(f"{what}: for auditors and admins, not {roles}")
