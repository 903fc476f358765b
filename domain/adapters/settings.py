"""The store's `ROADMAP_*` settings, validated once at start (the server adds its own)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class StoreSettings(BaseSettings):
    """What every command of the store needs: where events live, and how commands behave."""

    model_config = SettingsConfigDict(env_prefix="ROADMAP_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///roadmap.db",
        description="sqlite:///path/file.db or postgresql://user:password@host:port/db[?schema=s]",
    )
    signing_key_file: Path = Field(
        default=Path(".roadmap-signing-key.pem"),
        description="Ed25519 key (PEM) that signs tree heads; generated with mode 0600 if absent",
    )
    log_origin: str | None = Field(
        default=None,
        description="the origin line of the log's checkpoints and its key name, e.g. "
        "ledger.example.org/roadmap; kept in the store on first use (default: generated), it "
        "never changes after",
    )
    witness_keys_file: Path | None = Field(
        default=None,
        description="witnesses whose cosignatures are accepted: one verifier key "
        "(name+id+key, type 0x04) a line, optionally followed by the witness's URL",
    )
    command_retries: int = Field(default=5, ge=0, le=50)
    idempotency_retention_days: int = Field(default=30, gt=0)

    @field_validator("log_origin")
    @classmethod
    def _origin_is_a_key_name(cls, value: str | None) -> str | None:
        """An origin is also the signed-note key name: printable, without spaces or '+'."""
        if value is not None and (
            not value or "+" in value or any(c.isspace() or not c.isprintable() for c in value)
        ):
            msg = "ROADMAP_LOG_ORIGIN is printable, without spaces or '+', e.g. example.org/log"
            raise ValueError(msg)
        return value

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if not value.startswith(("sqlite:///", "postgresql://", "postgres://")):
            msg = (
                "ROADMAP_DATABASE_URL must start with sqlite:/// (e.g. sqlite:///roadmap.db) "
                "or postgresql:// (e.g. postgresql://user@127.0.0.1:5432/roadmap)"
            )
            raise ValueError(msg)
        # The same checks as at start: a host, a dbname, a file path. Imported here: the store's
        # code is loaded only by commands that open it (`roadmap token` does not).
        from domain.application.service import check_database_url  # noqa: PLC0415

        check_database_url(value)
        return value
