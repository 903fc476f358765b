"""Bodies and answers of `/roadmaps/{id}/consultations` and `/consultations/{id}/…`."""

from __future__ import annotations

from typing import Literal

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
from domain.model.values import ConsultationKind


class ConsultationCreate(CommandBody):
    """A consultation scheduled by its host party."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "ministerial-conference",
                    "title": "Peacekeeping in francophone environments",
                    "host_party": "FR",
                    "location": "Paris",
                    "starts_on": "2016-10-26",
                    "ends_on": "2016-10-27",
                    "priorities": ["operations-support", "preventive-diplomacy"],
                }
            ]
        }
    )

    kind: ConsultationKind
    title: Title
    host_party: Party = Field(description="The hosting party: the caller's own, unless admin.")
    location: BilingualShort
    starts_on: Day
    ends_on: Day
    priorities: Priorities


class CoChairInvitation(CommandBody):
    model_config = ConfigDict(json_schema_extra={"examples": [{"party": "CA"}]})

    party: Party


class ConsultationRescheduling(CommandBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"starts_on": "2016-10-26", "ends_on": "2016-10-28", "reason": "A third day"}
            ]
        }
    )

    starts_on: Day
    ends_on: Day
    reason: Reason


class ConsultationHeld(CommandBody):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"summary": "Ministers adopted the Paris declaration."}]}
    )

    summary: LongText


class ConsultationCancellation(CommandBody):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "Postponed sine die"}]})

    reason: Reason


class ConsultationPublic(ItemPublic):
    roadmap_id: UuidText
    kind: ConsultationKind
    title: str
    title_translated: Translations
    host_party: str
    location: str
    location_translated: Translations
    starts_on: DayText
    ends_on: DayText
    priorities: list[str]
    invited_co_chairs: list[str]
    co_chairs: list[str]
    status: Literal["scheduled", "held", "cancelled"]
    summary: str | None
    summary_translated: Translations | None = None
    decisions: list[UuidText]
