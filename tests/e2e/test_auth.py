"""Bearer tokens: the bad ones are 401 with a challenge; keys local, PEM or JWKS."""

from __future__ import annotations

import base64
import json
import stat
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm

from api.auth import mint_token
from api.settings import Settings
from tests.e2e.support import (
    FR,
    TEST_SECRET,
    Api,
    adopt,
    assert_problem,
    roadmap_body,
    running,
    settings_for,
)


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {"sub": "fr-official", "party": "FR", "roles": ["official"], "exp": now + 600}
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _hs256(claims: dict[str, Any], secret: str = TEST_SECRET) -> str:
    return jwt.encode(claims, secret, algorithm="HS256")


def _unsigned(claims: dict[str, Any]) -> str:
    """`alg: none`: a header and claims, and no signature."""
    parts = ({"alg": "none", "typ": "JWT"}, claims)
    encoded = (base64.urlsafe_b64encode(json.dumps(p).encode()).rstrip(b"=") for p in parts)
    return b".".join(encoded).decode() + "."


def _bad_header(name: str) -> str | None:  # noqa: PLR0911 - one case a class of bad token
    """The Authorization header of each class of bad token (built when the test runs)."""
    match name:
        case "missing":
            return None
        case "malformed":
            return "Bearer not-a-jwt"
        case "not-bearer":
            return f"Basic {_hs256(_claims())}"
        case "expired":
            return f"Bearer {_hs256(_claims(exp=int(time.time()) - 3600))}"
        case "alg-none":
            return f"Bearer {_unsigned(_claims())}"
        case "wrong-signature":
            return f"Bearer {_hs256(_claims(), 'another-secret-of-32-bytes-or-so')}"
        case "no-exp":
            return f"Bearer {_hs256(_claims(exp=None))}"
        case "unknown-role":
            return f"Bearer {_hs256(_claims(roles=['king']))}"
        case "official-without-party":
            return f"Bearer {_hs256(_claims(party=None))}"
    return f"Bearer {_hs256(_claims(aud='elsewhere'))}"  # audience-not-configured


BAD_TOKENS = [
    "missing",
    "malformed",
    "not-bearer",
    "expired",
    "alg-none",
    "wrong-signature",
    "no-exp",
    "unknown-role",
    "official-without-party",
    "audience-not-configured",
]


def _challenged(answer: Any, code: str | None = None) -> None:
    assert_problem(answer, 401, code)
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("name", BAD_TOKENS)
def test_bad_tokens_are_401(api: Api, name: str) -> None:
    header = _bad_header(name)
    headers = {} if header is None else {"Authorization": header}
    before = api.position()
    _challenged(api.client.get("/roadmaps", headers=headers))
    _challenged(api.client.post("/roadmaps", json=roadmap_body(), headers=headers))
    assert api.position() == before


def test_challenge_names_the_problem(api: Api) -> None:
    missing = api.client.get("/roadmaps")
    _challenged(missing, "missing-token")
    assert "error=" not in missing.headers["WWW-Authenticate"]
    expired = api.client.get("/roadmaps", headers={"Authorization": _bad_header("expired") or ""})
    _challenged(expired, "expired-token")
    assert 'error="invalid_token"' in expired.headers["WWW-Authenticate"]


@pytest.mark.parametrize("roles", [None, []])
def test_a_token_without_roles_is_401(api: Api, roles: list[str] | None) -> None:
    token = _hs256(_claims(sub="nobody", party=None, roles=roles))
    answer = api.client.get("/roadmaps", headers={"Authorization": f"Bearer {token}"})
    _challenged(answer, "invalid-token")
    assert "grants nothing" in answer.json()["detail"]


@pytest.mark.parametrize("claim", ["exp", "nbf", "iat"])
def test_a_numeric_date_written_as_text_is_401(api: Api, claim: str) -> None:
    now = int(time.time())
    value = {"exp": now + 600, "nbf": now - 60, "iat": now - 60}[claim]
    token = _hs256(_claims(**{claim: str(value)}))
    answer = api.client.get("/roadmaps", headers={"Authorization": f"Bearer {token}"})
    _challenged(answer, "invalid-token")
    assert f"the '{claim}' claim must be a number" in answer.json()["detail"]
    assert api.client.get(
        "/roadmaps", headers={"Authorization": f"Bearer {_hs256(_claims(**{claim: value}))}"}
    ).is_success


def test_a_wrong_signature_hints_at_another_secret(api: Api) -> None:
    answer = api.client.get("/roadmaps", headers={"Authorization": _bad_header("wrong-signature")})
    _challenged(answer, "invalid-token")
    assert "minted with another secret" in answer.json()["detail"]


