"""The random command driver of the read-side property tests: commands of every kind through the
facade (refused ones too), and projection in random batches between them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

from domain.application.running import CommandResult, Meta
from domain.application.service import RoadmapLedger
from domain.model.errors import DomainError
from domain.model.history import CORRECTED, RETRACTED, Entry
from domain.model.kinds import COLLECTIONS
from domain.model.values import (
    ConsultationKind,
    ExchangeCategory,
    Marking,
    PledgeKind,
    Quantity,
    ReformResult,
)
from projections.runtime.runner import Runner
from tests.factories import (
    ADMIN,
    AUDITOR,
    CA_OFFICIAL,
    FR_OFFICIAL,
    PRIORITIES,
    PRIORITY_CODES,
    US_OFFICIAL,
    adopt_france_canada,
)

#: The property tests' settings: fewer runs than the profile's (every run builds a store from
#: scratch), a fresh store per run (so the function-scoped fixtures only name the backend), and no
#: shrinking — a run costs up to a second, and shrinking one of hundreds of draws outlasts the
#: test timeout; a failure is reported as drawn, with `differences` saying where.
PROPERTY = settings(
    max_examples=min(settings().max_examples, 20),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)


#: Effective dates that often coincide, so that segments meet and split on the same days.
KNOWN_DAYS = (
    date(2016, 1, 15),
    date(2016, 8, 26),
    date(2016, 9, 1),
    date(2016, 10, 13),
    date(2016, 10, 27),
    date(2017, 1, 1),
    date(2020, 6, 30),
)


def today() -> date:
    return datetime.now(UTC).date()


def past_days() -> st.SearchStrategy[date]:
    return st.sampled_from(KNOWN_DAYS) | st.dates(date(2016, 1, 1), today())


def effective_dates() -> st.SearchStrategy[date | None]:
    """Mostly the recording day or a backdated day; rarely a future one (refused)."""
    return st.sampled_from(("future", *("today",) * 4, *("past",) * 4)).flatmap(
        lambda kind: {
            "future": st.just(today() + timedelta(days=400)),
            "today": st.none(),
            "past": past_days(),
        }[kind]
    )


#: Anyone at all: refused more often than not, unless an admin.
ACTORS = (FR_OFFICIAL, CA_OFFICIAL, ADMIN, ADMIN, US_OFFICIAL, AUDITOR)
OFFICIALS = {"FR": FR_OFFICIAL, "CA": CA_OFFICIAL, "US": US_OFFICIAL}
PARTIES = ("FR", "CA", "FR", "CA", "FR", "CA", "US")
PARTY_FIELDS = ("party", "host_party", "from_party", "to_party", "sponsors", "co_chairs")
priorities = st.lists(
    st.sampled_from((*PRIORITY_CODES, *PRIORITY_CODES, "unknown-priority")),
    min_size=1,
    max_size=2,
    unique=True,
)
amounts = st.integers(0, 900).map(Decimal)


def _text(prefix: str) -> st.SearchStrategy[str]:
    return st.sampled_from((f"{prefix} A", f"{prefix} B", f"{prefix} — é"))


def _day_text() -> st.SearchStrategy[str]:
    return past_days().map(date.isoformat)


Change = tuple[str, st.SearchStrategy[dict[str, Any]]]


def _change(name: str, values: st.SearchStrategy[Any]) -> Change:
    """A correction of one field: the field's name, and the `changes` it draws."""
    return name, values.map(lambda value: {name: value})


_DATES_CHANGE: Change = (
    "starts_on",
    st.tuples(past_days(), st.integers(0, 3)).map(
        lambda t: {
            "starts_on": t[0].isoformat(),
            "ends_on": (t[0] + timedelta(days=t[1])).isoformat(),
        }
    ),
)
_QUANTITIES = amounts.map(lambda a: {"amount": str(a), "unit": "personnel"})

