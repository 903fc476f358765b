"""The facade's core: storage, queries, and how commands create and change items."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any, TypeVar, cast
from uuid import UUID, uuid4

from eventsourcing.application import Application
from eventsourcing.persistence import Recording, Transcoder

from domain.application.running import NO_META, CommandResult, CommandRunner, Meta
from domain.model.consultation import Consultation
from domain.model.decision import Decision
from domain.model.errors import NotFoundError
from domain.model.exchange import Exchange
from domain.model.item import Item
from domain.model.pledge import Pledge
from domain.model.public import item_public, state_at
from domain.model.reform import ReformProposal
from domain.model.roadmap import Roadmap, RoadmapState
from domain.model.values import (
    Actor,
    Context,
    Priority,
)
from domain.storage import LedgerRecorder, persistence_env, topics_of
from domain.storage.transcoding import LedgerTranscoder

ItemT = TypeVar("ItemT", bound=Item)

#: The item collections of the HTTP contract, by path segment.
COLLECTIONS: dict[str, type[Item]] = {
    "roadmaps": Roadmap,
    "pledges": Pledge,
    "consultations": Consultation,
    "decisions": Decision,
    "exchanges": Exchange,
    "reform-proposals": ReformProposal,
}


def utc_now() -> datetime:
    return datetime.now(UTC)


class LedgerCore(Application[UUID]):
    """Storage, queries and the command plumbing the command mixins share."""

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

    def _notify(self, recordings: list[Recording[UUID]]) -> None:
        """Wakes in-process readers of the log (the embedded projection runner)."""
        super()._notify(recordings)
        with self.saved:
            self.saves += 1
            self.saved.notify_all()

    def construct_transcoder(self) -> Transcoder:
        return LedgerTranscoder()

    @property
    def ledger_recorder(self) -> LedgerRecorder:
        return cast(LedgerRecorder, self.recorder)

    # --- queries -------------------------------------------------------------------------

    def get_item(self, cls: type[ItemT], item_id: UUID) -> ItemT:
        return self.commands.load(cls, item_id)

    def get_item_at(self, cls: type[ItemT], item_id: UUID, version: int) -> ItemT:
        item: object = self.repository.get(item_id, version=version)
        if not isinstance(item, cls):
            return self.commands.load(cls, item_id)  # raises the NotFoundError
        return item

    def roadmap_ids(self) -> list[UUID]:
        return [n.originator_id for n in self.notifications(topics=topics_of(Roadmap.Adopted))]

    def get_state(
        self,
        roadmap_id: UUID,
        *,
        as_of: datetime | None = None,
        effective_on: date | None = None,
    ) -> dict[str, Any] | None:
        """The roadmap's state by full replay (the reference the read side is tested against)."""
        return state_at(self, roadmap_id, as_of=as_of, effective_on=effective_on)

    def get_public(self, cls: type[Item], item_id: UUID) -> dict[str, Any]:
        item = self.get_item(cls, item_id)
        public = item_public(cls, item.id, item.entries)
        if public is None:  # an item always has its creation entry
            raise NotFoundError(f"no {cls.__name__.lower()} {item_id}")
        return public

    def notifications(self, topics: tuple[str, ...] = ()) -> Iterator[Any]:
        start = 1
        while True:
            page = self.recorder.select_notifications(start, 1000, topics=topics)
            yield from page
            if len(page) < 1000:  # noqa: PLR2004
                return
            start = page[-1].id + 1

    def position(self) -> int:
        return self.recorder.max_notification_id() or 0

    # --- roadmaps ------------------------------------------------------------------------

    def adopt_roadmap(
        self,
        actor: Actor,
        *,
        title: str,
        parties: list[str],
        adopted_on: date,
        priorities: list[Priority],
        summary: str | None = None,
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

    def _roadmap(self, roadmap_id: UUID) -> RoadmapState:
        roadmap = self.commands.load(Roadmap, roadmap_id)
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
            item = self.commands.load(cls, item_id, meta.expected_version)
            change(item, ctx.after(item.modified_on))
            return item, [item]

        return self.commands.run(actor, meta, step, creates=False)
