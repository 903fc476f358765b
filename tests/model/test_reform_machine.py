"""Reform proposals under random steps, by every kind of actor, with corrections."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from hypothesis import strategies as st
from hypothesis.stateful import initialize, rule

from domain.model.errors import AlreadySponsorError, IllegalTransitionError, UnknownPartyError
from domain.model.reform import ReformProposal, ReformState
from domain.model.values import Actor, ReformResult
from tests.factories import ADMIN, OFFICIALS, PARTIES, roadmap_state
from tests.model.machine import (
    INVALID,
    ROADMAP_ID,
    STEPS,
    Change,
    Error,
    ItemMachine,
    actors,
    effective_dates,
    one_of_errors,
    own_party_errors,
    past_dates,
)

ROADMAP = roadmap_state()


class ReformMachine(ItemMachine[ReformProposal]):
    CHANGES = (
        Change("title", "Corrected title", "Corrected title"),
        Change("forum", "General Assembly", "General Assembly"),
        Change("forum", None, None),
        Change("forum", 34, INVALID),
        Change("summary", "Corrected summary", "Corrected summary"),
        Change("priorities", ["preventive-diplomacy"], ("preventive-diplomacy",)),
        Change("reason", "Corrected reason", "Corrected reason"),
        Change("result", "rejected", ReformResult.REJECTED),
        Change("result", "adopted", ReformResult.ADOPTED),
        Change("result", "postponed", INVALID),
        Change("party", "CA", "CA"),
    )
    OPTIONAL = frozenset({("Submitted", "forum")})

    @initialize(party=st.sampled_from(PARTIES), by_admin=st.booleans(), effective_on=past_dates)
    def propose(self, party: str, by_admin: bool, effective_on: date | None) -> None:
        ctx = self.context(ADMIN if by_admin else OFFICIALS[party], effective_on)
        proposal = ReformProposal.propose(
            uuid4(),
            ROADMAP_ID,
            ROADMAP,
            party=party if by_admin else None,
            title="Training in French",
            forum="C-34",
            summary="More French-speaking personnel",
            priorities=["military-performance"],
            ctx=ctx,
        )
        data = {
            "roadmap_id": ROADMAP_ID,
            "party": party,
            "title": "Training in French",
            "forum": "C-34",
            "summary": "More French-speaking personnel",
            "priorities": ("military-performance",),
        }
        self.created(proposal, ctx, data)

    def status_errors(self, *allowed: str) -> list[Error]:
        errors = self.live_errors()
        if self.expected_state().status not in allowed:
            errors.append(IllegalTransitionError)
        return errors

    @rule(actor=actors, effective_on=effective_dates)
    def cosponsor(self, actor: Actor, effective_on: date | None) -> None:
        errors = self.status_errors("proposed") + own_party_errors(actor)
        if not own_party_errors(actor):
            if actor.party not in PARTIES:
                errors.append(UnknownPartyError)
            elif actor.party in self.expected_state().sponsors:
                errors.append(AlreadySponsorError)
        self.attempt(
            lambda r, c: r.cosponsor(roadmap=ROADMAP, ctx=c),
            self.context(actor, effective_on),
            errors,
            "CoSponsored",
            {"party": actor.party},
        )

    def sponsor_errors(self, actor: Actor) -> list[Error]:
        return one_of_errors(actor, self.expected_state().sponsors)

    @rule(actor=actors, forum=st.sampled_from([None, "Security Council"]))
    def submit(self, actor: Actor, forum: str | None) -> None:
        self.attempt(
            lambda r, c: r.submit(forum=forum, ctx=c),
            self.context(actor),
            self.status_errors("proposed") + self.sponsor_errors(actor),
            "Submitted",
            {"forum": forum},
        )

    @rule(actor=actors, result=st.sampled_from(ReformResult), effective_on=effective_dates)
    def record_outcome(self, actor: Actor, result: ReformResult, effective_on: date | None) -> None:
        self.attempt(
            lambda r, c: r.record_outcome(result=result, ctx=c),
            self.context(actor, effective_on),
            self.status_errors("submitted") + self.sponsor_errors(actor),
            "OutcomeRecorded",
            {"result": result},
        )

    @rule(actor=actors)
    def withdraw(self, actor: Actor) -> None:
        self.attempt(
            lambda r, c: r.withdraw(reason="no support", ctx=c),
            self.context(actor),
            self.status_errors("proposed", "submitted") + self.sponsor_errors(actor),
            "Withdrawn",
            {"reason": "no support"},
        )

    def expected_state(self) -> ReformState:
        proposed, *later = self.model.in_force()
        d = proposed.data
        sponsors, status, forum = [d["party"]], "proposed", d["forum"]
        for record in later:
            p = record.data
            if record.event_type == "CoSponsored":
                sponsors.append(p["party"])
            elif record.event_type == "Submitted":
                status, forum = "submitted", p["forum"] or forum
            elif record.event_type == "OutcomeRecorded":
                status = str(p["result"])
            elif record.event_type == "Withdrawn":
                status = "withdrawn"
        return ReformState(
            roadmap_id=d["roadmap_id"],
            title=d["title"],
            forum=forum,
            summary=d["summary"],
            priorities=d["priorities"],
            sponsors=tuple(sponsors),
            status=status,
        )


ReformMachine.TestCase.settings = STEPS
TestReformMachine = ReformMachine.TestCase
