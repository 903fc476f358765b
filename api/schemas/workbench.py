"""Answers made for the auditor's workbench: the caller, and the moments a record changed."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Permissions(BaseModel):
    read_state: bool = Field(description="Current state of roadmaps and items (every role).")
    read_reports: bool = Field(description="Reports (every role).")
    audit_trail: bool = Field(description="The audit trail, proofs and keys (auditors, admins).")
    time_travel: bool = Field(description="as_of / effective_on reads (auditors, admins).")
    record: bool = Field(description="Commands (officials for their party, admins).")


class Caller(BaseModel):
    sub: str = Field(description="The token's subject.")
    party: str | None = Field(description="The party an official acts for (ISO 3166 alpha-2).")
    roles: list[str]
    may: Permissions


class Moment(BaseModel):
    position: int
    recorded_at: str = Field(description="When the event was recorded (pass it as `as_of`).")
    event_type: str
    item_kind: str
    stream_id: str


class Moments(BaseModel):
    roadmap_id: str
    moments: list[Moment]
    truncated: bool = Field(description="True when more moments exist than `limit`.")
    position: int = Field(description="The log position the list reflects.")
