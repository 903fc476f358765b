"""Verified tokens are kept, never past their `exp` (nor before their `nbf`), leeway included."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest

from api.auth import AuthenticationError, Authenticator
from api.token_cache import VerifiedTokens
from domain.model.values import Actor
from tests.e2e.support import TEST_SECRET, settings_for


def _token(**claims: Any) -> str:
    body = {"sub": "fr-official", "party": "FR", "roles": ["official"], **claims}
    return jwt.encode(body, TEST_SECRET, algorithm="HS256")


@pytest.fixture
def authenticator() -> Authenticator:
    return Authenticator.from_settings(settings_for("sqlite:///unused.db", jwt_leeway_seconds=0))


def test_a_known_token_skips_the_signature_check(
    authenticator: Authenticator, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = _token(exp=int(time.time()) + 600)
    first = authenticator.authenticate(f"Bearer {token}")
    verified: list[str] = []
    original = Authenticator.claims

    def counting(self: Authenticator, token: str) -> dict[str, Any]:
        verified.append(token)
        return original(self, token)

    monkeypatch.setattr(Authenticator, "claims", counting)
    assert authenticator.authenticate(f"Bearer {token}") == first
    assert verified == []
    other = _token(exp=int(time.time()) + 601)
    authenticator.authenticate(f"Bearer {other}")
    assert verified == [other]


def test_a_cached_token_is_refused_once_it_expires(authenticator: Authenticator) -> None:
    token = _token(exp=int(time.time()) + 1)
    authenticator.authenticate(f"Bearer {token}")
    assert len(authenticator.verified) == 1
    time.sleep(max(0.0, token_exp(token) - time.time()) + 0.05)
    with pytest.raises(AuthenticationError) as refused:
        authenticator.authenticate(f"Bearer {token}")
    assert refused.value.code == "expired-token"
    assert len(authenticator.verified) == 0


def token_exp(token: str) -> float:
    return float(jwt.decode(token, options={"verify_signature": False})["exp"])


ACTOR = Actor("fr-official", "FR")


@pytest.mark.parametrize(
    ("claims", "now", "in_force"),
    [
        ({"exp": 100}, 99.9, True),
        ({"exp": 100}, 100.0, False),  # PyJWT: expired once exp <= now - leeway
        ({"exp": 100}, 109.9, False),
        ({"exp": 100, "nbf": 50}, 49.0, False),  # clock moved back: not yet valid
        ({"exp": 100, "nbf": 50}, 50.0, True),
    ],
)
def test_exp_and_nbf_are_checked_on_every_hit(
    claims: dict[str, Any], now: float, in_force: bool
) -> None:
    tokens = VerifiedTokens(leeway=0, clock=lambda: now)
    tokens.put("t", claims, ACTOR)
    assert (tokens.get("t") is not None) is in_force


def test_the_leeway_widens_both_ends() -> None:
    clock = [0.0]
    tokens = VerifiedTokens(leeway=10, clock=lambda: clock[0])
    tokens.put("t", {"exp": 100, "nbf": 50}, ACTOR)
    for now, in_force in ((40.0, True), (39.0, False)):
        clock[0] = now
        tokens.put("t", {"exp": 100, "nbf": 50}, ACTOR)
        assert (tokens.get("t") is not None) is in_force
    clock[0] = 109.9
    tokens.put("t", {"exp": 100}, ACTOR)
    assert tokens.get("t") is not None
    clock[0] = 110.0
    assert tokens.get("t") is None


def test_the_least_recently_used_token_goes_first() -> None:
    tokens = VerifiedTokens(leeway=0, capacity=2, clock=lambda: 0.0)
    for name in ("a", "b"):
        tokens.put(name, {"exp": 100}, ACTOR)
    assert tokens.get("a") is not None  # b is now the oldest
    tokens.put("c", {"exp": 100}, ACTOR)
    assert tokens.get("c") is not None
    assert tokens.get("a") is not None
    assert tokens.get("b") is None
    assert len(tokens) == 2
