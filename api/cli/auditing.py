"""`roadmap audit` (the trail, the log's checkpoint and verifier key) and `roadmap witness`."""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from typing import TYPE_CHECKING, Annotated
from urllib.parse import urlsplit

import typer

from api.cli.common import BAD_USAGE, FAILED, Lang, LangOption, fail, load_settings, utf8

if TYPE_CHECKING:
    from api.settings import Settings
    from projections.audit.witness import (
        Answer,
        Witness,
    )

# The store's and the audit's modules are imported by the commands that use them: `roadmap
# --help` and the quick commands do not pay for them.


audit_app = typer.Typer(
    help="The audit trail as JSON Lines (the default), the log's checkpoint and verifier key."
)
witness_app = typer.Typer(help="Have witnesses countersign the log's checkpoints.")

Roadmap = Annotated[str | None, typer.Option(help="Only this roadmap's entries.")]
After = Annotated[int, typer.Option(min=0, help="Only entries after this position.")]
#: Longest answer read from a witness: a few signature lines.
ANSWER_LIMIT = 64 * 1024


@audit_app.callback(invoke_without_command=True)
def audit(
    ctx: typer.Context, roadmap: Roadmap = None, after: After = 0, lang: LangOption = Lang.EN
) -> None:
    """Print the audit trail as JSON Lines, in log order (as `roadmap audit entries`)."""
    if ctx.invoked_subcommand is None:
        _entries(roadmap, after, lang)


@audit_app.command("entries")
def entries(roadmap: Roadmap = None, after: After = 0, lang: LangOption = Lang.EN) -> None:
    """Print the audit trail as JSON Lines, in log order; summaries in `--lang`."""
    _entries(roadmap, after, lang)


def _entries(roadmap: str | None, after: int, lang: Lang) -> None:
    from api.cli.readside import (
        read_side,
        up_to_date,
    )
    from api.localize import summarized
    from projections.audit.queries import AuditFilter
    from projections.partnership.queries import ReadModels

    settings = load_settings()
    with read_side(settings) as (app, store, runner):
        up_to_date(app, runner, settings)
        models = ReadModels(store)
        with utf8(sys.stdout) as out:
            cursor: int | None = after
            while cursor is not None:
                page = models.audit(AuditFilter(roadmap_id=roadmap), after=cursor, limit=1000)
                for entry in page.entries:
                    shown = summarized(entry, lang.value)
                    out.write(json.dumps(shown, ensure_ascii=False, sort_keys=True) + "\n")
                cursor = page.next_cursor


@audit_app.command("verifier-key")
def verifier_key() -> None:
    """Print the signed-note verifier key of the log's checkpoints (name+key ID+key)."""
    from api.cli.readside import read_side
    from projections.audit import checkpoints
    from projections.audit.signing import Signer

    settings = load_settings()
    with read_side(settings) as (_, store, _):
        origin = checkpoints.log_origin(store)
    if origin is None:  # read_side settles it: only a damaged store lacks it
        fail("this store's log has no origin")
    signer = Signer.from_file(settings.signing_key_file)  # the key read_side's runner signs with
    typer.echo(signer.verifier_key(origin).text())


@audit_app.command("checkpoint")
def checkpoint(
    tree_size: Annotated[
        int | None, typer.Option(min=1, help="A past checkpoint (default: the latest).")
    ] = None,
) -> None:
    """Print a signed checkpoint, with the cosignatures of the configured witnesses."""
    from api.cli.readside import (
        read_side,
        up_to_date,
    )
    from projections.audit import checkpoints

    settings = load_settings()
    keys = [w.key for w in _witnesses(settings)]
    with read_side(settings) as (app, store, runner):
        if tree_size is None:
            up_to_date(app, runner, settings)
        note = checkpoints.cosigned(store, tree_size, keys)
    if note is None:
        which = "yet" if tree_size is None else f"at tree size {tree_size}"
        fail(f"no checkpoint was signed {which}")
    with utf8(sys.stdout) as out:
        out.write(note.serialize())


def _witnesses(settings: Settings) -> tuple[Witness, ...]:
    from projections.audit.witness import (
        WitnessConfigError,
        load_witnesses,
    )

    try:
        return load_witnesses(settings.witness_keys_file)
    except WitnessConfigError as error:
        fail(str(error), BAD_USAGE)


def _choose(witnesses: tuple[Witness, ...], url: str, name: str | None) -> Witness:
    if name is not None:
        chosen = [w for w in witnesses if w.key.name == name]
    else:
        chosen = [w for w in witnesses if w.url is not None and w.url.rstrip("/") == url]
    if len(chosen) != 1:
        which = f"named {name!r}" if name is not None else f"at {url} (or pass --witness NAME)"
        found = "no" if not chosen else "more than one"
        fail(f"{found} witness {which} in ROADMAP_WITNESS_KEYS_FILE", BAD_USAGE)
    return chosen[0]


def http_post(url: str, body: bytes) -> Answer:
    """POST over HTTP(S), answering refusals as answers (the protocol's 409 is expected)."""
    from projections.audit.witness import (
        Answer,
        WitnessError,
    )

    request = urllib.request.Request(  # noqa: S310 - the scheme is checked by `push_command`
        url, data=body, method="POST", headers={"Content-Type": "text/plain; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - idem
            media = response.headers.get_content_type()
            return Answer(response.status, media, response.read(ANSWER_LIMIT))
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.headers.get_content_type(), error.read(ANSWER_LIMIT))
    except (urllib.error.URLError, OSError) as error:
        raise WitnessError(f"cannot reach the witness at {url}: {error}") from None


@witness_app.command("push")
def push_command(
    url: Annotated[str, typer.Argument(help="The witness's submission prefix (http or https).")],
    witness: Annotated[
        str | None,
        typer.Option(help="The witness's key name, when the keys file does not give its URL."),
    ] = None,
) -> None:
    """Send the latest checkpoint to a witness (add-checkpoint) and keep its cosignature."""
    from api.cli.readside import (
        read_side,
        up_to_date,
    )
    from projections.audit.witness import (
        WitnessError,
        push,
    )

    url = url.rstrip("/")
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
        fail(f"{url!r} is not an http(s) URL", BAD_USAGE)
    settings = load_settings()
    chosen = _choose(_witnesses(settings), url, witness)
    with read_side(settings) as (app, store, runner):
        up_to_date(app, runner, settings)
        try:
            pushed = push(store, chosen, url, http_post)
        except WitnessError as error:
            fail(str(error), FAILED)
    typer.echo(
        f"{chosen.key.name} cosigned the checkpoint of {pushed.size} leaves "
        f"(consistent with the {pushed.old} it had cosigned before):"
    )
    for line in pushed.lines:
        typer.echo(line)
