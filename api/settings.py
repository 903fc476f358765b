"""The HTTP server's `ROADMAP_*` settings: tokens, limits, reads, and the store's own."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.adapters.settings import StoreSettings


class TokenSettings(BaseSettings):
    """What minting and checking tokens needs: `roadmap token` loads these alone (no database)."""

    model_config = SettingsConfigDict(env_prefix="ROADMAP_", extra="ignore")

    secret: SecretStr | None = Field(
        default=None, description="HS256 token signing key; generated into secret_file if unset"
    )
    secret_file: Path = Path(".roadmap-secret")
    jwt_algorithm: Literal["HS256", "RS256", "ES256"] = "HS256"
    jwt_public_key_file: Path | None = None
    jwt_jwks_file: Path | None = None
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    jwt_leeway_seconds: int = Field(
        default=30, ge=0, le=600, description="clock skew tolerated on exp/nbf/iat of tokens"
    )


class Settings(StoreSettings, TokenSettings):
    """Every setting of the server: the store's, the tokens', limits and reads."""

    max_body_bytes: int = Field(default=1024 * 1024, gt=0)
    rate_limit_per_minute: int = Field(default=600, gt=0)
    read_wait_seconds: float = Field(
        default=5.0, ge=0, le=60, description="longest wait of a read for `min_position`"
    )
    metrics_public: bool = Field(
        default=False,
        description="/metrics answers without a token (default: a reporter's or admin's token)",
    )
    projections_in_process: bool = Field(
        default=True,
        description="serve also runs the projections (false: a separate `roadmap worker` does)",
    )