#: Candidate corrections by collection (a field the target event lacks is refused).
CORRECTIONS: dict[str, tuple[Change, ...]] = {
    "roadmaps": (
        _change("title", _text("Roadmap")),
        _change("summary", _text("Summary")),
        _change("adopted_on", _day_text()),
    ),
    "pledges": (
        _change("title", _text("Pledge")),
        _change("quantity", _QUANTITIES),
        _change("delivered", _QUANTITIES),
        _change("beneficiary", st.sampled_from(("MINUSCA", None))),
        _change("due_on", _day_text()),
        _change("priorities", priorities),
    ),
    "consultations": (
        _change("title", _text("Conference")),
        _change("location", st.sampled_from(("Ottawa", "Paris"))),
        _DATES_CHANGE,
        _change("summary", _text("Summary")),
    ),
    "decisions": (
        _change("text", _text("Decision")),
        _change("priorities", priorities),
    ),
    "exchanges": (
        _change("participants", st.integers(0, 12)),
        _change("title", _text("Exchange")),
        _DATES_CHANGE,
    ),
    "reform-proposals": (
        _change("title", _text("Reform")),
        _change("forum", st.sampled_from(("General Assembly", "C-34"))),
        _change("summary", _text("Summary")),
    ),
    "assessments": (
        _change("title", _text("Assessment")),
        _change("subject", st.sampled_from(("MINUSMA", "Mali", "Women, peace and security"))),
        _change("marking", st.sampled_from(("unclassified", "restricted"))),
        _change("shared_on", _day_text()),
        _change("priorities", priorities),
    ),
}
_EFFECTIVE_CHANGE = past_days().map(lambda d: {"effective_on": d.isoformat()})