def test_audience_and_issuer_when_configured(database_url: str) -> None:
    settings = settings_for(database_url, jwt_audience="roadmap-ledger", jwt_issuer="https://idp")
    with running(settings) as api:
        minted = mint_token(settings, subject="fr-official", party="FR", roles=["official"])
        assert api.client.get("/roadmaps", headers={"Authorization": f"Bearer {minted}"}).is_success
        good = {"aud": "roadmap-ledger", "iss": "https://idp"}
        for wrong in ({"aud": "other"}, {"iss": "https://evil"}, {"aud": None}, {"iss": None}):
            token = _hs256(_claims(**{**good, **wrong}))
            answer = api.client.get("/roadmaps", headers={"Authorization": f"Bearer {token}"})
            _challenged(answer)


def test_secret_generated_0600_on_first_run_and_read_back(
    database_url: str, tmp_path: Path
) -> None:
    secret_file = tmp_path / "keys" / "roadmap-secret"
    settings = Settings(database_url=database_url, secret_file=secret_file)
    with running(settings) as api:
        assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
        token = mint_token(settings, subject="fr-official", party="FR", roles=["official"])
        adopt(api)
    generated = secret_file.read_text()
    with running(settings) as api:  # a restart reads the same secret: old tokens still work
        assert secret_file.read_text() == generated
        headers = {"Authorization": f"Bearer {token}"}
        assert api.client.get("/roadmaps", headers=headers).status_code == 200


def _rsa_pem(tmp_path: Path) -> tuple[rsa.RSAPrivateKey, Path]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    path = tmp_path / "idp.pem"
    path.write_bytes(pem)
    return key, path


def test_rs256_with_a_public_key_file(database_url: str, tmp_path: Path) -> None:
    key, pem = _rsa_pem(tmp_path)
    settings = settings_for(database_url, jwt_algorithm="RS256", jwt_public_key_file=pem)
    with running(settings) as api:
        token = jwt.encode(_claims(), key, algorithm="RS256")
        answer = api.client.post(
            "/roadmaps", json=roadmap_body(), headers={"Authorization": f"Bearer {token}"}
        )
        assert answer.status_code == 201, answer.text
        # An HS256 token signed with the local secret is not accepted by this app.
        local = _hs256(_claims())
        _challenged(api.client.get("/roadmaps", headers={"Authorization": f"Bearer {local}"}))
        # Nor is one signed with the public key as an HMAC secret (algorithm confusion).
        forged = jwt.encode(_claims(), "x" * 32, algorithm="HS256", headers={"kid": "a"})
        _challenged(api.client.get("/roadmaps", headers={"Authorization": f"Bearer {forged}"}))


def test_es256_with_a_jwks_file_chooses_the_key_by_kid(database_url: str, tmp_path: Path) -> None:
    keys = {kid: ec.generate_private_key(ec.SECP256R1()) for kid in ("2025", "2026")}
    jwks = {
        "keys": [
            {**ECAlgorithm.to_jwk(k.public_key(), as_dict=True), "kid": kid, "use": "sig"}
            for kid, k in keys.items()
        ]
    }
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(jwks))
    settings = settings_for(database_url, jwt_algorithm="ES256", jwt_jwks_file=path)
    with running(settings) as api:
        for kid, key in keys.items():
            token = jwt.encode(_claims(), key, algorithm="ES256", headers={"kid": kid})
            answer = api.client.get("/roadmaps", headers={"Authorization": f"Bearer {token}"})
            assert answer.status_code == 200, answer.text
        swapped = jwt.encode(_claims(), keys["2025"], algorithm="ES256", headers={"kid": "2026"})
        _challenged(api.client.get("/roadmaps", headers={"Authorization": f"Bearer {swapped}"}))
        unknown = jwt.encode(_claims(), keys["2025"], algorithm="ES256", headers={"kid": "x"})
        _challenged(api.client.get("/roadmaps", headers={"Authorization": f"Bearer {unknown}"}))


def test_mint_token_claims() -> None:
    settings = settings_for("sqlite:///unused.db")
    token = mint_token(settings, subject="alice", party="CA", roles=["official"], ttl_seconds=60)
    claims = jwt.decode(token, TEST_SECRET, algorithms=["HS256"])
    assert (claims["sub"], claims["party"], claims["roles"]) == ("alice", "CA", ["official"])
    assert 0 < claims["exp"] - time.time() <= 60
    auditor = mint_token(settings, subject="bob", party=None, roles=["auditor", "reporter"])
    assert "party" not in jwt.decode(auditor, TEST_SECRET, algorithms=["HS256"])
    with pytest.raises(ValueError, match="party"):
        mint_token(settings, subject="carol", party=None, roles=["official"])


def test_the_recorded_actor_comes_from_the_token_never_the_body(api: Api) -> None:
    answer = api.post("/roadmaps", FR, roadmap_body(actor="someone-else"))
    assert assert_problem(answer, 422)["field"] == "actor"
