"""Commands around the HTTP API: serve it, and mint tokens for local use and tests."""

from __future__ import annotations

import errno
import os
import socket
import sys
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from api.cli.common import BAD_USAGE, FAILED, fail, load_settings, load_token_settings, redacted
from domain.model.values import Role

if TYPE_CHECKING:
    import uvicorn


def _bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound here so that a port in use is one line, not a traceback."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            fail(
                f"port {port} on {host} is in use (another `roadmap serve`?): stop it, or serve "
                f"on another port: roadmap serve --port 8080, ROADMAP_PORT=8080, or "
                f"make run PORT=8080"
            )
        if error.errno == errno.EACCES:
            fail(f"port {port} on {host} needs privileges: use a port above 1023", BAD_USAGE)
        fail(f"cannot listen on {host} port {port}: {error.strerror or error}")
    sock.set_inheritable(True)
    return sock


def _command_name() -> str:
    """`roadmap` as this process was started, so that the printed command runs as is."""
    started = sys.argv[0] if sys.argv else ""
    return started if Path(started).name == "roadmap" else "roadmap"


def _has_route(app: Any, prefix: str) -> bool:
    """Whether the loaded app (under any middleware) serves paths under `prefix`."""
    for _ in range(10):
        routes = getattr(app, "routes", None)
        if routes is not None:
            return any(str(getattr(r, "path", "")).startswith(prefix) for r in routes)
        app = getattr(app, "app", None)
    return False


def banner(url: str, database_url: str, secret: str, app: Any = None) -> str:
    """What `roadmap serve` prints once it listens: where to go, and how to get a token."""
    roadmap = _command_name()
    lines = [
        f"Roadmap Ledger serves {url} (store: {redacted(database_url)})",
        f"  interactive docs   {url}/docs",
    ]
    if _has_route(app, "/auditor"):
        lines.append(f"  auditor workbench  {url}/auditor/")
    lines += [
        f"  mint a token       TOKEN=$({roadmap} token --sub alice --party FR --role official)",
        f'  then               curl -H "Authorization: Bearer $TOKEN" {url}/roadmaps',
        f"  tokens are signed with {secret}: mint them with these same settings",
    ]
    return "\n".join(lines)


def _server(config: uvicorn.Config, url: str, settings: Any) -> uvicorn.Server:
    import uvicorn

    from api.auth import secret_source

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            if not self.should_exit:
                text = banner(
                    url, settings.database_url, secret_source(settings), config.loaded_app
                )
                print(text, flush=True)  # noqa: T201 - the start-up message, on stdout

    return Server(config)


def default_workers(database_url: str) -> int:
    """PostgreSQL: a process per core. SQLite: one — it admits one writer at a time, so more
    processes only queue on its lock, and a memory store cannot be shared between processes."""
    if database_url.startswith(("postgresql://", "postgres://")):
        return os.cpu_count() or 1
    return 1


def serve(
    host: Annotated[
        str, typer.Option(envvar="ROADMAP_HOST", help="Interface to listen on.")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(min=1, max=65535, envvar="ROADMAP_PORT", help="TCP port.")
    ] = 8000,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            envvar="ROADMAP_WORKERS",
            help="Server processes on the port [default: the cores on PostgreSQL, 1 on SQLite]. "
            "The projections run in one of them (a lease).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve the HTTP API (interactive docs at /docs)."""
    settings = load_settings()  # a wrong setting stops here with exit 2, not inside the server
    if find_spec("api.app") is None:
        fail("the HTTP app (api/app.py) is not installed")
    count = workers or default_workers(settings.database_url)
    from projections.runtime.db import in_memory

    if count > 1 and in_memory(settings.database_url):
        fail("a memory store lives in one process: --workers 1, or a file store", BAD_USAGE)
    import uvicorn

    sock = _bind(host, port)
    shown = "localhost" if host in ("0.0.0.0", "::") else host  # noqa: S104 - a name to show
    url = f"http://{f'[{shown}]' if ':' in shown else shown}:{port}"
    options: dict[str, Any] = {"factory": True, "host": host, "port": port}
    try:
        if count == 1:
            config = uvicorn.Config("api.app:create_app", **options)
            _server(config, url, settings).run(sockets=[sock])
        else:
            config = uvicorn.Config("api.app:create_app", **options, workers=count)
            _serve_processes(config, url, settings, sock)
    finally:
        sock.close()


def _serve_processes(config: uvicorn.Config, url: str, settings: Any, sock: socket.socket) -> None:
    """`config.workers` processes accept on one socket; uvicorn restarts one that dies."""
    from uvicorn.supervisors import Multiprocess

    from api.app import create_app
    from api.auth import secret_source

    text = banner(url, settings.database_url, secret_source(settings), create_app(settings))
    print(  # noqa: T201 - the start-up message, on stdout
        f"{text}\n  {config.workers} server processes; the projections run in one of them",
        flush=True,
    )
    Multiprocess(config, sockets=[sock]).run()


def token(
    sub: Annotated[str, typer.Option("--sub", help="The token's subject (who acts).")],
    role: Annotated[
        list[Role], typer.Option("--role", help="A role; repeat for several.", show_default=False)
    ],
    party: Annotated[
        str | None, typer.Option(help="The party an official acts for, e.g. CA or FR.")
    ] = None,
    ttl: Annotated[int, typer.Option(min=1, help="Seconds until the token expires.")] = 3600,
) -> None:
    """Print a JWT signed with the configured key, for local use and tests.

    Says on stderr which secret signed it: a server with another secret refuses the token.
    """
    settings = load_token_settings()
    from api.tokens import mint_token, secret_source

    roles = [r.value for r in dict.fromkeys(role)]
    source = secret_source(settings)
    try:
        minted = mint_token(settings, subject=sub, party=party, roles=roles, ttl_seconds=ttl)
    except ValueError as error:  # claims the API would refuse, or an unusable secret
        fail(str(error), BAD_USAGE)
    except OSError as error:
        fail(f"cannot read or create the secret file {settings.secret_file}: {error}", FAILED)
    typer.echo(f"signed with {source}", err=True)
    typer.echo(minted)
