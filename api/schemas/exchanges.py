"""Bodies and answers of `/roadmaps/{id}/exchanges` and `/exchanges/{id}/…`."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, StrictInt

from api.schemas.common import (
    CommandBody,
    Day,
    DayText,
    ItemPublic,
    Party,
    Reason,
    Title,
    Translations,
    UuidText,
)
from domain.model.exchange import PARTICIPANTS_MAX
from domain.model.values import ExchangeCategory


class ExchangeCreate(CommandBody):
    """An exchange proposed by the sending party; the receiving party agrees to it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "category": "military-expert",
                    "from_party": "FR",
                    "to_party": "CA",
                    "participants": 4,
                    "starts_on": "2017-01-09",
                    "ends_on": "2017-06-30",
                    "title": "Staff officers to the Canadian Joint Operations Command",
                }
            ]
        }
    )

    category: ExchangeCategory
    from_party: Party = Field(description="The sending party: the caller's own, unless admin.")
    to_party: Party
    participants: StrictInt = Field(ge=1, le=PARTICIPANTS_MAX)
    starts_on: Day
    ends_on: Day
    title: Title


class ExchangeCancellation(CommandBody):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "Mission ended"}]})

    reason: Reason


class ExchangePublic(ItemPublic):
    roadmap_id: UuidText
    category: ExchangeCategory
    from_party: str
    to_party: str
    participants: int
    starts_on: DayText
    ends_on: DayText
    title: str
    title_translated: Translations
    status: Literal["proposed", "agreed", "in-progress", "completed", "cancelled"]
