"""Bodies and answers of `/consultations/{id}/decisions` and `/decisions/{id}/…`."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict

from api.schemas.common import CommandBody, ItemPublic, LongText, Priorities, Translations, UuidText


class DecisionCreate(CommandBody):
    """A decision taken at a held consultation; the recording party counts as endorsing it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "text": "Establish a joint working group on francophone peace operations",
                    "priorities": ["operations-support"],
                }
            ]
        }
    )

    text: LongText
    priorities: Priorities


class DecisionPublic(ItemPublic):
    roadmap_id: UuidText
    consultation_id: UuidText
    text: str
    text_translated: Translations
    priorities: list[str]
    parties: list[str]
    recorded_by: str | None
    endorsements: list[str]
    status: Literal["proposed", "agreed"]
