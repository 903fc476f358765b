"""Local tokens: the HS256 signing secret (where it comes from), the claims a token must carry,
and minting. Kept apart from verifying (auth.py) so that `roadmap token` loads no web framework.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jwt

from api.settings import TokenSettings
from domain.model.values import Actor, Role

logger = logging.getLogger("api.auth")

LOCAL_ALGORITHM = "HS256"
SUBJECT_MAX = 200
ROLES_MAX = 8
_PARTY = re.compile(r"[A-Z]{2}")


class ClaimsError(ValueError):
    """A claim the API refuses (answered 401 by auth.py, a usage error by `roadmap token`)."""


# --- the local signing secret ---------------------------------------------------------------


def signing_secret(settings: TokenSettings) -> str:
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


def secret_source(settings: TokenSettings) -> str:
    """Where `signing_secret` takes the secret from, said to whoever mints a token."""
    if settings.jwt_algorithm != LOCAL_ALGORITHM:
        return f"{settings.jwt_algorithm}: the server verifies tokens another issuer signs"
    if settings.secret is not None:
        return "ROADMAP_SECRET (from the environment)"
    path = settings.secret_file.resolve()
    if not path.exists():
        return f"a new secret generated into {path} (ROADMAP_SECRET_FILE)"
    return f"the secret in {path} (ROADMAP_SECRET_FILE)"


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


# --- claims ---------------------------------------------------------------------------------


def parse_claims(claims: Mapping[str, Any]) -> Actor:
    """`sub`, `party` (required for officials), `roles` → the Actor, or ClaimsError."""
    subject = claims.get("sub")
    if not isinstance(subject, str) or not 0 < len(subject) <= SUBJECT_MAX:
        raise ClaimsError(f"the 'sub' claim must be a text of 1 to {SUBJECT_MAX} chars")
    if not subject.isprintable():
        raise ClaimsError("the 'sub' claim has control characters")
    if "roles" not in claims:
        raise ClaimsError("the token has no 'roles' claim: it grants nothing")
    raw_roles = claims["roles"]
    if not isinstance(raw_roles, list) or len(raw_roles) > ROLES_MAX:
        raise ClaimsError("the 'roles' claim must be a list of roles")
    if not raw_roles:
        raise ClaimsError("the token's 'roles' claim is empty: it grants nothing")
    known = {role.value for role in Role}
    unknown = [r for r in raw_roles if not isinstance(r, str) or r not in known]
    if unknown:
        msg = f"unknown role {unknown[0]!r} (roles: {', '.join(sorted(known))})"
        raise ClaimsError(msg)
    roles = frozenset(Role(r) for r in raw_roles)
    party = claims.get("party")
    if party is not None and (not isinstance(party, str) or not _PARTY.fullmatch(party)):
        raise ClaimsError("the 'party' claim must be an ISO 3166 alpha-2 code")
    if Role.OFFICIAL in roles and party is None:
        raise ClaimsError("an official's token must name their party")
    return Actor(subject, party, roles)


# --- minting --------------------------------------------------------------------------------


def mint_token(
    settings: TokenSettings,
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
    parse_claims(claims)  # ClaimsError (a ValueError) for claims the API would refuse
    return jwt.encode(claims, signing_secret(settings), algorithm=LOCAL_ALGORITHM)
