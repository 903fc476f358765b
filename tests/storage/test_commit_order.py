"""PostgreSQL: writers commit in parallel, yet a reader tailing the log never misses an event
nor sees one out of order (docs/decisions/0006-commit-ordered-positions.md).

PostgreSQL only: SQLite lets one writer at a time in, so its positions are in commit order by
construction.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg import sql

from domain.storage import persistence_env
from domain.storage.postgres import Factory, LedgerPostgresRecorder
from tests import pg

TABLE = "ordering_events"
logger = logging.getLogger("tests.ordering")


class PausingRecorder(LedgerPostgresRecorder):
    """Runs `pause` between the events' INSERT and the COMMIT of their transaction."""

    pause: Callable[[Sequence[StoredEvent]], None] = staticmethod(lambda events: None)

    def _insert_events(
        self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        super()._insert_events(curs, stored_events, **kwargs)
        self.pause(stored_events)


@pytest.fixture
def factory(postgres_url: str) -> Iterator[Factory]:
    env = persistence_env(postgres_url)
    env["POSTGRES_POOL_SIZE"] = "10"  # the writers and the reader; the server is shared
    made = Factory(env)
    yield made
    made.close()


def recorder_on(factory: Factory) -> PausingRecorder:
    recorder = PausingRecorder(factory.datastore, events_table_name=TABLE)
    recorder.create_table()
    return recorder


def event(stream: UUID, version: int) -> StoredEvent:
    return StoredEvent(stream, version, "tests:Happened", b"{}")


def tail(recorder: LedgerPostgresRecorder, seen: list[int], done: threading.Event) -> None:
    """Follows the log as the projection runner does: the page after the last position."""
    while True:
        finished = done.is_set()  # read before the page: a last page after the writers end
        page = recorder.select_notifications(seen[-1] + 1 if seen else 1, 100)
        seen.extend(n.id for n in page)
        if finished and not page:
            return
        if not page:
            time.sleep(0.001)


def test_an_open_transaction_holds_back_the_positions_after_its_own(factory: Factory) -> None:
    recorder = recorder_on(factory)
    recorder.horizon_wait = 0.05
    inserted, release = threading.Event(), threading.Event()
    first, second = uuid4(), uuid4()

    def hold(events: Sequence[StoredEvent]) -> None:
        if events[0].originator_id == first:
            inserted.set()
            release.wait(10)

    recorder.pause = hold
    early: list[int] = []
    writer = threading.Thread(
        target=lambda: early.extend(recorder.insert_events([event(first, 1)]))
    )
    writer.start()
    assert inserted.wait(10)
    (late,) = recorder.insert_events([event(second, 1)])
    try:
        # `late` is committed, but the open transaction below it may still commit.
        assert recorder.select_notifications(1, 10) == []
        assert recorder.max_notification_id() is None
        assert recorder.max_recorded_id() == late  # committed: `min_position=late` is no 422
    finally:
        release.set()
        writer.join()
    assert early[0] < late
    assert [n.id for n in recorder.select_notifications(1, 10)] == [early[0], late]
    assert recorder.max_notification_id() == late


def test_other_work_left_open_does_not_hold_readers_back(factory: Factory) -> None:
    """A transaction writing elsewhere holds no position, even inside a gap of the log."""
    recorder = recorder_on(factory)
    recorder.horizon_wait = 5.0  # were it waited for, the reader would answer short after it
    stream = uuid4()
    ids = recorder.insert_events([event(stream, 1), event(stream, 2)])
    with psycopg.connect(pg.base_url()) as other:
        other.execute("CREATE TEMP TABLE scratch (n int)")
        other.execute("INSERT INTO scratch VALUES (1)")  # takes an xid, stays open
        assert [n.id for n in recorder.select_notifications(1, 10)] == ids
        with pytest.raises(IntegrityError):  # a lost race: a gap for good, its xid after ours
            recorder.insert_events([event(stream, 2)])
        (after_gap,) = recorder.insert_events([event(stream, 3)])
        assert after_gap > ids[-1] + 1
        assert [n.id for n in recorder.select_notifications(1, 10)] == [*ids, after_gap]
        assert recorder.max_notification_id() == after_gap
        other.rollback()


def test_a_reader_tailing_many_paused_writers_misses_nothing_and_keeps_order(
    factory: Factory,
) -> None:
    recorder = recorder_on(factory)
    rng = random.Random()

    def pause(_: Sequence[StoredEvent]) -> None:
        # Mostly short, sometimes long enough for many later transactions to commit first.
        time.sleep(rng.choice((0.0, 0.0005, 0.002, 0.005)) if rng.random() < 0.97 else 0.03)

    recorder.pause = pause
    writers, saves = 8, 180
    shared = [uuid4() for _ in range(3)]  # streams the writers race for
    conflicts: list[int] = []
    errors: list[BaseException] = []

    def write() -> None:
        try:
            for _ in range(saves):
                if rng.random() < 0.1:
                    stream = rng.choice(shared)
                    version = _next_version(recorder, stream)
                    try:
                        recorder.insert_events([event(stream, version)])
                    except IntegrityError:
                        conflicts.append(1)
                else:
                    stream = uuid4()
                    size = rng.randint(1, 4)
                    recorder.insert_events([event(stream, v) for v in range(1, size + 1)])
        except BaseException as error:
            errors.append(error)

    seen: list[int] = []
    done = threading.Event()
    reader = threading.Thread(target=tail, args=(recorder, seen, done))
    reader.start()
    threads = [threading.Thread(target=write) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    reader.join(30)
    assert not errors

    everything = [n.id for n in recorder.select_notifications(1, 1_000_000)]
    assert len(everything) >= 2000  # thousands of events on every run
    assert seen == everything  # nothing missed, nothing twice, in position order
    assert seen == sorted(set(seen))
    for stream in shared:  # optimistic concurrency stayed exact: versions 1..n, each once
        versions = [e.originator_version for e in recorder.select_events(stream)]
        assert versions == list(range(1, len(versions) + 1))
    logger.info(
        "ordering: %d events, %d writers, %d lost races", len(seen), writers, len(conflicts)
    )


def _next_version(recorder: LedgerPostgresRecorder, stream: UUID) -> int:
    last = recorder.select_events(stream, desc=True, limit=1)
    return last[0].originator_version + 1 if last else 1


def test_a_store_of_an_earlier_release_is_migrated_in_place(
    factory: Factory, postgres_url: str
) -> None:
    """A table the library's locking recorder made: old rows stay readable, new ones follow."""
    old = PostgresApplicationRecorder(factory.datastore, events_table_name=TABLE)
    old.create_table()
    stream = uuid4()
    old.insert_events([event(stream, 1), event(stream, 2)])

    recorder = recorder_on(factory)
    (third,) = recorder.insert_events([event(stream, 3)])
    assert [(n.id, n.originator_version) for n in recorder.select_notifications(1, 10)] == [
        (1, 1),
        (2, 2),
        (third, 3),
    ]
    assert third > 2
    recorder_on(factory)  # opening again changes nothing
    schema = factory.datastore.schema
    table = sql.Identifier(schema, TABLE)
    with psycopg.connect(pg.base_url(), autocommit=True) as conn:
        rows = conn.execute(
            sql.SQL("SELECT originator_version, transaction_id IS NULL FROM {} ORDER BY 1").format(
                table
            )
        ).fetchall()
        assert rows == [(1, True), (2, True), (3, False)]
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            conn.execute(sql.SQL("DELETE FROM {}").format(table))
    with pytest.raises(IntegrityError):
        recorder.insert_events([event(stream, 2)])
