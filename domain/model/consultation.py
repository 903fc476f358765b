"""A bilateral consultation, ministerial conference, working group or leaders' meeting."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.model.errors import (
    AlreadyCoChairError,
    IllegalTransitionError,
    InvalidValueError,
    NotInvitedError,
)
from domain.model.history import Entry
from domain.model.item import Item, evolves
from domain.model.roadmap import RoadmapState
from domain.model.texts import Text, TextInput, upcast_texts
from domain.model.values import (
    ConsultationKind,
    Context,
    date_range,
    party_code,
)

SCHEDULED, HELD, CANCELLED = "scheduled", "held", "cancelled"


@dataclass(frozen=True)
class ConsultationState:
    roadmap_id: UUID
    kind: ConsultationKind
    title: Text
    host_party: str
    location: Text
    starts_on: date
    ends_on: date
    priorities: tuple[str, ...]
    invited_co_chairs: tuple[str, ...]
    co_chairs: tuple[str, ...]
    status: str
    summary: Text | None
    decisions: tuple[UUID, ...]


class Consultation(Item):
    if TYPE_CHECKING:
        state: ConsultationState

    class Scheduled(Item.Created):
        class_version = 2
        upcast_v1_v2 = upcast_texts("title", "location")
        roadmap_id: UUID
        kind: ConsultationKind
        title: Text
        host_party: str
        location: Text
        starts_on: date
        ends_on: date
        priorities: tuple[str, ...]

    class Rescheduled(Item.Event):
        class_version = 2
        upcast_v1_v2 = upcast_texts("reason")
        starts_on: date
        ends_on: date
        reason: Text

    class CoChairInvited(Item.Event):
        class_version = 2
        upcast_v1_v2 = upcast_texts()
        party: str

    class CoChairAccepted(Item.Event):
        class_version = 2
        upcast_v1_v2 = upcast_texts()
        party: str

    class Held(Item.Event):
        class_version = 2
        upcast_v1_v2 = upcast_texts("summary")
        summary: Text

    class DecisionRecorded(Item.Event):
        class_version = 2
        upcast_v1_v2 = upcast_texts()
        decision_id: UUID

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
    def schedule(
        cls,
        consultation_id: UUID,
        roadmap_id: UUID,
        roadmap: RoadmapState,
        *,
        kind: ConsultationKind,
        title: TextInput,
        host_party: str,
        location: TextInput,
        starts_on: date,
        ends_on: date,
        priorities: list[str],
        ctx: Context,
    ) -> Consultation:
        host_party = party_code(host_party, "host_party")
        roadmap.require_party(host_party, "host_party")
        ctx.actor.require_party(host_party)
        date_range(starts_on, ends_on)
        return cls._create(
            cls.Scheduled,
            id=consultation_id,
            roadmap_id=roadmap_id,
            kind=ConsultationKind(kind),
            title=ctx.text(title, "title", limit=500),
            host_party=host_party,
            location=ctx.text(location, "location", limit=200),
            starts_on=starts_on,
            ends_on=ends_on,
            priorities=roadmap.require_priorities(tuple(priorities)),
            **ctx.metadata(),
        )

    def _require_scheduled(self) -> None:
        self.require_live()
        if self.state.status != SCHEDULED:
            msg = f"consultation {self.id} is {self.state.status}, no longer scheduled"
            raise IllegalTransitionError(msg)

    def reschedule(
        self, *, starts_on: date, ends_on: date, reason: TextInput, ctx: Context
    ) -> None:
        self._require_scheduled()
        ctx.actor.require_party(self.state.host_party)
        date_range(starts_on, ends_on)
        self.trigger_event(
            self.Rescheduled,
            starts_on=starts_on,
            ends_on=ends_on,
            reason=ctx.text(reason, "reason", limit=2000),
            **ctx.metadata(),
        )

    def invite_co_chair(self, *, party: str, roadmap: RoadmapState, ctx: Context) -> None:
        self._require_scheduled()
        ctx.actor.require_party(self.state.host_party)
        party = party_code(party)
        roadmap.require_party(party)
        if party == self.state.host_party:
            raise InvalidValueError("the host party chairs already", field="party")
        if party in self.state.invited_co_chairs or party in self.state.co_chairs:
            raise AlreadyCoChairError(f"{party} was invited to co-chair already", field="party")
        self.trigger_event(self.CoChairInvited, party=party, **ctx.metadata())

    def accept_co_chair(self, *, ctx: Context) -> None:
        self._require_scheduled()
        party = ctx.actor.acting_party()
        if party in self.state.co_chairs:
            raise AlreadyCoChairError(f"{party} co-chairs already")
        if party not in self.state.invited_co_chairs:
            raise NotInvitedError(f"{party} was not invited to co-chair")
        self.trigger_event(self.CoChairAccepted, party=party, **ctx.metadata())

    def hold(self, *, summary: TextInput, ctx: Context) -> None:
        self._require_scheduled()
        ctx.actor.require_one_of((self.state.host_party, *self.state.co_chairs))
        self.trigger_event(self.Held, summary=ctx.text(summary, "summary"), **ctx.metadata())

    def cancel(self, *, reason: TextInput, ctx: Context) -> None:
        self._require_scheduled()
        ctx.actor.require_party(self.state.host_party)
        self.trigger_event(
            self.Cancelled, reason=ctx.text(reason, "reason", limit=2000), **ctx.metadata()
        )

    def note_decision(self, *, decision_id: UUID, ctx: Context) -> None:
        self.require_live()
        if self.state.status != HELD:
            msg = f"decisions are recorded at a held consultation; {self.id} is {self.state.status}"
            raise IllegalTransitionError(msg)
        self.trigger_event(self.DecisionRecorded, decision_id=decision_id, **ctx.metadata())

    def validate_correction(self, target: Entry, changes: dict[str, Any]) -> None:
        self.require_date_range(target, changes)

    @evolves(Scheduled)
    def _scheduled(state: None, entry: Entry) -> ConsultationState:
        p = entry.payload
        return ConsultationState(
            roadmap_id=p["roadmap_id"],
            kind=p["kind"],
            title=p["title"],
            host_party=p["host_party"],
            location=p["location"],
            starts_on=p["starts_on"],
            ends_on=p["ends_on"],
            priorities=tuple(p["priorities"]),
            invited_co_chairs=(),
            co_chairs=(),
            status=SCHEDULED,
            summary=None,
            decisions=(),
        )

    @evolves(Rescheduled)
    def _rescheduled(state: ConsultationState, entry: Entry) -> ConsultationState:
        return replace(
            state, starts_on=entry.payload["starts_on"], ends_on=entry.payload["ends_on"]
        )

    @evolves(CoChairInvited)
    def _invited(state: ConsultationState, entry: Entry) -> ConsultationState:
        return replace(state, invited_co_chairs=(*state.invited_co_chairs, entry.payload["party"]))

    @evolves(CoChairAccepted)
    def _accepted(state: ConsultationState, entry: Entry) -> ConsultationState:
        party = entry.payload["party"]
        invited = tuple(x for x in state.invited_co_chairs if x != party)
        return replace(state, invited_co_chairs=invited, co_chairs=(*state.co_chairs, party))

    @evolves(Held)
    def _held(state: ConsultationState, entry: Entry) -> ConsultationState:
        return replace(state, status=HELD, summary=entry.payload["summary"])

    @evolves(DecisionRecorded)
    def _decision(state: ConsultationState, entry: Entry) -> ConsultationState:
        return replace(state, decisions=(*state.decisions, entry.payload["decision_id"]))

    @evolves(Cancelled)
    def _cancelled(state: ConsultationState, entry: Entry) -> ConsultationState:
        return replace(state, status=CANCELLED)
