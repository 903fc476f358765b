"""Bodies and answers of `/roadmaps/{id}/assessments` and `/assessments/{id}/…`."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import ConfigDict, Field

from api.schemas.common import (
    BilingualShort,
    CommandBody,
    Day,
    DayText,
    ItemPublic,
    LongText,
    Party,
    Priorities,
    Reason,
    Title,
    Translations,
    UuidText,
)
from domain.model.values import Marking


class AssessmentCreate(CommandBody):
    """A situation analysis shared by the caller's party with the other party."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "from_party": "FR",
                    "to_party": "CA",
                    "title": "Security situation in northern Mali",
                    "subject": "MINUSMA",
                    "priorities": ["preventive-diplomacy", "civilians-and-women"],
                    "summary": "Armed groups contest the peace agreement in the north.",
                    "marking": "restricted",
                    "shared_on": "2017-03-01",
                }
            ]
        }
    )

    from_party: Party = Field(description="The sharing party: the caller's own, unless admin.")
    to_party: Party = Field(description="The receiving party: another party of the roadmap.")
    title: Title
    subject: BilingualShort = Field(description="A country, a UN mission or a theme.")
    priorities: Priorities
    summary: LongText
    marking: Marking = Field(
        description="Handling: the record is unclassified, so `unclassified` or `restricted`."
    )
    shared_on: Day = Field(description="The day it was shared; not in the future.")


class AssessmentSupersession(CommandBody):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"by": "6f1c2d1e-0b5a-4c55-9a43-3f2a8d1e7b10"}]}
    )

    by: UUID = Field(
        description="The newer assessment: same roadmap, same sharing party, in force."
    )


class AssessmentWithdrawal(CommandBody):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "Based on a misidentified source"}]}
    )

    reason: Reason


class AssessmentPublic(ItemPublic):
    roadmap_id: UuidText
    from_party: str
    to_party: str
    title: str
    title_translated: Translations
    subject: str
    subject_translated: Translations
    priorities: list[str]
    summary: str
    summary_translated: Translations
    marking: Marking
    shared_on: DayText
    status: Literal["shared", "acknowledged", "superseded", "withdrawn"]
    superseded_by: UuidText | None
