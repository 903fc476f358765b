"""Commands on the record: load the demo, read a roadmap's state, export and import events."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import typer

from api.cli.common import Lang, LangOption, fail, load_settings, open_ledger, utf8

if TYPE_CHECKING:
    from domain.application.service import RoadmapLedger

# The store's modules are imported by the commands that use them (`roadmap --help` is fast).


def demo() -> None:
    """Load the 2016 France-Canada Peacekeeping Roadmap and its first actions (idempotent)."""
    from domain.adapters.demo import load_demo
    from domain.model.errors import DomainError

    with open_ledger(load_settings()) as app:
        try:
            report = load_demo(app)
        except DomainError as error:
            fail(f"the demo was refused: {error.message}")
    if report.already_loaded:
        typer.echo("already loaded: nothing recorded")
    else:
        typer.echo(f"recorded {len(report.recorded)} actions of the 2016 roadmap:")
        for label in report.recorded:
            typer.echo(f"  {label}")
    typer.echo(f"roadmap id: {report.roadmap_id}")


def parse_instant(value: str) -> datetime:
    """An RFC 3339 time with its offset: `2017-01-01T00:00:00Z`; a naive time is ambiguous."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        msg = f"{value!r} is not an RFC 3339 time, e.g. 2017-01-01T00:00:00Z"
        raise typer.BadParameter(msg) from None
    if moment.utcoffset() is None:
        msg = f"{value!r} has no time zone: add Z or an offset, e.g. 2017-01-01T00:00:00Z"
        raise typer.BadParameter(msg)
    return moment


def parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date YYYY-MM-DD") from None


def _only_roadmap(app: RoadmapLedger) -> UUID:
    ids = app.roadmap_ids()
    if not ids:
        fail("no roadmap is recorded yet (try `roadmap demo`)")
    if len(ids) > 1:
        fail(f"{len(ids)} roadmaps are recorded; name one: {', '.join(map(str, ids))}")
    return ids[0]


def state(
    roadmap_id: Annotated[
        UUID | None,
        typer.Argument(help="The roadmap; may be left out when there is only one.", metavar="ID"),
    ] = None,
    as_of: Annotated[
        datetime | None,
        typer.Option(
            parser=parse_instant,
            metavar="T",
            help="The record as it stood at this RFC 3339 time, e.g. 2017-01-01T00:00:00Z.",
        ),
    ] = None,
    effective_on: Annotated[
        date | None,
        typer.Option(
            parser=parse_date,
            metavar="D",
            help="What was in effect on this date (YYYY-MM-DD).",
        ),
    ] = None,
    lang: LangOption = Lang.EN,
) -> None:
    """Print a roadmap's state (replayed from the log) as JSON, at any point in time."""
    from domain.model.errors import NotFoundError

    with open_ledger(load_settings()) as app:
        chosen = roadmap_id or _only_roadmap(app)
        try:
            answer = app.get_state(chosen, as_of=as_of, effective_on=effective_on)
        except NotFoundError:
            fail(f"no roadmap {chosen}")
    if answer is None:  # only an as_of before the roadmap was recorded finds nothing
        when = as_of.isoformat() if as_of else "now"
        fail(f"roadmap {chosen} was not yet recorded at {when}")
    from api.localize import localize

    typer.echo(json.dumps(localize(answer, lang.value), indent=2, ensure_ascii=False))


def _export_to_file(app: RoadmapLedger, output: Path) -> int:
    """Write beside the target and rename, so a failed export leaves no half file."""
    from domain.adapters.archive import export_events

    partial = output.with_name(f".{output.name}.partial")
    try:
        with partial.open("w", encoding="utf-8", newline="\n") as out:
            count = export_events(app, out)
        partial.replace(output)
    except OSError as error:
        partial.unlink(missing_ok=True)
        fail(f"cannot write {output}: {error.strerror or error}")
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return count


def export(
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", dir_okay=False, metavar="FILE", help="Write to FILE, not stdout."
        ),
    ] = None,
) -> None:
    """Write every event, in log order, as JSON Lines (a backup, or a move to PostgreSQL)."""
    from domain.adapters.archive import ArchiveError, export_events

    with open_ledger(load_settings()) as app:
        try:
            if output is None:
                with utf8(sys.stdout) as out:
                    count = export_events(app, out)
            else:
                count = _export_to_file(app, output)
        except ArchiveError as error:
            fail(str(error))
    typer.echo(f"exported {count} events", err=True)


def import_(
    file: Annotated[
        Path | None,
        typer.Argument(
            dir_okay=False, metavar="[FILE]", help="JSON Lines from `roadmap export`; - is stdin."
        ),
    ] = None,
) -> None:
    """Load an export into an empty store, after checking every line of it."""
    from domain.adapters.archive import ArchiveError, import_events

    with open_ledger(load_settings()) as app:
        try:
            if file is None or str(file) == "-":
                with utf8(sys.stdin) as source:
                    count = import_events(app, source)
            else:
                with file.open(encoding="utf-8") as source:
                    count = import_events(app, source)
        except ArchiveError as error:
            fail(str(error))
        except UnicodeDecodeError as error:
            fail(f"the input is not UTF-8 text ({error.reason})")
        except OSError as error:
            fail(f"cannot read {file}: {error.strerror or error}")
    typer.echo(f"imported {count} events", err=True)
