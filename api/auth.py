"""Bearer JWTs: verified with one pinned algorithm, turned into the Actor who sends a command."""

from __future__ import annotations

import logging
import os
import re
import secrets
import time
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
from domain.model.errors import NotAuthorisedError
from domain.model.values import Actor, Role

logger = logging.getLogger("api.auth")

LOCAL_ALGORITHM = "HS256"
HMAC_MIN_BYTES = 32
SUBJECT_MAX = 200
ROLES_MAX = 8
_PARTY = re.compile(r"[A-Z]{2}")
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


# --- the local signing secret ---------------------------------------------------------------


def signing_secret(settings: Settings) -> str:
    """`ROADMAP_SECRET`, else the secret in `secret_file`, generated (0600) on first use."""
    if settings.secret is not None:
        value = settings.secret.get_secret_value()
        if not value:
            raise ValueError("ROADMAP_SECRET is empty: set a long random value, or unset it")
        return value
    path = settings.secret_file
    if not path.exists():
        _generate_secret(path)
    return _read_secret(path)


def _generate_secret(path: Path) -> None:
    """Write a fresh secret beside `path`, then link it into place: never half-written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    descriptor = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(descriptor, (secrets.token_urlsafe(48) + "\n").encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    try:
        os.link(scratch, path)
        logger.warning("generated a token signing secret in %s (mode 0600)", path)
    except FileExistsError:
        pass  # another process generated it first: use theirs
    finally:
        scratch.unlink()


def _read_secret(path: Path) -> str:
    if path.stat().st_mode & 0o077:
        logger.warning("%s is readable by others than its owner: chmod 600 it", path)
    value = path.read_text(encoding="utf-8").strip()
    if not value:
        msg = f"{path} is empty: delete it to generate a new secret, or set ROADMAP_SECRET"
        raise ValueError(msg)
    return value


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
        return actor_from_claims(self.claims(token))

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
    subject = claims.get("sub")
    if not isinstance(subject, str) or not 0 < len(subject) <= SUBJECT_MAX:
        raise AuthenticationError(f"the 'sub' claim must be a text of 1 to {SUBJECT_MAX} chars")
    if not subject.isprintable():
        raise AuthenticationError("the 'sub' claim has control characters")
    if "roles" not in claims:
        raise AuthenticationError("the token has no 'roles' claim: it grants nothing")
    raw_roles = claims["roles"]
    if not isinstance(raw_roles, list) or len(raw_roles) > ROLES_MAX:
        raise AuthenticationError("the 'roles' claim must be a list of roles")
    if not raw_roles:
        raise AuthenticationError("the token's 'roles' claim is empty: it grants nothing")
    known = {role.value for role in Role}
    unknown = [r for r in raw_roles if not isinstance(r, str) or r not in known]
    if unknown:
        msg = f"unknown role {unknown[0]!r} (roles: {', '.join(sorted(known))})"
        raise AuthenticationError(msg)
    roles = frozenset(Role(r) for r in raw_roles)
    party = claims.get("party")
    if party is not None and (not isinstance(party, str) or not _PARTY.fullmatch(party)):
        raise AuthenticationError("the 'party' claim must be an ISO 3166 alpha-2 code")
    if Role.OFFICIAL in roles and party is None:
        raise AuthenticationError("an official's token must name their party")
    return Actor(subject, party, roles)


# --- read rules -----------------------------------------------------------------------------


def require_reader(actor: Actor) -> Actor:
    if not actor.roles:
        raise NotAuthorisedError("the token grants no role")
    return actor


def require_auditor(actor: Actor) -> None:
    """Time travel and the audit trail are for auditors and admins."""
    if not actor.roles & {Role.AUDITOR, Role.ADMIN}:
        raise NotAuthorisedError("as_of and effective_on are for auditors and admins")


# --- minting --------------------------------------------------------------------------------


def mint_token(
    settings: Settings,
    *,
    subject: str,
    party: str | None,
    roles: list[str],
    ttl_seconds: int = 3600,
) -> str:
    """An HS256 token signed with the configured (or generated) secret, for local use and tests."""
    if ttl_seconds <= 0:
        raise ValueError("ttl_seconds must be positive")
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": subject,
        "roles": [Role(r).value for r in roles],
        "iat": now,
        "exp": now + ttl_seconds,
    }
    if party is not None:
        claims["party"] = party
    if settings.jwt_issuer is not None:
        claims["iss"] = settings.jwt_issuer
    if settings.jwt_audience is not None:
        claims["aud"] = settings.jwt_audience
    try:
        actor_from_claims(claims)
    except AuthenticationError as error:
        raise ValueError(error.detail) from None
    return jwt.encode(claims, signing_secret(settings), algorithm=LOCAL_ALGORITHM)
