"""Commands on the read side: the projection worker, rebuilds and reports."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer

from api.cli.common import BAD_USAGE, Lang, LangOption, fail, load_settings, open_ledger, utf8

if TYPE_CHECKING:
    from api.settings import Settings
    from domain.application.service import RoadmapLedger
    from projections.runtime.db import ReadStore
    from projections.runtime.runner import Runner

# The read side's modules are imported by the commands that use them: `roadmap --help` and the
# other commands do not pay for them.

#: The reports' names, for the help text (projections.partnership.reports.REPORTS; a test
#: checks they agree).
REPORT_NAMES = ("pledge-fulfilment", "activity-by-priority", "open-items")

projections_app = typer.Typer(help="Look after the read models.", no_args_is_help=True)


class Format(StrEnum):
    JSON = "json"
    CSV = "csv"


@contextmanager
def read_side(settings: Settings) -> Iterator[tuple[RoadmapLedger, ReadStore, Runner]]:
    from api.readside import projection_runner
    from projections.audit.checkpoints import OriginConflictError
    from projections.runtime.db import ReadStore

    with open_ledger(settings) as app:
        store = ReadStore(settings.database_url)
        try:
            try:
                runner, _ = projection_runner(app, store, settings)
            except OriginConflictError as error:
                fail(str(error), BAD_USAGE)
            yield app, store, runner
        finally:
            store.close()


def up_to_date(app: RoadmapLedger, runner: Runner, settings: Settings, wait: float = 30) -> None:
    """Brings the read models to the head of the log: itself, or by waiting for the worker."""
    from projections.partnership.queries import ReadModels
    from projections.runtime.lease import lease_for

    lease = lease_for(settings.database_url)
    try:
        if lease.acquire():
            runner.catch_up()
            return
    finally:
        lease.close()
    if not ReadModels(runner.store).wait_for(app.position(), wait):
        fail(f"the projection worker is more than {wait:.0f} s behind the log; try again")


def worker() -> None:
    """Run the projections as their own process (a standby takes over if the active one dies)."""
    from projections.runtime.lease import lease_for

    settings = load_settings()
    with read_side(settings) as (_, _, runner):
        lease = lease_for(settings.database_url)

        def stop(signum: int, _frame: FrameType | None) -> None:
            typer.echo(f"signal {signum}: stopping after the current batch", err=True)
            runner.stop()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        typer.echo(f"projection worker started at position {runner.position}", err=True)
        try:
            runner.run_forever(lease)
        finally:
            lease.close()
        typer.echo(f"projection worker stopped at position {runner.position}", err=True)


@projections_app.command("rebuild")
def rebuild_command(
    name: Annotated[
        str | None, typer.Argument(help="partnership, audit or temporal; all when left out.")
    ] = None,
    processes: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Processes building the projections, one each (default: the machine's cores; "
            "one for a memory store or a log under 20,000 events).",
        ),
    ] = None,
) -> None:
    """Build a projection afresh from the log, then swap it in at once."""
    from projections.catalog import rebuild
    from projections.runtime.rebuild import RebuildStuckError, UnknownProjectionError

    settings = load_settings()
    with read_side(settings) as (app, store, _):
        total = app.position()
        started = time.monotonic()

        def progress(done: int, position: int) -> None:
            if not sys.stderr.isatty():
                return
            elapsed = max(time.monotonic() - started, 1e-9)
            rate = done / elapsed
            # No rate yet (the first batches are under way): no ETA rather than a wrong one.
            eta = f"{(total - position) / rate:>6.0f} s" if rate else "      ? s"
            sys.stderr.write(f"\r{position:>10,} / {total:,} events  {rate:>9,.0f} ev/s  ETA {eta}")
            sys.stderr.flush()

        try:
            positions = rebuild(
                app,
                store,
                name,
                progress=progress,
                database_url=settings.database_url,
                processes=processes or os.cpu_count() or 1,
            )
        except UnknownProjectionError as error:
            fail(str(error), BAD_USAGE)
        except RebuildStuckError as error:
            fail(str(error))
        if sys.stderr.isatty():
            sys.stderr.write("\n")
    seconds = time.monotonic() - started
    rate = max(positions.values(), default=0) / max(seconds, 1e-9)
    for rebuilt, position in positions.items():
        typer.echo(f"rebuilt {rebuilt} up to position {position}")
    typer.echo(f"rebuilt in {seconds:.1f} s ({rate:,.0f} events/s)")


@projections_app.command("status")
def status() -> None:
    """Each projection's position and how far it is behind the log."""
    from projections.partnership.queries import ReadModels

    settings = load_settings()
    with read_side(settings) as (app, store, runner):
        head = app.position()
        models = ReadModels(store)
        stuck = {s.name: s for s in models.stuck()}
        for projection in runner.projections:
            position = models.position(projection.name)
            line = f"{projection.name:<12} {position:>10}  behind by {head - position}"
            found = stuck.get(projection.name)
            typer.echo(line if found is None else f"{line}  {found.line()}")


def report(
    name: Annotated[str, typer.Argument(help=f"One of: {', '.join(REPORT_NAMES)}.")],
    format_: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.JSON,
    lang: LangOption = Lang.EN,
) -> None:
    """Print a report, as JSON or CSV, from up-to-date read models."""
    from api.i18n.reports import csv_headers, localized_row
    from projections.partnership.reports import REPORTS, as_csv

    chosen = REPORTS.get(name)
    if chosen is None:
        fail(f"no report named {name!r}; reports: {', '.join(REPORTS)}", BAD_USAGE)
    settings = load_settings()
    with read_side(settings) as (app, store, runner):
        up_to_date(app, runner, settings)
        today = datetime.now(UTC).date()
        rows = [localized_row(r, lang.value) for r in chosen.query(store, today)]
    with utf8(sys.stdout) as out:
        if format_ is Format.CSV:
            out.writelines(as_csv(chosen, rows, csv_headers(lang.value)))
        else:
            out.write(json.dumps({"name": name, "rows": rows}, indent=2, ensure_ascii=False))
            out.write("\n")
