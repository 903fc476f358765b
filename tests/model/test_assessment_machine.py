"""Assessments under random steps, by every kind of actor, with corrections and retractions."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

from hypothesis import strategies as st
from hypothesis.stateful import initialize, rule

from domain.model.assessment import Assessment, AssessmentState
from domain.model.errors import (
    IllegalTransitionError,
    InvalidCorrectionError,
    InvalidSupersessionError,
    OnlyReceivingPartyAcknowledgesError,
)
from domain.model.texts import english
from domain.model.values import Actor, Marking, Role
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
    party_errors,
    past_dates,
    writer_errors,
)

OTHER_ROADMAP_ID = UUID("0c7e3d4e-2016-4a13-9f00-000000000002")
CURRENT = {"shared", "acknowledged"}
#: The status each step requires, and the one it leads to.
STEPS_FROM = {
    "acknowledge": ({"shared"}, "acknowledged"),
    "supersede": (CURRENT, "superseded"),
    "withdraw": (CURRENT, "withdrawn"),
}
#: How the named newer assessment is unfit; mostly it is fit, so supersessions get accepted.
FLAWS = (
    None,
    None,
    None,
    None,
    "itself",
    "other-roadmap",
    "other-party",
    "superseded",
    "withdrawn",
    "earlier",
)
EVENTS = {"acknowledge": "Acknowledged", "supersede": "Superseded", "withdraw": "Withdrawn"}


class AssessmentMachine(ItemMachine[Assessment]):
    CHANGES = (
        Change("title", "Corrected title", "Corrected title"),
        Change("subject", "UNMISS", "UNMISS"),
        Change("summary", "Corrected summary", "Corrected summary"),
        Change("summary", 7, INVALID),
        Change(
            "priorities",
            ["operations-support", "operations-support"],
            ("operations-support",),
        ),
        Change("marking", "unclassified", Marking.UNCLASSIFIED),
        Change("marking", "restricted", Marking.RESTRICTED),
        Change("marking", "confidential", INVALID),
        Change("shared_on", "2016-11-30", date(2016, 11, 30)),
        Change("shared_on", "2026-03-02", date(2026, 3, 2)),  # the day it was recorded
        Change("shared_on", "2026-03-03", date(2026, 3, 3)),  # after it: the aggregate refuses
        Change("shared_on", "30/11/2016", INVALID),
        Change("by", str(UUID(int=9)), UUID(int=9)),  # never corrected: the aggregate refuses
        Change("reason", "Corrected reason", "Corrected reason"),
        Change("from_party", "CA", "CA"),
        Change("to_party", "FR", "FR"),
    )

    @initialize(
        from_party=st.sampled_from(PARTIES),
        by_admin=st.booleans(),
        marking=st.sampled_from(Marking),
        shared_on=st.dates(date(2016, 10, 1), date(2026, 3, 2)),
        effective_on=past_dates,
    )
    def share(
        self,
        from_party: str,
        by_admin: bool,
        marking: Marking,
        shared_on: date,
        effective_on: date | None,
    ) -> None:
        to_party = "CA" if from_party == "FR" else "FR"
        ctx = self.context(ADMIN if by_admin else OFFICIALS[from_party], effective_on)
        fields: dict[str, Any] = {
            "from_party": from_party,
            "to_party": to_party,
            "title": "Situation in Mali",
            "subject": "MINUSMA",
            "priorities": ("preventive-diplomacy",),
            "summary": "Fragile in the north",
            "marking": marking,
            "shared_on": shared_on,
        }
        assessment = Assessment.share(
            uuid4(),
            ROADMAP_ID,
            roadmap_state(),
            **{**fields, "priorities": ["preventive-diplomacy"]},
            ctx=ctx,
        )
        self.created(assessment, ctx, {"roadmap_id": ROADMAP_ID, **fields})
        self.recorded_on = ctx.recorded_at.date()
        # Without an explicit effective date, the sharing takes effect the day it was shared.
        self.model.records[1].effective_on = effective_on or shared_on

    def step(
        self,
        name: str,
        actor: Actor,
        effective_on: date | None,
        errors: list[Error],
        data: dict[str, Any],
    ) -> None:
        allowed, _ = STEPS_FROM[name]
        errors = self.live_errors() + errors
        if self.expected_state().status not in allowed:
            errors.append(IllegalTransitionError)
        self.attempt(
            self.commands[name], self.context(actor, effective_on), errors, EVENTS[name], data
        )

    @property
    def commands(self) -> dict[str, Any]:
        return {
            "acknowledge": lambda a, c: a.acknowledge(ctx=c),
            "supersede": lambda a, c: a.supersede(by=self.by, newer=self.newer, ctx=c),
            "withdraw": lambda a, c: a.withdraw(reason="overtaken", ctx=c),
        }

    @rule(actor=actors, effective_on=effective_dates)
    def acknowledge(self, actor: Actor, effective_on: date | None) -> None:
        errors = writer_errors(actor)
        receiving = self.expected_state().to_party
        if not errors and Role.ADMIN not in actor.roles and actor.party != receiving:
            errors.append(OnlyReceivingPartyAcknowledgesError)
        self.step("acknowledge", actor, effective_on, errors, {})

    @rule(
        actor=actors,
        effective_on=effective_dates,
        flaw=st.sampled_from(FLAWS),
        status=st.sampled_from(sorted(CURRENT)),
        days_later=st.integers(0, 2),
    )
    def supersede(
        self,
        actor: Actor,
        effective_on: date | None,
        flaw: str | None,
        status: str,
        days_later: int,
    ) -> None:
        state = self.expected_state()
        other_party = "CA" if state.from_party == "FR" else "FR"
        itself = flaw == "itself"
        roadmap_id = OTHER_ROADMAP_ID if flaw == "other-roadmap" else ROADMAP_ID
        party = other_party if flaw == "other-party" else state.from_party
        status = flaw if flaw in ("superseded", "withdrawn") else status
        shared_on = state.shared_on + timedelta(days=-1 if flaw == "earlier" else days_later)
        self.by = self.item.id if itself else uuid4()
        self.newer = AssessmentState(
            roadmap_id=roadmap_id,
            from_party=party,
            to_party="CA" if party == "FR" else "FR",
            title=english("Situation in Mali, a year on"),
            subject=english("MINUSMA"),
            priorities=(),
            summary=english("Calmer"),
            marking=Marking.UNCLASSIFIED,
            shared_on=shared_on,
            status=status,
            superseded_by=UUID(int=3) if status == "superseded" else None,
        )
        errors = party_errors(actor, state.from_party)
        if (
            itself
            or roadmap_id != state.roadmap_id
            or party != state.from_party
            or status not in CURRENT
            or shared_on < state.shared_on
        ):
            errors.append(InvalidSupersessionError)
        self.step("supersede", actor, effective_on, errors, {"by": self.by})

    @rule(actor=actors, effective_on=effective_dates)
    def withdraw(self, actor: Actor, effective_on: date | None) -> None:
        errors = party_errors(actor, self.expected_state().from_party)
        self.step("withdraw", actor, effective_on, errors, {"reason": "overtaken"})

    def correction_errors(self, record: Record, change: Change) -> list[Error]:
        if change.field == "shared_on" and change.value > self.recorded_on:
            return [InvalidCorrectionError]
        if change.field == "by":
            return [InvalidCorrectionError]
        return []

    def expected_state(self) -> AssessmentState:
        shared, *later = self.model.in_force()
        d = shared.data
        status, superseded_by = "shared", None
        to_status = {EVENTS[name]: after for name, (_, after) in STEPS_FROM.items()}
        for record in later:
            status = to_status[record.event_type]
            if record.event_type == "Superseded":
                superseded_by = record.data["by"]
        return AssessmentState(
            roadmap_id=d["roadmap_id"],
            from_party=d["from_party"],
            to_party=d["to_party"],
            title=d["title"],
            subject=d["subject"],
            priorities=d["priorities"],
            summary=d["summary"],
            marking=d["marking"],
            shared_on=d["shared_on"],
            status=status,
            superseded_by=superseded_by,
        )


AssessmentMachine.TestCase.settings = STEPS
TestAssessmentMachine = AssessmentMachine.TestCase
