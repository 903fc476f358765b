"""An exchange of diplomats or experts from one party to the other."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.model.errors import (
    IllegalTransitionError,
    InvalidCorrectionError,
    InvalidValueError,
    OnlyReceivingPartyAgreesError,
)
from domain.model.history import Entry
from domain.model.item import Item, evolves
from domain.model.roadmap import RoadmapState
from domain.model.texts import Text, TextInput, upcast_texts
from domain.model.values import Context, ExchangeCategory, date_range, party_code

PROPOSED, AGREED, IN_PROGRESS = "proposed", "agreed", "in-progress"
COMPLETED, CANCELLED = "completed", "cancelled"
PARTICIPANTS_MAX = 100_000


@dataclass(frozen=True)
class ExchangeState:
    roadmap_id: UUID
    category: ExchangeCategory
    from_party: str
    to_party: str
    participants: int
    starts_on: date
    ends_on: date
    title: Text
    status: str


class Exchange(Item):
    if TYPE_CHECKING:
        state: ExchangeState

    class Proposed(Item.Created):
        class_version = 2
        upcast_v1_v2 = upcast_texts("title")
        roadmap_id: UUID
        category: ExchangeCategory
        from_party: str
        to_party: str
        participants: int
        starts_on: date
        ends_on: date
        title: Text

    class Agreed(Item.Event):
        class_version = 2
        upcast_v1_v2 = upcast_texts()

    class Started(Item.Event):
        class_version = 2
        upcast_v1_v2 = upcast_texts()

    class Completed(Item.Event):
        class_version = 2
        upcast_v1_v2 = upcast_texts()

    class Cancelled(Item.Event):
        class_version = 2
        upcast_v1_v2 = upcast_texts("reason")
        reason: Text

    class Corrected(Item.Corrected):
        """Named per aggregate so every topic in the log says what kind of item it is about."""

    class Retracted(Item.Retracted):
        pass

    class Translated(Item.Translated):
        pass

    @classmethod
    def propose(
        cls,
        exchange_id: UUID,
        roadmap_id: UUID,
        roadmap: RoadmapState,
        *,
        category: ExchangeCategory,
        from_party: str,
        to_party: str,
        participants: int,
        starts_on: date,
        ends_on: date,
        title: TextInput,
        ctx: Context,
    ) -> Exchange:
        from_party = party_code(from_party, "from_party")
        to_party = party_code(to_party, "to_party")
        roadmap.require_party(from_party, "from_party")
        roadmap.require_party(to_party, "to_party")
        if from_party == to_party:
            raise InvalidValueError("an exchange goes from one party to another", field="to_party")
        ctx.actor.require_party(from_party)
        if isinstance(participants, bool) or not 1 <= participants <= PARTICIPANTS_MAX:
            msg = f"participants must be between 1 and {PARTICIPANTS_MAX}"
            raise InvalidValueError(msg, field="participants")
        date_range(starts_on, ends_on)
        return cls._create(
            cls.Proposed,
            id=exchange_id,
            roadmap_id=roadmap_id,
            category=ExchangeCategory(category),
            from_party=from_party,
            to_party=to_party,
            participants=participants,
            starts_on=starts_on,
            ends_on=ends_on,
            title=ctx.text(title, "title", limit=500),
            **ctx.metadata(),
        )

    def _require_status(self, *allowed: str, step: str) -> None:
        self.require_live()
        if self.state.status not in allowed:
            msg = f"exchange {self.id} is {self.state.status}: it cannot be {step}"
            raise IllegalTransitionError(msg)

    def agree(self, *, ctx: Context) -> None:
        self._require_status(PROPOSED, step="agreed")
        ctx.actor.require_writer()
        if not ctx.actor.is_admin and ctx.actor.party != self.state.to_party:
            msg = f"only the receiving party ({self.state.to_party}) agrees to an exchange"
            raise OnlyReceivingPartyAgreesError(msg)
        self.trigger_event(self.Agreed, **ctx.metadata())

    def start(self, *, ctx: Context) -> None:
        self._require_status(AGREED, step="started")
        ctx.actor.require_one_of((self.state.from_party, self.state.to_party))
        self.trigger_event(self.Started, **ctx.metadata())

    def complete(self, *, ctx: Context) -> None:
        self._require_status(IN_PROGRESS, step="completed")
        ctx.actor.require_one_of((self.state.from_party, self.state.to_party))
        self.trigger_event(self.Completed, **ctx.metadata())

    def cancel(self, *, reason: TextInput, ctx: Context) -> None:
        self._require_status(PROPOSED, AGREED, IN_PROGRESS, step="cancelled")
        ctx.actor.require_one_of((self.state.from_party, self.state.to_party))
        self.trigger_event(
            self.Cancelled, reason=ctx.text(reason, "reason", limit=2000), **ctx.metadata()
        )

    def validate_correction(self, target: Entry, changes: dict[str, Any]) -> None:
        if "participants" in changes and not 1 <= changes["participants"] <= PARTICIPANTS_MAX:
            msg = f"participants must be between 1 and {PARTICIPANTS_MAX}"
            raise InvalidCorrectionError(msg, field="changes.participants")
        self.require_date_range(target, changes)

    @evolves(Proposed)
    def _proposed(state: None, entry: Entry) -> ExchangeState:
        p = entry.payload
        return ExchangeState(
            roadmap_id=p["roadmap_id"],
            category=p["category"],
            from_party=p["from_party"],
            to_party=p["to_party"],
            participants=p["participants"],
            starts_on=p["starts_on"],
            ends_on=p["ends_on"],
            title=p["title"],
            status=PROPOSED,
        )

    @evolves(Agreed)
    def _agreed(state: ExchangeState, entry: Entry) -> ExchangeState:
        return replace(state, status=AGREED)

    @evolves(Started)
    def _started(state: ExchangeState, entry: Entry) -> ExchangeState:
        return replace(state, status=IN_PROGRESS)

    @evolves(Completed)
    def _completed(state: ExchangeState, entry: Entry) -> ExchangeState:
        return replace(state, status=COMPLETED)

    @evolves(Cancelled)
    def _cancelled(state: ExchangeState, entry: Entry) -> ExchangeState:
        return replace(state, status=CANCELLED)
