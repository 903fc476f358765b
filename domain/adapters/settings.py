"""Every `ROADMAP_*` setting, validated once at start."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.storage import persistence_env


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ROADMAP_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///roadmap.db",
        description="sqlite:///path/file.db or postgresql://user:password@host:port/db[?schema=s]",
    )
    secret: SecretStr | None = Field(
        default=None, description="HS256 token signing key; generated into secret_file if unset"
    )
    secret_file: Path = Path(".roadmap-secret")
    signing_key_file: Path = Field(
        default=Path(".roadmap-signing-key.pem"),
        description="Ed25519 key (PEM) that signs tree heads; generated with mode 0600 if absent",
    )
    jwt_algorithm: Literal["HS256", "RS256", "ES256"] = "HS256"
    jwt_public_key_file: Path | None = None
    jwt_jwks_file: Path | None = None
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    jwt_leeway_seconds: int = Field(
        default=30, ge=0, le=600, description="clock skew tolerated on exp/nbf/iat of tokens"
    )
    max_body_bytes: int = Field(default=1024 * 1024, gt=0)
    rate_limit_per_minute: int = Field(default=600, gt=0)
    command_retries: int = Field(default=5, ge=0, le=50)
    idempotency_retention_days: int = Field(default=30, gt=0)
    read_wait_seconds: float = Field(
        default=5.0, ge=0, le=60, description="longest wait of a read for `min_position`"
    )
    projections_in_process: bool = Field(
        default=True,
        description="serve also runs the projections (false: a separate `roadmap worker` does)",
    )

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if not value.startswith(("sqlite:///", "postgresql://", "postgres://")):
            msg = (
                "ROADMAP_DATABASE_URL must start with sqlite:/// (e.g. sqlite:///roadmap.db) "
                "or postgresql:// (e.g. postgresql://user@127.0.0.1:5432/roadmap)"
            )
            raise ValueError(msg)
        persistence_env(value)  # the same checks as at start: a host, a dbname, a file path
        return value
