"""Answers of the audit trail, tree heads and proofs (hashes as lower-case hex)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class AuditEntry(BaseModel):
    position: int = Field(description="The event's position in the log.")
    leaf_index: int = Field(description="Its leaf in the Merkle tree (0-based).")
    recorded_at: str
    effective_on: str
    actor: str
    actor_party: str | None
    stream_id: str
    stream_version: int
    event_type: str
    item_kind: str
    roadmap_id: str | None
    summary: str = Field(description="What happened, in the answer's language.")
    summary_translated: dict[Literal["en", "fr"], str] = Field(
        description="The summary in English and in French."
    )
    data: dict[str, Any] = Field(
        description="The event's payload as recorded (texts of events recorded before the "
        "record was bilingual are plain English strings)."
    )
    hash: str = Field(description="SHA-256(0x00 ‖ canonical JSON of the leaf fields), hex.")


class AuditPage(BaseModel):
    entries: list[AuditEntry]
    next_cursor: int | None = Field(description="Pass as `after` for the next page; null: none.")
    position: int = Field(description="The log position the audit trail reflects.")


class TreeHead(BaseModel):
    tree_size: int
    root_hash: str
    signed_at: str
    key_id: str
    signature: str = Field(
        description="Ed25519 signature (base64) over the canonical JSON of the other fields."
    )
    checkpoint: str | None = Field(
        default=None,
        description="The same head as a C2SP checkpoint (signed note, with every cosignature), "
        "as GET /audit/checkpoint serves it; null for heads signed before checkpoints existed.",
    )


class CosignatureBody(BaseModel):
    """A witness's cosignature of a checkpoint this log signed."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "tree_size": 11,
                    "cosignature": "— witness.example.org/w1 A8oegwAAAABrDz/tKMhwBClPYbKC/OhXkWXv"
                    "801swuyHXP1MO0JYp99WJpiH4DSXX+S8UkMo3wSrLYh2iJJSxSUnopMErAlB/pO8Bg==",
                }
            ]
        },
    )

    tree_size: int = Field(ge=1, le=2**62, description="The size of the checkpoint cosigned.")
    cosignature: str = Field(
        min_length=1,
        max_length=1000,
        description="The witness's signature line: `— <witness name> <base64(key ID ‖ "
        "timestamp ‖ signature)>` (C2SP tlog-cosignature, Ed25519).",
    )


class CosignatureAnswer(BaseModel):
    tree_size: int
    witness: str = Field(description="The witness's key name.")
    key_id: str = Field(description="The witness's key ID (hex).")
    time: int = Field(description="When the witness cosigned (Unix seconds).")
    checkpoint: str = Field(description="The checkpoint with every cosignature it now has.")


class InclusionProof(BaseModel):
    leaf_index: int
    tree_size: int
    leaf_hash: str
    path: list[str]
    root_hash: str = Field(description="The root the path leads to (compare with a signed head).")


class ConsistencyProof(BaseModel):
    first: int
    second: int
    path: list[str]
    first_root_hash: str
    second_root_hash: str


class ReportInfo(BaseModel):
    name: str
    title: str
    description: str
    columns: list[str]
    href: str


class ReportList(BaseModel):
    reports: list[ReportInfo]


class ReportAnswer(BaseModel):
    name: str
    title: str
    columns: list[str]
    rows: list[dict[str, Any]]
    position: int


class HistoryEntry(BaseModel):
    version: int
    event_type: str
    recorded_at: str
    effective_on: str
    actor: str
    actor_party: str | None
    summary: str = Field(description="What happened, in the answer's language.")
    summary_translated: dict[Literal["en", "fr"], str] = Field(
        description="The summary in English and in French."
    )
    data: dict[str, Any] = Field(
        description="The event's payload as recorded (texts of events recorded before the "
        "record was bilingual are plain English strings)."
    )
    position: int
    hash: str
    authority: Any = Field(
        default=None,
        description="The document or mandate the action was recorded under (as recorded: a "
        "text, or `{en, fr}`); null when none. Not part of the leaf.",
    )
    note: Any = Field(default=None, description="The note recorded with the action, if any.")


class HistoryAnswer(BaseModel):
    id: str
    versions: list[HistoryEntry]
    position: int
