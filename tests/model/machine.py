"""The frame of every item's state machine: each command is checked against a simple model.

A machine keeps its own record of what was accepted (payloads, corrections, retractions) and
derives from it, independently of `evolve`, which commands the rules must refuse and what the
state must be. After every step: a refused command left no pending event and the same state and
version; replaying the collected events equals the live item; `fold(view(entries))` equals
`state`; the state and the corrected entries equal the model's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date, timedelta
from typing import Any, ClassVar, Generic, TypeVar
from uuid import UUID

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from domain.model.errors import (
    DomainError,
    EventAlreadyRetractedError,
    InvalidCorrectionError,
    InvalidValueError,
    ItemRetractedError,
    NotAuthorisedError,
    NotYourPartyError,
)
from domain.model.history import view
from domain.model.item import Item
from domain.model.texts import Text
from domain.model.values import Actor, Context, Role
from tests.factories import (
    ADMIN,
    CA_OFFICIAL,
    FR_AUDITOR,
    FR_OFFICIAL,
    RECORDED_AT,
    US_OFFICIAL,
    replay,
)

ItemT = TypeVar("ItemT", bound=Item)
Error = type[DomainError]

#: Steps per run; the number of runs comes from the hypothesis profile (tests/conftest.py).
STEPS = settings(stateful_step_count=30)
ROADMAP_ID = UUID("0c7e3d4e-2016-4a13-9f00-000000000001")
ACTORS = (FR_OFFICIAL, CA_OFFICIAL, ADMIN, FR_AUDITOR, US_OFFICIAL)
RECORDERS = {"FR": FR_OFFICIAL, "CA": CA_OFFICIAL, "US": US_OFFICIAL}
#: Officials of the parties more often: most commands are by someone allowed to try.
actors = st.sampled_from((FR_OFFICIAL, CA_OFFICIAL, FR_OFFICIAL, CA_OFFICIAL, *ACTORS))
#: None (the recording day) or a past date.
past_dates = st.none() | st.dates(date(2016, 1, 1), date(2026, 3, 1))
#: Versions to correct or retract: mostly the creation and early events, sometimes none at all.
versions = st.sampled_from([1, 1, 2]) | st.integers(0, 12)
#: Retracting the creation ends a run's interest: no more weight on it than on others.
retractable = st.integers(0, 10)
#: Mostly the recording day or a past date, sometimes a future one (refused).
effective_dates = st.one_of(
    st.none(), st.none(), st.none(), past_dates, past_dates, st.just(date(2031, 1, 1))
)
INVALID: Any = object()  # a correction value the rules refuse, whatever the target
#: Who and where: never corrected (the model's own list, not the domain's).
FIXED = frozenset(
    {
        "roadmap_id",
        "consultation_id",
        "party",
        "parties",
        "host_party",
        "from_party",
        "to_party",
        "recorded_by",
    }
)


def written(value: Any) -> Any:
    """A state or payload with each text as written: these machines model what was recorded
    in one language (tests/model/test_texts.py covers both)."""
    if isinstance(value, Text):
        return str(value)
    if is_dataclass(value) and not isinstance(value, type):
        return (
            type(value).__name__,
            {f.name: written(getattr(value, f.name)) for f in fields(value)},
        )
    if isinstance(value, dict):
        return {k: written(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return tuple(written(v) for v in value)
    return value


@dataclass(frozen=True)
class Change:
    """A candidate correction: a field, its JSON value, and the exact value it must become."""

    field: str
    raw: Any
    value: Any


COMMON_CHANGES = (
    Change("effective_on", "2016-01-15", date(2016, 1, 15)),
    Change("effective_on", "2026-03-01", date(2026, 3, 1)),
    Change("effective_on", date(2016, 9, 1), date(2016, 9, 1)),
    Change("effective_on", "2031-01-01", INVALID),  # in the future
    Change("effective_on", "15/01/2016", INVALID),
    Change("no_such_field", "x", INVALID),
    Change("roadmap_id", str(UUID(int=7)), UUID(int=7)),
)


@dataclass
class Record:
    """One accepted event that is not a correction, as the model knows it."""

    event_type: str
    data: dict[str, Any]
    effective_on: date
    actor_party: str | None


@dataclass
class Model:
    records: dict[int, Record] = field(default_factory=dict)  # by version
    retracted: set[int] = field(default_factory=set)

    @property
    def void(self) -> bool:
        return 1 in self.retracted

    def in_force_by_version(self) -> list[tuple[int, Record]]:
        return [
            (v, r) for v, r in sorted(self.records.items()) if v == 1 or v not in self.retracted
        ]

    def in_force(self) -> list[Record]:
        return [r for _, r in self.in_force_by_version()]


# --- who may act ---------------------------------------------------------------------------


def writer_errors(actor: Actor) -> list[Error]:
    is_writer = bool(actor.roles & {Role.OFFICIAL, Role.ADMIN})
    if not is_writer or (Role.ADMIN not in actor.roles and actor.party is None):
        return [NotAuthorisedError]
    return []


def party_errors(actor: Actor, party: str) -> list[Error]:
    """`require_party`: an official acts for their own party only; an admin for any."""
    errors = writer_errors(actor)
    if not errors and Role.ADMIN not in actor.roles and actor.party != party:
        errors.append(NotYourPartyError)
    return errors


def one_of_errors(actor: Actor, parties: Iterable[str]) -> list[Error]:
    errors = writer_errors(actor)
    if not errors and Role.ADMIN not in actor.roles and actor.party not in set(parties):
        errors.append(NotYourPartyError)
    return errors


def own_party_errors(actor: Actor) -> list[Error]:
    """`acting_party()` with no party named: the token's own."""
    if actor.party is None:
        return [InvalidValueError]
    return party_errors(actor, actor.party)


