"""What every command shares: settings checked once, the ledger opened and closed, errors."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, NoReturn, TextIO, TypeVar
from urllib.parse import urlsplit

import typer

if TYPE_CHECKING:
    from api.settings import Settings, TokenSettings
    from domain.application.service import RoadmapLedger

# Settings, the store and its errors are imported when a command needs them, so that
# `roadmap --help` and `roadmap token` start fast.

#: Exit codes: 1 the command failed, 2 the command line or a setting is wrong.
FAILED, BAD_USAGE = 1, 2


def fail(message: str, code: int = FAILED) -> NoReturn:
    """One clear line on stderr, then exit."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _setting_problem(error: dict[str, object]) -> str:
    loc = error.get("loc") or ()
    name = "ROADMAP_" + str(loc[0]).upper() if isinstance(loc, tuple) and loc else "ROADMAP_*"
    message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    return message if message.startswith(name) else f"{name}: {message}"


def load_settings() -> Settings:
    """The ROADMAP_* settings, or exit 2 naming what is wrong."""
    from api.settings import Settings

    return _loaded(Settings)


def load_token_settings() -> TokenSettings:
    """The settings of tokens alone (no database is named, checked or opened)."""
    from api.settings import TokenSettings

    return _loaded(TokenSettings)


SettingsT = TypeVar("SettingsT")


def _loaded(cls: Callable[[], SettingsT]) -> SettingsT:
    from pydantic import ValidationError
    from pydantic_settings import SettingsError

    try:
        return cls()
    except ValidationError as error:
        problems = [_setting_problem(dict(e)) for e in error.errors()]
        fail("invalid setting: " + "; ".join(problems), BAD_USAGE)
    except SettingsError as error:
        fail(f"invalid setting: {error}", BAD_USAGE)


def redacted(url: str) -> str:
    """A database URL fit to print: the password hidden."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")).geturl()


@contextmanager
def open_ledger(settings: Settings) -> Iterator[RoadmapLedger]:
    """The ledger on ROADMAP_DATABASE_URL, closed when the command ends."""
    from eventsourcing.persistence import PersistenceError

    from domain.application.service import RoadmapLedger

    try:
        app = RoadmapLedger(settings.database_url, retries=settings.command_retries)
    except ValueError as error:
        fail(str(error), BAD_USAGE)
    except PersistenceError as error:
        fail(f"cannot open the store at {redacted(settings.database_url)}: {error}")
    try:
        yield app
    except PersistenceError as error:
        fail(f"the store at {redacted(settings.database_url)} failed: {error}")
    finally:
        app.close()


@contextmanager
def utf8(stream: TextIO) -> Iterator[TextIO]:
    """stdin or stdout as UTF-8 whatever the locale, left open for the caller."""
    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        yield stream
        return
    stream.flush()
    wrapper = io.TextIOWrapper(buffer, encoding="utf-8", newline="\n")
    try:
        yield wrapper
    finally:
        wrapper.flush()
        wrapper.detach()


class Lang(StrEnum):
    EN = "en"
    FR = "fr"


#: `--lang en|fr`: the language texts, summaries and report headers are printed in.
LangOption = Annotated[
    Lang, typer.Option("--lang", help="Print texts in en or fr (the other form stays beside).")
]
