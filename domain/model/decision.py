"""A decision recorded at a consultation: agreed once every party of the roadmap endorses it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING
from uuid import UUID

from domain.model.errors import AlreadyEndorsedError, NotAuthorisedError
from domain.model.history import Entry
from domain.model.item import Item, evolves
from domain.model.roadmap import RoadmapState
from domain.model.texts import Text, TextInput, upcast_texts
from domain.model.values import Context

PROPOSED, AGREED = "proposed", "agreed"


@dataclass(frozen=True)
class DecisionState:
    roadmap_id: UUID
    consultation_id: UUID
    text: Text
    priorities: tuple[str, ...]
    parties: tuple[str, ...]
    recorded_by: str | None
    endorsements: tuple[str, ...]
    status: str


def _status(parties: tuple[str, ...], endorsements: tuple[str, ...]) -> str:
    return AGREED if set(parties) <= set(endorsements) else PROPOSED


class Decision(Item):
    if TYPE_CHECKING:
        state: DecisionState

    class Recorded(Item.Created):
        class_version = 2
        upcast_v1_v2 = upcast_texts("text")
        roadmap_id: UUID
        consultation_id: UUID
        text: Text
        priorities: tuple[str, ...]
        parties: tuple[str, ...]
        recorded_by: str | None

    class Endorsed(Item.Event):
        class_version = 2
        upcast_v1_v2 = upcast_texts()
        party: str

    class Corrected(Item.Corrected):
        """Named per aggregate so every topic in the log says what kind of item it is about."""

    class Retracted(Item.Retracted):
        pass

    class Translated(Item.Translated):
        pass

    @classmethod
    def record(
        cls,
        decision_id: UUID,
        roadmap_id: UUID,
        roadmap: RoadmapState,
        consultation_id: UUID,
        *,
        text_: TextInput,
        priorities: list[str],
        ctx: Context,
    ) -> Decision:
        ctx.actor.require_one_of(roadmap.parties)
        return cls._create(
            cls.Recorded,
            id=decision_id,
            roadmap_id=roadmap_id,
            consultation_id=consultation_id,
            text=ctx.text(text_, "text"),
            priorities=roadmap.require_priorities(tuple(priorities)),
            parties=roadmap.parties,
            recorded_by=ctx.actor.party if ctx.actor.party in roadmap.parties else None,
            **ctx.metadata(),
        )

    def endorse(self, *, ctx: Context) -> None:
        self.require_live()
        party = ctx.actor.party
        if party is None:
            raise NotAuthorisedError("an endorsement is given by an official of a party")
        ctx.actor.require_one_of(self.state.parties)
        if party in self.state.endorsements:
            raise AlreadyEndorsedError(f"{party} has endorsed decision {self.id} already")
        self.trigger_event(self.Endorsed, party=party, **ctx.metadata())

    @evolves(Recorded)
    def _recorded(state: None, entry: Entry) -> DecisionState:
        p = entry.payload
        parties = tuple(p["parties"])
        endorsements = (p["recorded_by"],) if p["recorded_by"] else ()
        return DecisionState(
            roadmap_id=p["roadmap_id"],
            consultation_id=p["consultation_id"],
            text=p["text"],
            priorities=tuple(p["priorities"]),
            parties=parties,
            recorded_by=p["recorded_by"],
            endorsements=endorsements,
            status=_status(parties, endorsements),
        )

    @evolves(Endorsed)
    def _endorsed(state: DecisionState, entry: Entry) -> DecisionState:
        endorsements = (*state.endorsements, entry.payload["party"])
        return replace(
            state, endorsements=endorsements, status=_status(state.parties, endorsements)
        )