@dataclass
class Scenario:
    """Random commands through the facade; refused ones (a DomainError) record nothing."""

    app: RoadmapLedger
    draw: Callable[[st.SearchStrategy[Any]], Any]
    ids: dict[str, list[UUID]] = field(default_factory=lambda: {c: [] for c in COLLECTIONS})
    #: Items of one kind at most: beyond, a creation changes an item instead, so that items
    #: have long histories.
    limit: int = 2
    #: The operations drawn from, a name as often as it is listed.
    operations: tuple[str, ...] = ()
    accepted: int = 0
    refused: int = 0

    def start(self) -> CommandResult:
        result = adopt_france_canada(self.app, meta=Meta(effective_on=date(2016, 10, 13)))
        self.ids["roadmaps"].append(result.id)
        self.accepted += 1
        return result

    def step(self) -> CommandResult | None:
        """One random command; its result, or None when the rules refused it."""
        name = self.draw(st.sampled_from(self.operations or OPERATIONS))
        collection, change = CREATIONS.get(name, ("", name))
        if collection and len(self.ids[collection]) >= self.limit:
            name = change
        operation: Callable[[], CommandResult | None] = getattr(self, f"_{name}")
        try:
            result = operation()
        except DomainError:
            self.refused += 1
            return None
        if result is not None:
            self.accepted += 1
            if result.created:
                collection = next(
                    c for c, cls in COLLECTIONS.items() if type(self._load(result.id)) is cls
                )
                if result.id not in self.ids[collection]:
                    self.ids[collection].append(result.id)
        return result

    def all_ids(self) -> Iterator[tuple[str, UUID]]:
        for collection, ids in self.ids.items():
            for item_id in ids:
                yield collection, item_id

    # -- helpers

    def _load(self, item_id: UUID) -> Any:
        return self.app.repository.get(item_id)

    def _meta(self) -> Meta:
        return Meta(effective_on=self.draw(effective_dates()))

    def _actor(self, *parties: str | None) -> Any:
        """Mostly an official of one of `parties` (who may act), else anyone."""
        officials = [OFFICIALS[p] for p in parties if p in OFFICIALS]
        if officials and self.draw(st.integers(0, 3)) > 0:
            return self.draw(st.sampled_from(officials))
        return self.draw(st.sampled_from(ACTORS))

    def _actor_of(self, item_id: UUID) -> Any:
        """Mostly an official of a party the item names."""
        state = self._load(item_id).state
        parties: list[str] = []
        for name in PARTY_FIELDS:
            value = getattr(state, name, None)
            parties.extend(value if isinstance(value, tuple) else [value] if value else [])
        parties.extend(getattr(state, "parties", ()))
        return self._actor(*parties)

    def _recorder_of(self, item_id: UUID, version: int) -> Any:
        """Mostly the party that recorded that version (who may correct it)."""
        entries = self._load(item_id).entries
        party = entries[version - 1].actor_party if version <= len(entries) else None
        return self._actor(party)

    def _pick(self, collection: str) -> UUID | None:
        ids = self.ids[collection]
        return self.draw(st.sampled_from(ids)) if ids else None

    def _roadmap(self) -> UUID:
        roadmap: UUID = self.draw(st.sampled_from(self.ids["roadmaps"]))
        return roadmap

    def _dates(self) -> tuple[date, date]:
        start = self.draw(past_days())
        return start, start + timedelta(days=self.draw(st.integers(0, 3)))

    # -- creations

    def _adopt(self) -> CommandResult | None:
        if len(self.ids["roadmaps"]) >= 2:
            return self._pledge()
        return self.app.adopt_roadmap(
            self._actor("FR", "CA"),
            title=self.draw(_text("Roadmap")),
            parties=["FR", "CA"],
            adopted_on=self.draw(past_days()),
            priorities=list(PRIORITIES),
            meta=self._meta(),
        )

    def _pledge(self) -> CommandResult:
        party = self.draw(st.sampled_from(PARTIES))
        return self.app.make_pledge(
            self._actor(party),
            self._roadmap(),
            party=party,
            title=self.draw(_text("Pledge")),
            kind=self.draw(st.sampled_from(PledgeKind)),
            quantity=Quantity(self.draw(amounts), "personnel"),
            priorities=self.draw(priorities),
            beneficiary=self.draw(st.sampled_from((None, "MINUSMA"))),
            due_on=self.draw(st.none() | past_days()),
            meta=self._meta(),
        )

    def _schedule(self) -> CommandResult:
        starts, ends = self._dates()
        host = self.draw(st.sampled_from(PARTIES))
        return self.app.schedule_consultation(
            self._actor(host),
            self._roadmap(),
            kind=self.draw(st.sampled_from(ConsultationKind)),
            title=self.draw(_text("Conference")),
            host_party=host,
            location="Paris",
            starts_on=starts,
            ends_on=ends,
            priorities=self.draw(priorities),
            meta=self._meta(),
        )

    def _exchange(self) -> CommandResult:
        starts, ends = self._dates()
        from_party = self.draw(st.sampled_from(PARTIES))
        return self.app.propose_exchange(
            self._actor(from_party),
            self._roadmap(),
            category=self.draw(st.sampled_from(ExchangeCategory)),
            from_party=from_party,
            to_party="CA" if from_party == "FR" else "FR",
            participants=self.draw(st.integers(0, 8)),
            starts_on=starts,
            ends_on=ends,
            title=self.draw(_text("Exchange")),
            meta=self._meta(),
        )

    def _reform(self) -> CommandResult:
        party = self.draw(st.sampled_from((None, "FR", "CA")))
        return self.app.propose_reform(
            self._actor(party or "FR", party or "CA"),
            self._roadmap(),
            title=self.draw(_text("Reform")),
            forum="C-34",
            summary="More French-speaking personnel",
            priorities=self.draw(priorities),
            party=party,
            meta=self._meta(),
        )

    def _assessment(self) -> CommandResult:
        from_party = self.draw(st.sampled_from(PARTIES))
        return self.app.share_assessment(
            self._actor(from_party),
            self._roadmap(),
            from_party=from_party,
            to_party="CA" if from_party == "FR" else "FR",
            title=self.draw(_text("Assessment")),
            subject="MINUSMA",
            priorities=self.draw(priorities),
            summary="Situation analysis",
            marking=self.draw(st.sampled_from(Marking)),
            shared_on=self.draw(past_days()),
            meta=self._meta(),
        )

    # -- changes (each falls back to a creation when there is nothing to change yet)

    def _pledge_change(self) -> CommandResult | None:
        pledge = self._pick("pledges")
        if pledge is None:
            return self._pledge()
        actor, meta = self._actor_of(pledge), self._meta()
        match self.draw(st.sampled_from(("revise", "progress", "progress", "fulfil", "withdraw"))):
            case "revise":
                quantity = self.draw(st.none() | amounts.map(lambda a: Quantity(a, "personnel")))
                title = self.draw(st.none() | _text("Revised"))
                return self.app.revise_pledge(
                    actor, pledge, quantity=quantity, title=title, reason="cabinet", meta=meta
                )
            case "progress":
                delivered = Quantity(self.draw(amounts), "personnel")
                return self.app.report_pledge_progress(
                    actor, pledge, delivered=delivered, meta=meta
                )
            case "fulfil":  # with or without a reason: short of the pledge, one is needed
                reason = self.draw(st.sampled_from([None, "The mission closed early"]))
                return self.app.fulfil_pledge(actor, pledge, reason=reason, meta=meta)
            case _:
                return self.app.withdraw_pledge(actor, pledge, reason="budget", meta=meta)

    def _consultation_change(self) -> CommandResult | None:  # noqa: PLR0911 - a return a command
        consultation = self._pick("consultations")
        if consultation is None:
            return self._schedule()
        actor, meta = self._actor_of(consultation), self._meta()
        action = self.draw(
            st.sampled_from(
                ("invite", "accept", "reschedule", "hold", "cancel", "decide", "decide")
            )
        )
        match action:
            case "invite":
                party = self.draw(st.sampled_from(PARTIES))
                return self.app.invite_co_chair(actor, consultation, party=party, meta=meta)
            case "accept":
                return self.app.accept_co_chair(actor, consultation, meta=meta)
            case "reschedule":
                starts, ends = self._dates()
                return self.app.reschedule_consultation(
                    actor, consultation, starts_on=starts, ends_on=ends, reason="x", meta=meta
                )
            case "hold":
                return self.app.hold_consultation(actor, consultation, summary="met", meta=meta)
            case "cancel":
                return self.app.cancel_consultation(actor, consultation, reason="x", meta=meta)
            case _:
                return self.app.record_decision(
                    actor,
                    consultation,
                    text=self.draw(_text("Decision")),
                    priorities=self.draw(priorities),
                    meta=meta,
                )

    def _endorse(self) -> CommandResult | None:
        decision = self._pick("decisions")
        if decision is None:
            return self._consultation_change()
        return self.app.endorse_decision(self._actor_of(decision), decision, meta=self._meta())

    def _exchange_change(self) -> CommandResult | None:
        exchange = self._pick("exchanges")
        if exchange is None:
            return self._exchange()
        actor, meta = self._actor_of(exchange), self._meta()
        match self.draw(st.sampled_from(("agree", "start", "complete", "cancel"))):
            case "agree":
                return self.app.agree_exchange(actor, exchange, meta=meta)
            case "start":
                return self.app.start_exchange(actor, exchange, meta=meta)
            case "complete":
                return self.app.complete_exchange(actor, exchange, meta=meta)
            case _:
                return self.app.cancel_exchange(actor, exchange, reason="x", meta=meta)

    def _reform_change(self) -> CommandResult | None:
        proposal = self._pick("reform-proposals")
        if proposal is None:
            return self._reform()
        actor, meta = self._actor_of(proposal), self._meta()
        match self.draw(st.sampled_from(("cosponsor", "submit", "outcome", "withdraw"))):
            case "cosponsor":
                return self.app.cosponsor_reform(actor, proposal, meta=meta)
            case "submit":
                forum = self.draw(st.none() | st.just("General Assembly"))
                return self.app.submit_reform(actor, proposal, forum=forum, meta=meta)
            case "outcome":
                result = self.draw(st.sampled_from(ReformResult))
                return self.app.record_reform_outcome(actor, proposal, result=result, meta=meta)
            case _:
                return self.app.withdraw_reform(actor, proposal, reason="x", meta=meta)

    def _assessment_change(self) -> CommandResult | None:
        assessment = self._pick("assessments")
        if assessment is None:
            return self._assessment()
        actor, meta = self._actor_of(assessment), self._meta()
        match self.draw(st.sampled_from(("acknowledge", "supersede", "withdraw"))):
            case "acknowledge":
                return self.app.acknowledge_assessment(actor, assessment, meta=meta)
            case "supersede":
                by = self.draw(st.sampled_from(self.ids["assessments"]))
                return self.app.supersede_assessment(actor, assessment, by=by, meta=meta)
            case _:
                return self.app.withdraw_assessment(actor, assessment, reason="x", meta=meta)

    # -- corrections and retractions, of any item (the roadmap too)

    def _target(self) -> tuple[str, UUID]:
        """Any item, those with longer histories more often; a roadmap less often (retracting
        its adoption ends most commands)."""
        weighted = [
            (collection, item_id)
            for collection, item_id in self.all_ids()
            for _ in range(1 if collection == "roadmaps" else len(self._load(item_id).entries) ** 2)
        ]
        found: tuple[str, UUID] = self.draw(st.sampled_from(weighted))
        return found

    def _version(self, item_id: UUID, *, creation: int = 1) -> tuple[int, Entry | None]:
        """Mostly an event that may be corrected or retracted (the creation `creation` times
        as often as another); sometimes any version."""
        entries = self._load(item_id).entries
        correctable = [e.version for e in entries if e.event_type not in (CORRECTED, RETRACTED)]
        candidates = [len(entries) + 1, *[1] * (creation - 1), *correctable * 4]
        version: int = self.draw(st.sampled_from(candidates))
        return version, entries[version - 1] if version <= len(entries) else None

    def _correct(self) -> CommandResult:
        """Mostly a field the target event has, or its effective date; sometimes not."""
        collection, item_id = self._target()
        version, entry = self._version(item_id, creation=4)
        payload = {} if entry is None else entry.payload
        candidates = CORRECTIONS[collection]
        fitting = [c for name, c in candidates if name in payload] or [_EFFECTIVE_CHANGE]
        changes = self.draw(
            st.one_of(
                st.one_of(fitting),
                st.one_of(fitting),
                st.one_of([c for _, c in candidates]),
                _EFFECTIVE_CHANGE,
                _EFFECTIVE_CHANGE,
                _EFFECTIVE_CHANGE,
            )
        )
        return self.app.correct(
            self._recorder_of(item_id, version),
            COLLECTIONS[collection],
            item_id,
            target_version=version,
            changes=changes,
            reason="data entry",
            meta=self._meta(),
        )

    def _retract(self) -> CommandResult:
        collection, item_id = self._target()
        if collection == "roadmaps" and self.draw(st.integers(0, 3)) > 0:
            collection, item_id = self._target()
        version, _ = self._version(item_id)
        return self.app.retract(
            self._recorder_of(item_id, version),
            COLLECTIONS[collection],
            item_id,
            target_version=version,
            reason="recorded by mistake",
            meta=self._meta(),
        )


