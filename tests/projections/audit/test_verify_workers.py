"""`roadmap verify` with its leaves hashed in worker processes gives the in-process verdict."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from domain.model.values import Quantity
from projections.audit import recompute
from projections.audit.verify import verify
from tests.factories import CA_OFFICIAL, adopt_france_canada, make_canada_pledge
from tests.support.rawlog import RawLog
from tests.support.stores import opened, runner_for, signer_in


def _untouched(log: RawLog) -> None:
    assert log.events()


def _altered(log: RawLog) -> None:
    event = log.events()[6]
    log.set_state(event.position, event.state.replace(b"personnel", b"personnes"))


def _unreadable(log: RawLog) -> None:
    log.set_state(log.events()[4].position, b"{not json")


def _deleted(log: RawLog) -> None:
    log.delete(log.events()[5].position)


@pytest.mark.parametrize(
    "tamper",
    [_untouched, _altered, _unreadable, _deleted],
    ids=["untouched", "altered", "unreadable", "deleted"],
)
def test_workers_give_the_verdict_and_leaves_of_one_process(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    tamper: Callable[[RawLog], None],
) -> None:
    signer = signer_in(tmp_path)
    with opened(database_url) as (app, store):
        roadmap = adopt_france_canada(app)
        pledge = make_canada_pledge(app, roadmap.id)
        for delivered in range(50, 600, 50):
            app.report_pledge_progress(
                CA_OFFICIAL, pledge.id, delivered=Quantity(Decimal(delivered), "personnel")
            )
        runner_for(app, store, signer, batch_size=4).catch_up()
        tamper(RawLog(database_url))
        # Ranges of three positions, two in flight a worker: many ranges, out of step.
        monkeypatch.setattr(recompute, "RANGE", 3)
        in_workers = recompute._in_workers
        calls: list[int] = []

        def counted(*args: Any) -> Iterator[recompute.Leaf]:
            calls.append(1)
            return in_workers(*args)

        monkeypatch.setattr(recompute, "_in_workers", counted)
        assert app.position() > 3 * 2 * 2
        one = list(recompute.leaves(app, 1))
        assert list(recompute.leaves(app, 2)) == one
        assert [position for position, _, _ in one] == [
            e.position for e in RawLog(database_url).events()
        ]
        verdict = verify(app, store, signer.public, workers=2)
        assert verdict == verify(app, store, signer.public, workers=1)
        assert verdict.ok == (tamper is _untouched), verdict.line()
        assert len(calls) == 2
