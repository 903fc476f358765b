"""Consultations under random commands: rescheduling, co-chairs, holding, decisions, corrections."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID, uuid4

from hypothesis import strategies as st
from hypothesis.stateful import initialize, rule

from domain.model.consultation import Consultation, ConsultationState
from domain.model.errors import (
    AlreadyCoChairError,
    IllegalTransitionError,
    InvalidCorrectionError,
    InvalidValueError,
    NotInvitedError,
    UnknownPartyError,
)
from domain.model.values import Actor, ConsultationKind
from tests.factories import ADMIN, OFFICIALS, PARTIES, roadmap_state
from tests.model.machine import (
    INVALID,
    ROADMAP_ID,
    STEPS,
    Change,
    Error,
    ItemMachine,
    Record,
    actors,
    effective_dates,
    one_of_errors,
    own_party_errors,
    party_errors,
    past_dates,
)

ROADMAP = roadmap_state()
DECISION = UUID("d0000000-0000-4000-8000-000000000001")


class ConsultationMachine(ItemMachine[Consultation]):
    CHANGES = (
        Change("title", "Corrected title", "Corrected title"),
        Change("title", 5, INVALID),
        Change("location", "Lyon", "Lyon"),
        Change("kind", "working-group", ConsultationKind.WORKING_GROUP),
        Change("kind", "picnic", INVALID),
        Change("starts_on", "2016-10-20", date(2016, 10, 20)),
        Change("starts_on", "2016-11-15", date(2016, 11, 15)),
        Change("starts_on", "26 October", INVALID),
        Change("ends_on", "2016-10-30", date(2016, 10, 30)),
        Change("ends_on", "2016-10-21", date(2016, 10, 21)),
        Change("priorities", ["preventive-diplomacy"], ("preventive-diplomacy",)),
        Change("summary", "Corrected summary", "Corrected summary"),
        Change("reason", "Corrected reason", "Corrected reason"),
        Change("decision_id", str(DECISION), DECISION),
        Change("decision_id", "nope", INVALID),
        Change("host_party", "CA", "CA"),
        Change("party", "US", "US"),
    )

    @initialize(host=st.sampled_from(PARTIES), by_admin=st.booleans(), effective_on=past_dates)
    def schedule(self, host: str, by_admin: bool, effective_on: date | None) -> None:
        ctx = self.context(ADMIN if by_admin else OFFICIALS[host], effective_on)
        data = {
            "roadmap_id": ROADMAP_ID,
            "kind": ConsultationKind.BILATERAL,
            "title": "Bilateral consultation",
            "host_party": host,
            "location": "Ottawa",
            "starts_on": date(2016, 10, 26),
            "ends_on": date(2016, 10, 27),
            "priorities": ("civilians-and-women",),
        }
        consultation = Consultation.schedule(
            uuid4(),
            ROADMAP_ID,
            ROADMAP,
            kind=ConsultationKind.BILATERAL,
            title="Bilateral consultation",
            host_party=host,
            location="Ottawa",
            starts_on=date(2016, 10, 26),
            ends_on=date(2016, 10, 27),
            priorities=["civilians-and-women"],
            ctx=ctx,
        )
        self.created(consultation, ctx, data)

    def scheduled_errors(self) -> list[Error]:
        errors = self.live_errors()
        if self.expected_state().status != "scheduled":
            errors.append(IllegalTransitionError)
        return errors

    @rule(
        actor=actors,
        starts_on=st.dates(date(2016, 10, 1), date(2017, 12, 31)),
        days=st.integers(-2, 4),
        effective_on=effective_dates,
    )
    def reschedule(
        self, actor: Actor, starts_on: date, days: int, effective_on: date | None
    ) -> None:
        ends_on = starts_on + timedelta(days=days)
        errors = self.scheduled_errors() + party_errors(actor, self.expected_state().host_party)
        if days < 0:
            errors.append(InvalidValueError)
        self.attempt(
            lambda c, ctx: c.reschedule(starts_on=starts_on, ends_on=ends_on, reason="r", ctx=ctx),
            self.context(actor, effective_on),
            errors,
            "Rescheduled",
            {"starts_on": starts_on, "ends_on": ends_on, "reason": "r"},
        )

    @rule(actor=actors, party=st.sampled_from(["FR", "CA", "CA", "US", "fr"]))
    def invite_co_chair(self, actor: Actor, party: str) -> None:
        state = self.expected_state()
        errors = self.scheduled_errors() + party_errors(actor, state.host_party)
        if party in ("fr", state.host_party):
            errors.append(InvalidValueError)
        elif party not in PARTIES:
            errors.append(UnknownPartyError)
        elif party in state.invited_co_chairs or party in state.co_chairs:
            errors.append(AlreadyCoChairError)
        self.attempt(
            lambda c, ctx: c.invite_co_chair(party=party, roadmap=ROADMAP, ctx=ctx),
            self.context(actor),
            errors,
            "CoChairInvited",
            {"party": party},
        )

    @rule(actor=actors)
    def accept_co_chair(self, actor: Actor) -> None:
        state = self.expected_state()
        errors = self.scheduled_errors() + own_party_errors(actor)
        if actor.party is not None:
            if actor.party in state.co_chairs:
                errors.append(AlreadyCoChairError)
            elif actor.party not in state.invited_co_chairs:
                errors.append(NotInvitedError)
        self.attempt(
            lambda c, ctx: c.accept_co_chair(ctx=ctx),
            self.context(actor),
            errors,
            "CoChairAccepted",
            {"party": actor.party},
        )

    @rule(actor=actors, effective_on=effective_dates)
    def hold(self, actor: Actor, effective_on: date | None) -> None:
        state = self.expected_state()
        errors = self.scheduled_errors() + one_of_errors(
            actor, (state.host_party, *state.co_chairs)
        )
        self.attempt(
            lambda c, ctx: c.hold(summary="Held", ctx=ctx),
            self.context(actor, effective_on),
            errors,
            "Held",
            {"summary": "Held"},
        )

    @rule(actor=actors)
    def cancel(self, actor: Actor) -> None:
        errors = self.scheduled_errors() + party_errors(actor, self.expected_state().host_party)
        self.attempt(
            lambda c, ctx: c.cancel(reason="elections", ctx=ctx),
            self.context(actor),
            errors,
            "Cancelled",
            {"reason": "elections"},
        )

    @rule(actor=actors)
    def note_decision(self, actor: Actor) -> None:
        decision_id = uuid4()
        errors = self.live_errors()
        if self.expected_state().status != "held":
            errors.append(IllegalTransitionError)
        self.attempt(
            lambda c, ctx: c.note_decision(decision_id=decision_id, ctx=ctx),
            self.context(actor),
            errors,
            "DecisionRecorded",
            {"decision_id": decision_id},
        )

    def correction_errors(self, record: Record, change: Change) -> list[Error]:
        if change.field not in ("starts_on", "ends_on"):
            return []
        dates = {**record.data, change.field: change.value}
        return [InvalidCorrectionError] if dates["ends_on"] < dates["starts_on"] else []

    def expected_state(self) -> ConsultationState:
        scheduled, *later = self.model.in_force()
        d = scheduled.data
        starts_on, ends_on, status, summary = d["starts_on"], d["ends_on"], "scheduled", None
        invited: list[str] = []
        co_chairs: list[str] = []
        decisions: list[UUID] = []
        for record in later:
            p = record.data
            match record.event_type:
                case "Rescheduled":
                    starts_on, ends_on = p["starts_on"], p["ends_on"]
                case "CoChairInvited":
                    invited.append(p["party"])
                case "CoChairAccepted":
                    invited = [x for x in invited if x != p["party"]]
                    co_chairs.append(p["party"])
                case "Held":
                    status, summary = "held", p["summary"]
                case "DecisionRecorded":
                    decisions.append(p["decision_id"])
                case "Cancelled":
                    status = "cancelled"
        return ConsultationState(
            roadmap_id=d["roadmap_id"],
            kind=d["kind"],
            title=d["title"],
            host_party=d["host_party"],
            location=d["location"],
            starts_on=starts_on,
            ends_on=ends_on,
            priorities=d["priorities"],
            invited_co_chairs=tuple(invited),
            co_chairs=tuple(co_chairs),
            status=status,
            summary=summary,
            decisions=tuple(decisions),
        )


ConsultationMachine.TestCase.settings = STEPS
TestConsultationMachine = ConsultationMachine.TestCase