#: Operation names and their weights (a name twice: twice as likely).
OPERATIONS = (
    "adopt",
    "pledge",
    "schedule",
    "exchange",
    "reform",
    "assessment",
    *("pledge_change",) * 3,
    *("consultation_change",) * 3,
    "endorse",
    *("exchange_change",) * 3,
    *("reform_change",) * 3,
    *("assessment_change",) * 3,
    *("correct",) * 5,
    *("retract",) * 2,
)

#: Creations, their collection and the change done instead once there are enough items.
CREATIONS = {
    "pledge": ("pledges", "pledge_change"),
    "schedule": ("consultations", "consultation_change"),
    "exchange": ("exchanges", "exchange_change"),
    "reform": ("reform-proposals", "reform_change"),
    "assessment": ("assessments", "assessment_change"),
}


def project_some(
    runner: Runner, draw: Callable[[st.SearchStrategy[Any]], Any], restart: Callable[[], Runner]
) -> Runner:
    """Between two commands: nothing, a batch or a few, a catch-up, or a restart (`restart()`: a
    runner with nothing cached), in small random batches. Answers the runner to go on with."""
    action = draw(
        st.sampled_from(("nothing", "nothing", "batch", "batches", "catch-up", "restart"))
    )
    if action == "restart":
        runner = restart()
    runner.batch_size = draw(st.integers(1, 6))
    match action:
        case "batch":
            runner.run_once()
        case "batches" | "restart":
            for _ in range(draw(st.integers(2, 4))):
                runner.run_once()
        case "catch-up":
            runner.catch_up()
        case _:
            pass
    return runner
