"""An initiative for UN peacekeeping reform, sponsored by one or more parties."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING
from uuid import UUID

from domain.model.errors import AlreadySponsorError, IllegalTransitionError
from domain.model.history import Entry
from domain.model.item import Item, evolves
from domain.model.roadmap import RoadmapState
from domain.model.texts import Text, TextInput, upcast_texts
from domain.model.values import Context, ReformResult, optional_text, text

PROPOSED, SUBMITTED, WITHDRAWN = "proposed", "submitted", "withdrawn"


@dataclass(frozen=True)
class ReformState:
    roadmap_id: UUID
    title: Text
    forum: str
    summary: Text
    priorities: tuple[str, ...]
    sponsors: tuple[str, ...]
    status: str


class ReformProposal(Item):
    if TYPE_CHECKING:
        state: ReformState

    class Proposed(Item.Created):
        class_version = 2
        upcast_v1_v2 = upcast_texts("title", "summary")
        roadmap_id: UUID
        party: str
        title: Text
        forum: str
        summary: Text
        priorities: tuple[str, ...]

    class CoSponsored(Item.Event):
        class_version = 2
        upcast_v1_v2 = upcast_texts()
        party: str

    class Submitted(Item.Event):
        class_version = 2
        upcast_v1_v2 = upcast_texts()
        forum: str | None

    class OutcomeRecorded(Item.Event):
        class_version = 2
        upcast_v1_v2 = upcast_texts()
        result: ReformResult

    class Withdrawn(Item.Event):
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
        proposal_id: UUID,
        roadmap_id: UUID,
        roadmap: RoadmapState,
        *,
        party: str | None,
        title: TextInput,
        forum: str,
        summary: TextInput,
        priorities: list[str],
        ctx: Context,
    ) -> ReformProposal:
        sponsor = ctx.actor.acting_party(party)
        roadmap.require_party(sponsor)
        return cls._create(
            cls.Proposed,
            id=proposal_id,
            roadmap_id=roadmap_id,
            party=sponsor,
            title=ctx.text(title, "title", limit=500),
            forum=text(forum, "forum", limit=200),
            summary=ctx.text(summary, "summary"),
            priorities=roadmap.require_priorities(tuple(priorities)),
            **ctx.metadata(),
        )

    def _require_status(self, *allowed: str, step: str) -> None:
        self.require_live()
        if self.state.status not in allowed:
            msg = f"reform proposal {self.id} is {self.state.status}: it cannot be {step}"
            raise IllegalTransitionError(msg)

    def cosponsor(self, *, roadmap: RoadmapState, ctx: Context) -> None:
        self._require_status(PROPOSED, step="co-sponsored")
        party = ctx.actor.acting_party()
        roadmap.require_party(party)
        if party in self.state.sponsors:
            raise AlreadySponsorError(f"{party} sponsors this proposal already")
        self.trigger_event(self.CoSponsored, party=party, **ctx.metadata())

    def submit(self, *, forum: str | None, ctx: Context) -> None:
        self._require_status(PROPOSED, step="submitted")
        ctx.actor.require_one_of(self.state.sponsors)
        self.trigger_event(
            self.Submitted, forum=optional_text(forum, "forum", 200), **ctx.metadata()
        )

    def record_outcome(self, *, result: ReformResult, ctx: Context) -> None:
        self._require_status(SUBMITTED, step="given an outcome")
        ctx.actor.require_one_of(self.state.sponsors)
        self.trigger_event(self.OutcomeRecorded, result=ReformResult(result), **ctx.metadata())

    def withdraw(self, *, reason: TextInput, ctx: Context) -> None:
        self._require_status(PROPOSED, SUBMITTED, step="withdrawn")
        ctx.actor.require_one_of(self.state.sponsors)
        self.trigger_event(
            self.Withdrawn, reason=ctx.text(reason, "reason", limit=2000), **ctx.metadata()
        )

    @evolves(Proposed)
    def _proposed(state: None, entry: Entry) -> ReformState:
        p = entry.payload
        return ReformState(
            roadmap_id=p["roadmap_id"],
            title=p["title"],
            forum=p["forum"],
            summary=p["summary"],
            priorities=tuple(p["priorities"]),
            sponsors=(p["party"],),
            status=PROPOSED,
        )

    @evolves(CoSponsored)
    def _cosponsored(state: ReformState, entry: Entry) -> ReformState:
        return replace(state, sponsors=(*state.sponsors, entry.payload["party"]))

    @evolves(Submitted)
    def _submitted(state: ReformState, entry: Entry) -> ReformState:
        return replace(state, status=SUBMITTED, forum=entry.payload["forum"] or state.forum)

    @evolves(OutcomeRecorded)
    def _outcome(state: ReformState, entry: Entry) -> ReformState:
        return replace(state, status=ReformResult(entry.payload["result"]).value)

    @evolves(Withdrawn)
    def _withdrawn(state: ReformState, entry: Entry) -> ReformState:
        return replace(state, status=WITHDRAWN)
