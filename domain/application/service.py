"""The application service: every command of the contract, and the queries commands need.

Each command loads what it needs, calls one aggregate method, and saves — `_create` and
`_change` say that once; `CommandRunner` (running.py) adds idempotency and retries around it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any, TypeVar, cast
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import Recording, Transcoder

from domain.application.queries import state_at
from domain.application.running import NO_META, CommandResult, CommandRunner, Meta
from domain.model.assessment import Assessment, AssessmentState
from domain.model.consultation import Consultation
from domain.model.decision import Decision
from domain.model.errors import NotFoundError, StaleVersionError, UnknownAssessmentError
from domain.model.exchange import Exchange
from domain.model.item import Item
from domain.model.kinds import noun_of
from domain.model.pledge import Pledge
from domain.model.public import item_public
from domain.model.reform import ReformProposal
from domain.model.roadmap import Roadmap, RoadmapState
from domain.model.texts import TextInput
from domain.model.values import (
    Actor,
    ConsultationKind,
    Context,
    ExchangeCategory,
    Marking,
    PledgeKind,
    Priority,
    Quantity,
    ReformResult,
)
from domain.storage import (
    Availability,
    Failure,
    IdempotencyRecord,
    LedgerRecorder,
    StoreFullError,
    StoreUnavailableError,
    describe,
    failure_of,
    persistence_env,
    topics_of,
)
from domain.storage.transcoding import LedgerTranscoder

ItemT = TypeVar("ItemT", bound=Item)

#: What the layers above need to tell a database outage or a full disk from other failures.
__all__ = [
    "Availability",
    "Failure",
    "RoadmapLedger",
    "StoreFullError",
    "StoreUnavailableError",
    "describe",
    "failure_of",
]


def check_database_url(database_url: str) -> None:
    """Raises ValueError naming what is wrong with a ROADMAP_DATABASE_URL, as start-up would."""
    persistence_env(database_url)


def utc_now() -> datetime:
    return datetime.now(UTC)


class RoadmapLedger(Application[UUID]):
    """The record of roadmaps: commands by kind of item, then queries."""

    name = "RoadmapLedger"

    def __init__(
        self,
        database_url: str,
        *,
        retries: int = 5,
        clock: Callable[[], datetime] = utc_now,
        env: dict[str, str] | None = None,
    ) -> None:
        cache = {
            # Commands load their item from memory and read only its newer events (any
            # process may have written them); a command works on a copy, never the cached one.
            "AGGREGATE_CACHE_MAXSIZE": "5000",
            "AGGREGATE_CACHE_FASTFORWARD": "y",
            "DEEPCOPY_FROM_AGGREGATE_CACHE": "y",
        }
        super().__init__(env={**persistence_env(database_url), **cache, **(env or {})})
        self.database_url = database_url
        self.commands = CommandRunner(self, retries, clock)
        self.saved = threading.Condition()
        self.saves = 0

    def construct_transcoder(self) -> Transcoder:
        return LedgerTranscoder()

    @property
    def ledger_recorder(self) -> LedgerRecorder:
        return cast(LedgerRecorder, self.recorder)

    @property
    def availability(self) -> Availability:
        """Whether the database answers and takes writes, as this process last found it."""
        return self.ledger_recorder.availability

    def write_probe(self) -> None:
        """One small write: raises StoreFullError while the disk is full."""
        self.ledger_recorder.write_probe()

    def _notify(self, recordings: list[Recording[UUID]]) -> None:
        """Wakes in-process readers of the log (the embedded projection runner)."""
        super()._notify(recordings)
        with self.saved:
            self.saves += 1
            self.saved.notify_all()

    # --- what the command runner needs (running.CommandStore) ----------------------------

    def record(
        self, item: Item, aggregates: Sequence[Item], idempotency: IdempotencyRecord | None
    ) -> int:
        recordings = self.save(*aggregates, idempotency=idempotency)
        return max(r.notification.id for r in recordings if r.domain_event.originator_id == item.id)

    def exists(self, item_id: UUID) -> bool:
        return item_id in self.repository

    def find_idempotency(self, subject: str, key: str) -> IdempotencyRecord | None:
        return self.ledger_recorder.find_idempotency(subject, key)

    def position_of(self, originator_id: UUID, version: int) -> int | None:
        return self.ledger_recorder.position_of(originator_id, version)

    # --- load, call, save ----------------------------------------------------------------

    def load(self, cls: type[ItemT], item_id: UUID, expected_version: int | None = None) -> ItemT:
        try:
            item: object = self.repository.get(item_id)
        except AggregateNotFoundError:
            raise NotFoundError(f"no {noun_of(cls)} {item_id}") from None
        if not isinstance(item, cls):
            raise NotFoundError(f"no {noun_of(cls)} {item_id}")
        if expected_version is not None and item.version != expected_version:
            msg = f"{noun_of(cls)} {item_id} is at version {item.version}, not {expected_version}"
            raise StaleVersionError(msg, current_version=item.version)
        return item

    def _roadmap(self, roadmap_id: UUID) -> RoadmapState:
        roadmap = self.load(Roadmap, roadmap_id)
        roadmap.require_live()
        state: RoadmapState = roadmap.state
        return state

    def _create(
        self, actor: Actor, meta: Meta, build: Callable[[UUID, Context], Item]
    ) -> CommandResult:
        new_id = uuid4()

        def step(ctx: Context) -> tuple[Item, list[Item]]:
            item = build(new_id, ctx)
            return item, [item]

        return self.commands.run(actor, meta, step, creates=True)

    def _change(
        self,
        cls: type[ItemT],
        item_id: UUID,
        actor: Actor,
        meta: Meta,
        change: Callable[[ItemT, Context], None],
    ) -> CommandResult:
        def step(ctx: Context) -> tuple[Item, list[Item]]:
            item = self.load(cls, item_id, meta.expected_version)
            change(item, ctx.after(item.modified_on))
            return item, [item]

        return self.commands.run(actor, meta, step, creates=False)

    # --- roadmaps ------------------------------------------------------------------------

    def adopt_roadmap(
        self,
        actor: Actor,
        *,
        title: TextInput,
        parties: list[str],
        adopted_on: date,
        priorities: list[Priority],
        summary: TextInput | None = None,
        meta: Meta = NO_META,
        roadmap_id: UUID | None = None,
    ) -> CommandResult:
        new_id = roadmap_id or uuid4()

        def step(ctx: Context) -> tuple[Item, list[Item]]:
            roadmap = Roadmap.adopt(
                new_id,
                title=title,
                parties=parties,
                adopted_on=adopted_on,
                priorities=priorities,
                summary=summary,
                ctx=ctx,
            )
            return roadmap, [roadmap]

        return self.commands.run(actor, meta, step, creates=True)

    # --- pledges -------------------------------------------------------------------------

    def make_pledge(
        self,
        actor: Actor,
        roadmap_id: UUID,
        *,
        party: str,
        title: TextInput,
        kind: PledgeKind,
        quantity: Quantity,
        priorities: list[str],
        beneficiary: str | None = None,
        due_on: date | None = None,
        meta: Meta = NO_META,
    ) -> CommandResult:
        roadmap = self._roadmap(roadmap_id)
        return self._create(
            actor,
            meta,
            lambda new_id, ctx: Pledge.make(
                new_id,
                roadmap_id,
                roadmap,
                party=party,
                title=title,
                kind=kind,
                quantity=quantity,
                priorities=priorities,
                beneficiary=beneficiary,
                due_on=due_on,
                ctx=ctx,
            ),
        )

    def revise_pledge(
        self,
        actor: Actor,
        pledge_id: UUID,
        *,
        quantity: Quantity | None,
        title: TextInput | None,
        reason: TextInput,
        meta: Meta = NO_META,
    ) -> CommandResult:
        return self._change(
            Pledge,
            pledge_id,
            actor,
            meta,
            lambda p, ctx: p.revise(quantity=quantity, title=title, reason=reason, ctx=ctx),
        )

    def report_pledge_progress(
        self, actor: Actor, pledge_id: UUID, *, delivered: Quantity, meta: Meta = NO_META
    ) -> CommandResult:
        return self._change(
            Pledge,
            pledge_id,
            actor,
            meta,
            lambda p, ctx: p.report_progress(delivered=delivered, ctx=ctx),
        )

    def fulfil_pledge(
        self,
        actor: Actor,
        pledge_id: UUID,
        *,
        reason: TextInput | None = None,
        meta: Meta = NO_META,
    ) -> CommandResult:
        return self._change(
            Pledge, pledge_id, actor, meta, lambda p, ctx: p.fulfil(reason=reason, ctx=ctx)
        )

    def withdraw_pledge(
        self, actor: Actor, pledge_id: UUID, *, reason: TextInput, meta: Meta = NO_META
    ) -> CommandResult:
        return self._change(
            Pledge, pledge_id, actor, meta, lambda p, ctx: p.withdraw(reason=reason, ctx=ctx)
        )

    # --- consultations and their decisions -----------------------------------------------

    def schedule_consultation(
        self,
        actor: Actor,
        roadmap_id: UUID,
        *,
        kind: ConsultationKind,
        title: TextInput,
        host_party: str,
        location: TextInput,
        starts_on: date,
        ends_on: date,
        priorities: list[str],
        meta: Meta = NO_META,
    ) -> CommandResult:
        roadmap = self._roadmap(roadmap_id)
        return self._create(
            actor,
            meta,
            lambda new_id, ctx: Consultation.schedule(
                new_id,
                roadmap_id,
                roadmap,
                kind=kind,
                title=title,
                host_party=host_party,
                location=location,
                starts_on=starts_on,
                ends_on=ends_on,
                priorities=priorities,
                ctx=ctx,
            ),
        )

    def invite_co_chair(
        self, actor: Actor, consultation_id: UUID, *, party: str, meta: Meta = NO_META
    ) -> CommandResult:
        def change(c: Consultation, ctx: Context) -> None:
            c.invite_co_chair(party=party, roadmap=self._roadmap(c.state.roadmap_id), ctx=ctx)

        return self._change(Consultation, consultation_id, actor, meta, change)

    def accept_co_chair(
        self, actor: Actor, consultation_id: UUID, *, meta: Meta = NO_META
    ) -> CommandResult:
        return self._change(
            Consultation, consultation_id, actor, meta, lambda c, ctx: c.accept_co_chair(ctx=ctx)
        )

    def reschedule_consultation(
        self,
        actor: Actor,
        consultation_id: UUID,
        *,
        starts_on: date,
        ends_on: date,
        reason: TextInput,
        meta: Meta = NO_META,
    ) -> CommandResult:
        return self._change(
            Consultation,
            consultation_id,
            actor,
            meta,
            lambda c, ctx: c.reschedule(
                starts_on=starts_on, ends_on=ends_on, reason=reason, ctx=ctx
            ),
        )

    def hold_consultation(
        self, actor: Actor, consultation_id: UUID, *, summary: TextInput, meta: Meta = NO_META
    ) -> CommandResult:
        return self._change(
            Consultation,
            consultation_id,
            actor,
            meta,
            lambda c, ctx: c.hold(summary=summary, ctx=ctx),
        )

    def cancel_consultation(
        self, actor: Actor, consultation_id: UUID, *, reason: TextInput, meta: Meta = NO_META
    ) -> CommandResult:
        return self._change(
            Consultation,
            consultation_id,
            actor,
            meta,
            lambda c, ctx: c.cancel(reason=reason, ctx=ctx),
        )

    def record_decision(
        self,
        actor: Actor,
        consultation_id: UUID,
        *,
        text: TextInput,
        priorities: list[str],
        meta: Meta = NO_META,
    ) -> CommandResult:
        """Two aggregates in one save: the new decision, and its consultation noting it."""
        decision_id = uuid4()

        def step(ctx: Context) -> tuple[Item, list[Item]]:
            consultation = self.load(Consultation, consultation_id, meta.expected_version)
            ctx = ctx.after(consultation.modified_on)
            roadmap_id = consultation.state.roadmap_id
            decision = Decision.record(
                decision_id,
                roadmap_id,
                self._roadmap(roadmap_id),
                consultation_id,
                text_=text,
                priorities=priorities,
                ctx=ctx,
            )
            consultation.note_decision(decision_id=decision_id, ctx=ctx)
            return decision, [consultation, decision]

        return self.commands.run(actor, meta, step, creates=True)

    def endorse_decision(
        self, actor: Actor, decision_id: UUID, *, meta: Meta = NO_META
    ) -> CommandResult:
        return self._change(Decision, decision_id, actor, meta, lambda d, ctx: d.endorse(ctx=ctx))

    # --- exchanges -----------------------------------------------------------------------

    def propose_exchange(
        self,
        actor: Actor,
        roadmap_id: UUID,
        *,
        category: ExchangeCategory,
        from_party: str,
        to_party: str,
        participants: int,
        starts_on: date,
        ends_on: date,
        title: TextInput,
        meta: Meta = NO_META,
    ) -> CommandResult:
        roadmap = self._roadmap(roadmap_id)
        return self._create(
            actor,
            meta,
            lambda new_id, ctx: Exchange.propose(
                new_id,
                roadmap_id,
                roadmap,
                category=category,
                from_party=from_party,
                to_party=to_party,
                participants=participants,
                starts_on=starts_on,
                ends_on=ends_on,
                title=title,
                ctx=ctx,
            ),
        )

    def agree_exchange(
        self, actor: Actor, exchange_id: UUID, *, meta: Meta = NO_META
    ) -> CommandResult:
        return self._change(Exchange, exchange_id, actor, meta, lambda e, ctx: e.agree(ctx=ctx))

    def start_exchange(
        self, actor: Actor, exchange_id: UUID, *, meta: Meta = NO_META
    ) -> CommandResult:
        return self._change(Exchange, exchange_id, actor, meta, lambda e, ctx: e.start(ctx=ctx))

    def complete_exchange(
        self, actor: Actor, exchange_id: UUID, *, meta: Meta = NO_META
    ) -> CommandResult:
        return self._change(Exchange, exchange_id, actor, meta, lambda e, ctx: e.complete(ctx=ctx))

    def cancel_exchange(
        self, actor: Actor, exchange_id: UUID, *, reason: TextInput, meta: Meta = NO_META
    ) -> CommandResult:
        return self._change(
            Exchange, exchange_id, actor, meta, lambda e, ctx: e.cancel(reason=reason, ctx=ctx)
        )

    # --- reform proposals ----------------------------------------------------------------

    def propose_reform(
        self,
        actor: Actor,
        roadmap_id: UUID,
        *,
        title: TextInput,
        forum: str,
        summary: TextInput,
        priorities: list[str],
        party: str | None = None,
        meta: Meta = NO_META,
    ) -> CommandResult:
        roadmap = self._roadmap(roadmap_id)
        return self._create(
            actor,
            meta,
            lambda new_id, ctx: ReformProposal.propose(
                new_id,
                roadmap_id,
                roadmap,
                party=party,
                title=title,
                forum=forum,
                summary=summary,
                priorities=priorities,
                ctx=ctx,
            ),
        )

    def cosponsor_reform(
        self, actor: Actor, proposal_id: UUID, *, meta: Meta = NO_META
    ) -> CommandResult:
        def change(r: ReformProposal, ctx: Context) -> None:
            r.cosponsor(roadmap=self._roadmap(r.state.roadmap_id), ctx=ctx)

        return self._change(ReformProposal, proposal_id, actor, meta, change)

    def submit_reform(
        self, actor: Actor, proposal_id: UUID, *, forum: str | None = None, meta: Meta = NO_META
    ) -> CommandResult:
        return self._change(
            ReformProposal, proposal_id, actor, meta, lambda r, ctx: r.submit(forum=forum, ctx=ctx)
        )

    def record_reform_outcome(
        self, actor: Actor, proposal_id: UUID, *, result: ReformResult, meta: Meta = NO_META
    ) -> CommandResult:
        return self._change(
            ReformProposal,
            proposal_id,
            actor,
            meta,
            lambda r, ctx: r.record_outcome(result=result, ctx=ctx),
        )

    def withdraw_reform(
        self, actor: Actor, proposal_id: UUID, *, reason: TextInput, meta: Meta = NO_META
    ) -> CommandResult:
        return self._change(
            ReformProposal,
            proposal_id,
            actor,
            meta,
            lambda r, ctx: r.withdraw(reason=reason, ctx=ctx),
        )

    # --- assessments --------------------------------------------------------------------

    def share_assessment(
        self,
        actor: Actor,
        roadmap_id: UUID,
        *,
        from_party: str,
        to_party: str,
        title: TextInput,
        subject: TextInput,
        priorities: list[str],
        summary: TextInput,
        marking: Marking,
        shared_on: date,
        meta: Meta = NO_META,
    ) -> CommandResult:
        roadmap = self._roadmap(roadmap_id)
        return self._create(
            actor,
            meta,
            lambda new_id, ctx: Assessment.share(
                new_id,
                roadmap_id,
                roadmap,
                from_party=from_party,
                to_party=to_party,
                title=title,
                subject=subject,
                priorities=priorities,
                summary=summary,
                marking=marking,
                shared_on=shared_on,
                ctx=ctx,
            ),
        )

    def acknowledge_assessment(
        self, actor: Actor, assessment_id: UUID, *, meta: Meta = NO_META
    ) -> CommandResult:
        return self._change(
            Assessment, assessment_id, actor, meta, lambda a, ctx: a.acknowledge(ctx=ctx)
        )

    def supersede_assessment(
        self,
        actor: Actor,
        assessment_id: UUID,
        *,
        by: UUID,
        meta: Meta = NO_META,
    ) -> CommandResult:
        def change(a: Assessment, ctx: Context) -> None:
            a.supersede(by=by, newer=self._newer_assessment(by), ctx=ctx)

        return self._change(Assessment, assessment_id, actor, meta, change)

    def withdraw_assessment(
        self,
        actor: Actor,
        assessment_id: UUID,
        *,
        reason: TextInput,
        meta: Meta = NO_META,
    ) -> CommandResult:
        return self._change(
            Assessment,
            assessment_id,
            actor,
            meta,
            lambda a, ctx: a.withdraw(reason=reason, ctx=ctx),
        )

    def _newer_assessment(self, assessment_id: UUID) -> AssessmentState:
        """The state of the assessment a supersession names, which must be in the record.

        Named in the body, not the path: its absence is a refused rule about the field `by`
        (like an unknown party), not a 404 of the assessment being superseded. A retracted
        creation counts as absent, as it does in every state read.
        """
        try:
            newer = self.load(Assessment, assessment_id)
        except NotFoundError:
            msg = f"no assessment {assessment_id} to supersede with"
            raise UnknownAssessmentError(msg, field="by") from None
        if newer.void:
            msg = f"assessment {assessment_id} was retracted"
            raise UnknownAssessmentError(msg, field="by")
        state: AssessmentState = newer.state
        return state

    # --- corrections and retractions, of any item ----------------------------------------

    def correct(
        self,
        actor: Actor,
        cls: type[Item],
        item_id: UUID,
        *,
        target_version: int,
        changes: dict[str, Any],
        reason: TextInput,
        meta: Meta = NO_META,
    ) -> CommandResult:
        def change(item: Item, ctx: Context) -> None:
            corrected = dict(changes)  # the caller's dict stays as it was sent
            roadmap_id = getattr(item.state, "roadmap_id", None)
            codes: Any = corrected.get("priorities")
            listed = isinstance(codes, list | tuple) and all(isinstance(c, str) for c in codes)
            if roadmap_id is not None and listed:  # anything else: the item names the field
                roadmap = self._roadmap(roadmap_id)
                corrected["priorities"] = list(roadmap.require_priorities(tuple(codes)))
            item.correct(target_version, corrected, reason, ctx)

        return self._change(cls, item_id, actor, meta, change)

    def translate(
        self,
        actor: Actor,
        cls: type[Item],
        item_id: UUID,
        *,
        target_version: int,
        field: str,
        lang: str,
        text: str,
        meta: Meta = NO_META,
    ) -> CommandResult:
        return self._change(
            cls,
            item_id,
            actor,
            meta,
            lambda i, ctx: i.translate(target_version, field, lang, text, ctx),
        )

    def retract(
        self,
        actor: Actor,
        cls: type[Item],
        item_id: UUID,
        *,
        target_version: int,
        reason: TextInput,
        meta: Meta = NO_META,
    ) -> CommandResult:
        return self._change(
            cls, item_id, actor, meta, lambda i, ctx: i.retract(target_version, reason, ctx)
        )

    # --- queries -------------------------------------------------------------------------

    def get_item(self, cls: type[ItemT], item_id: UUID) -> ItemT:
        return self.load(cls, item_id)

    def get_item_at(self, cls: type[ItemT], item_id: UUID, version: int) -> ItemT:
        item: object = self.repository.get(item_id, version=version)
        if not isinstance(item, cls):
            return self.load(cls, item_id)  # raises the NotFoundError
        return item

    def get_public(self, cls: type[Item], item_id: UUID) -> dict[str, Any]:
        item = self.get_item(cls, item_id)
        public = item_public(cls, item.id, item.entries)
        if public is None:  # an item always has its creation entry
            raise NotFoundError(f"no {noun_of(cls)} {item_id}")
        return public

    def get_state(
        self,
        roadmap_id: UUID,
        *,
        as_of: datetime | None = None,
        effective_on: date | None = None,
    ) -> dict[str, Any] | None:
        """The roadmap's state by full replay (the reference the read side is tested against)."""
        return state_at(self, roadmap_id, as_of=as_of, effective_on=effective_on)

    def roadmap_ids(self) -> list[UUID]:
        return [n.originator_id for n in self.notifications(topics=topics_of(Roadmap.Adopted))]

    def notifications(self, topics: Sequence[str] = ()) -> Iterator[Any]:
        start = 1
        while True:
            page = self.recorder.select_notifications(start, 1000, topics=topics)
            yield from page
            if len(page) < 1000:  # noqa: PLR2004
                return
            start = page[-1].id + 1

    def position(self) -> int:
        return self.recorder.max_notification_id() or 0

    def last_recorded(self) -> int:
        """The last position committed, which `position()` may not reach yet (PostgreSQL: an
        open command may still take a lower one)."""
        return self.ledger_recorder.max_recorded_id() or 0
