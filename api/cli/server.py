"""Commands around the HTTP API: serve it, and mint tokens for local use and tests."""

from __future__ import annotations

from importlib.util import find_spec
from typing import Annotated

import typer

from api.cli.common import BAD_USAGE, fail, load_settings
from domain.model.values import Role


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
) -> None:
    """Serve the HTTP API (interactive docs at /docs)."""
    load_settings()  # a wrong setting stops here with exit 2, not inside the server
    if find_spec("api.app") is None:
        fail("the HTTP app (api/app.py) is not installed")
    import uvicorn  # noqa: PLC0415 - the server's imports only when serving

    uvicorn.run("api.app:create_app", factory=True, host=host, port=port)


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
    """Print a JWT signed with the configured key, for local use and tests."""
    settings = load_settings()
    from api.auth import mint_token  # noqa: PLC0415 - the signing code only when minting

    roles = [r.value for r in dict.fromkeys(role)]
    try:
        minted = mint_token(settings, subject=sub, party=party, roles=roles, ttl_seconds=ttl)
    except ValueError as error:  # claims the API would refuse, or an unusable secret
        fail(str(error), BAD_USAGE)
    except OSError as error:
        fail(f"cannot read or create the secret file {settings.secret_file}: {error}")
    typer.echo(minted)
