"""Bodies and answers of `/roadmaps/{id}/reform-proposals` and `/reform-proposals/{id}/…`."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from api.schemas.common import (
    CommandBody,
    ItemPublic,
    LongText,
    Party,
    Priorities,
    Reason,
    ShortText,
    Title,
    Translations,
    UuidText,
)
from domain.model.values import ReformResult


class ReformProposalCreate(CommandBody):
    """An initiative for UN peacekeeping reform, sponsored by the caller's party."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "title": "Francophone capacity in peace operations",
                    "forum": "C-34",
                    "summary": "Raise the number of French-speaking personnel in missions.",
                    "priorities": ["military-performance"],
                }
            ]
        }
    )

    title: Title
    forum: ShortText
    summary: LongText
    priorities: Priorities
    party: Party | None = Field(
        default=None, description="The sponsoring party; defaults to the caller's own."
    )


class ReformSubmission(CommandBody):
    model_config = ConfigDict(json_schema_extra={"examples": [{"forum": "General Assembly"}]})

    forum: ShortText | None = Field(default=None, description="Where it was submitted, if new.")


class ReformOutcome(CommandBody):
    model_config = ConfigDict(json_schema_extra={"examples": [{"result": "adopted"}]})

    result: ReformResult


class ReformWithdrawal(CommandBody):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "Merged into A/72/19"}]})

    reason: Reason


class ReformProposalPublic(ItemPublic):
    roadmap_id: UuidText
    title: str
    title_translated: Translations
    forum: str
    summary: str
    summary_translated: Translations
    priorities: list[str]
    sponsors: list[str]
    status: Literal["proposed", "submitted", "adopted", "rejected", "withdrawn"]