# --- the machine ---------------------------------------------------------------------------


class ItemMachine(RuleBasedStateMachine, Generic[ItemT]):
    CHANGES: ClassVar[tuple[Change, ...]]
    #: (event type, field) pairs whose value may be null.
    OPTIONAL: ClassVar[frozenset[tuple[str, str]]] = frozenset()

    def __init__(self) -> None:
        super().__init__()
        self.clock = RECORDED_AT
        self.model = Model()
        self.events: list[Any] = []
        self.steps = 0
        self.item: ItemT

    # -- helpers for the rules of each aggregate

    def teardown(self) -> None:
        event(f"{self.steps // 10 * 10}+ commands, {len(self.events) // 5 * 5}+ accepted")

    def context(self, actor: Actor, effective_on: date | None = None) -> Context:
        self.clock += timedelta(hours=1)
        return Context(actor, recorded_at=self.clock, effective_on=effective_on)

    def created(self, item: ItemT, ctx: Context, data: dict[str, Any]) -> None:
        self.item = item
        self.events = list(item.collect_events())
        assert [e.originator_version for e in self.events] == [1]
        self.model.records[1] = Record(
            type(self.events[0]).__name__,
            data,
            ctx.effective_on or ctx.recorded_at.date(),
            ctx.actor.party,
        )

    def attempt(
        self,
        command: Callable[[ItemT, Context], None],
        ctx: Context,
        errors: list[Error],
        event_type: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> bool:
        """Run a command on the live item; refused exactly when the model finds `errors`."""
        if ctx.effective_on is not None and ctx.effective_on > ctx.recorded_at.date():
            errors = [*errors, InvalidValueError]
        self.steps += 1
        before = (self.item.state, self.item.version, list(self.item.entries))
        refusal: DomainError | None = None
        try:
            command(self.item, ctx)
        except DomainError as error:
            refusal = error
        if refusal is not None:
            event(f"refused: {type(refusal).__name__}")
            assert errors, f"a legal command was refused: {refusal!r}"
            assert isinstance(refusal, tuple(errors)), f"{refusal!r}, expected one of {errors}"
            assert self.item.pending_events == []
            assert (self.item.state, self.item.version, list(self.item.entries)) == before
            return False
        assert not errors, f"accepted a command that breaks {errors}"
        events = self.item.collect_events()
        event(f"accepted: {type(events[0]).__name__}")
        assert [e.originator_version for e in events] == [before[1] + 1]
        self.events.extend(events)
        if event_type is not None:
            assert type(events[0]).__name__ == event_type
            self.model.records[self.item.version] = Record(
                event_type,
                dict(data or {}),
                ctx.effective_on or ctx.recorded_at.date(),
                ctx.actor.party,
            )
        return True

    def live_errors(self) -> list[Error]:
        return [ItemRetractedError] if self.model.void else []

    def expected_state(self) -> Any:
        raise NotImplementedError

    def correction_errors(self, record: Record, change: Change) -> list[Error]:
        """Aggregate rules on a corrected value (date ranges, participants)."""
        return []

    # -- corrections and retractions, the same for every item

    def _target_errors(self, actor: Actor, target: int) -> list[Error]:
        record = self.model.records.get(target)
        if record is None:
            return [InvalidCorrectionError]
        errors: list[Error] = []
        if target in self.model.retracted or self.model.void:
            errors.append(EventAlreadyRetractedError)
        if Role.ADMIN not in actor.roles and actor.party != record.actor_party:
            errors.append(NotYourPartyError)
        return errors + writer_errors(actor)

    def _who(self, actor: Actor, by_recorder: bool, record: Record | None) -> Actor:
        """Half the time, the one who recorded the target (the usual case), else anyone."""
        if not by_recorder or record is None:
            return actor
        return ADMIN if record.actor_party is None else RECORDERS[record.actor_party]

    @rule(
        actor=actors,
        by_recorder=st.booleans(),
        version=versions,
        data=st.data(),
        effective_on=effective_dates,
    )
    def correct(
        self,
        actor: Actor,
        by_recorder: bool,
        version: int,
        data: st.DataObject,
        effective_on: date | None,
    ) -> None:
        record = self.model.records.get(version)
        actor = self._who(actor, by_recorder, record)
        candidates = self.CHANGES + COMMON_CHANGES
        fitting = tuple(
            c
            for c in candidates
            if record and (c.field in record.data or c.field == "effective_on")
        )
        change = data.draw(st.sampled_from(fitting or candidates) | st.sampled_from(candidates))
        errors = self._target_errors(actor, version)
        if record is not None:
            if change.field == "effective_on":
                valid = change.value is not INVALID
            else:
                valid = (
                    change.field in record.data
                    and change.field not in FIXED
                    and change.value is not INVALID
                    and (
                        change.value is not None
                        or (record.event_type, change.field) in self.OPTIONAL
                    )
                )
            errors += [] if valid else [InvalidCorrectionError]
            if valid and change.field != "effective_on":
                errors += self.correction_errors(record, change)
        done = self.attempt(
            lambda item, c: item.correct(version, {change.field: change.raw}, "data entry", c),
            self.context(actor, effective_on),
            errors,
        )
        if done and record is not None:
            assert type(self.events[-1]).__name__ == "Corrected"
            if change.field == "effective_on":
                record.effective_on = change.value
            else:
                record.data[change.field] = change.value

    @rule(
        actor=actors, by_recorder=st.booleans(), version=retractable, effective_on=effective_dates
    )
    def retract(
        self, actor: Actor, by_recorder: bool, version: int, effective_on: date | None
    ) -> None:
        actor = self._who(actor, by_recorder, self.model.records.get(version))
        errors = self._target_errors(actor, version)
        if self.attempt(
            lambda item, c: item.retract(version, "recorded by mistake", c),
            self.context(actor, effective_on),
            errors,
        ):
            assert type(self.events[-1]).__name__ == "Retracted"
            self.model.retracted.add(version)

    # -- invariants

    @invariant()
    def replay_equals_live(self) -> None:
        if not self.events:
            return
        rebuilt = replay(self.events)
        assert type(rebuilt) is type(self.item)
        assert rebuilt.state == self.item.state
        assert rebuilt.entries == self.item.entries
        assert rebuilt.version == self.item.version

    @invariant()
    def state_is_the_fold_of_the_view(self) -> None:
        if not self.events:
            return
        assert type(self.item).fold(view(self.item.entries).entries) == self.item.state

    @invariant()
    def state_equals_the_model(self) -> None:
        if not self.events:
            return
        assert written(self.item.state) == written(self.expected_state())
        assert self.item.void == self.model.void

    @invariant()
    def corrections_apply_to_the_entries(self) -> None:
        if not self.events:
            return
        seen = [
            (e.version, e.event_type, e.effective_on, e.payload) for e in self.item.view().entries
        ]
        expected = [
            (v, r.event_type, r.effective_on, r.data) for v, r in self.model.in_force_by_version()
        ]
        assert written(seen) == written(expected)
