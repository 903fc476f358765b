"""Bodies and answers of `/roadmaps`, `/roadmaps/{id}` and `/roadmaps/{id}/state`."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from api.schemas.common import (
    CommandBody,
    Day,
    DayText,
    InstantText,
    ItemPublic,
    Note,
    Party,
    PriorityCode,
    Title,
    Translations,
    UuidText,
)
from domain.model.kinds import SECTIONED
from domain.model.texts import Lang
from domain.model.values import Priority


class PriorityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: PriorityCode
    title: Title

    def to_domain(self, lang: Lang) -> Priority:
        """The priority, its title read in `lang` unless it names its languages."""
        return Priority.parse({"code": self.code, "title": self.title}, lang)


class RoadmapCreate(CommandBody):
    """A roadmap adopted by an official of one of its parties (or an admin)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "title": "France-Canada Peacekeeping Roadmap",
                    "parties": ["FR", "CA"],
                    "adopted_on": "2016-10-13",
                    "priorities": [
                        {"code": "preventive-diplomacy", "title": "Preventive diplomacy"},
                        {"code": "operations-support", "title": "Support to operations"},
                        {"code": "development-cooperation", "title": "Development cooperation"},
                        {"code": "civilians-and-women", "title": "Civilians and women"},
                        {"code": "military-performance", "title": "Military performance"},
                    ],
                }
            ]
        }
    )

    title: Title
    parties: list[Party] = Field(min_length=2, max_length=20)
    adopted_on: Day
    priorities: list[PriorityIn] = Field(min_length=1, max_length=50)
    summary: Note | None = None


class PriorityPublic(BaseModel):
    code: str
    title: str
    title_translated: Translations


class RoadmapPublic(ItemPublic):
    title: str
    title_translated: Translations
    parties: list[str]
    adopted_on: DayText
    priorities: list[PriorityPublic]
    summary: str | None
    summary_translated: Translations | None = None


class RoadmapSummary(BaseModel):
    id: UuidText
    title: str
    title_translated: Translations
    parties: list[str]
    adopted_on: DayText


class RoadmapList(BaseModel):
    roadmaps: list[RoadmapSummary]
    position: int = Field(description="The log position this answer reflects.")


class _StateFrame(BaseModel):
    """The roadmap and every live item under it, as recorded at `as_of`, in effect on a date."""

    roadmap: RoadmapPublic
    as_of: InstantText | None
    effective_on: DayText | None
    position: int = Field(description="The log position this answer reflects.")


def _state_model() -> type[BaseModel]:
    """The state answer: one list per kind of item the registry declares, in its order."""
    from api.kinds import public_model  # noqa: PLC0415 - the kinds' schemas import this module

    sections: dict[str, Any] = {
        str(kind.section): (list[public_model(kind)], ...)  # type: ignore[misc]
        for kind in SECTIONED
    }
    return create_model(
        "RoadmapStatePublic",
        __base__=_StateFrame,
        __doc__=_StateFrame.__doc__,
        __module__=__name__,
        **sections,
    )


RoadmapStatePublic = _state_model()
