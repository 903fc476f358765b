"""Decisions under random endorsements, by every kind of actor, with corrections and retractions."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

from hypothesis import strategies as st
from hypothesis.stateful import initialize, rule

from domain.model.decision import Decision, DecisionState
from domain.model.errors import AlreadyEndorsedError, NotAuthorisedError
from domain.model.values import Actor
from tests.factories import ADMIN, CA_OFFICIAL, FR_OFFICIAL, PARTIES, roadmap_state
from tests.model.machine import (
    INVALID,
    ROADMAP_ID,
    STEPS,
    Change,
    ItemMachine,
    actors,
    effective_dates,
    one_of_errors,
)

CONSULTATION_ID = UUID("c0000000-0000-4000-8000-000000000001")


class DecisionMachine(ItemMachine[Decision]):
    CHANGES = (
        Change("text", "Corrected text", "Corrected text"),
        Change("text", 3, INVALID),
        Change("priorities", ["military-performance"], ("military-performance",)),
        Change("priorities", "military-performance", INVALID),
        Change("parties", ["FR"], ("FR",)),
        Change("recorded_by", "CA", "CA"),
        Change("consultation_id", str(CONSULTATION_ID), CONSULTATION_ID),
        Change("party", "FR", "FR"),
    )

    @initialize(recorder=st.sampled_from([FR_OFFICIAL, CA_OFFICIAL, ADMIN]))
    def record(self, recorder: Actor) -> None:
        ctx = self.context(recorder)
        decision = Decision.record(
            uuid4(),
            ROADMAP_ID,
            roadmap_state(),
            CONSULTATION_ID,
            text_="A yearly consultation",
            priorities=["preventive-diplomacy"],
            ctx=ctx,
        )
        data = {
            "roadmap_id": ROADMAP_ID,
            "consultation_id": CONSULTATION_ID,
            "text": "A yearly consultation",
            "priorities": ("preventive-diplomacy",),
            "parties": PARTIES,
            "recorded_by": recorder.party,
        }
        self.created(decision, ctx, data)

    @rule(actor=actors, effective_on=effective_dates)
    def endorse(self, actor: Actor, effective_on: date | None) -> None:
        state = self.expected_state()
        errors = self.live_errors()
        if actor.party is None:
            errors.append(NotAuthorisedError)
        else:
            errors += one_of_errors(actor, PARTIES)
            if actor.party in state.endorsements:
                errors.append(AlreadyEndorsedError)
        self.attempt(
            lambda d, ctx: d.endorse(ctx=ctx),
            self.context(actor, effective_on),
            errors,
            "Endorsed",
            {"party": actor.party},
        )

    def expected_state(self) -> DecisionState:
        recorded, *later = self.model.in_force()
        d = recorded.data
        endorsed = [d["recorded_by"]] if d["recorded_by"] else []
        endorsed += [r.data["party"] for r in later if r.event_type == "Endorsed"]
        agreed = all(party in endorsed for party in PARTIES)
        return DecisionState(
            roadmap_id=d["roadmap_id"],
            consultation_id=d["consultation_id"],
            text=d["text"],
            priorities=d["priorities"],
            parties=d["parties"],
            recorded_by=d["recorded_by"],
            endorsements=tuple(endorsed),
            status="agreed" if agreed else "proposed",
        )


DecisionMachine.TestCase.settings = STEPS
TestDecisionMachine = DecisionMachine.TestCase
