"""Issue 15, item 5: the first run as a newcomer meets it. `make run` installs the runtime alone
and takes PORT; `roadmap serve` takes ROADMAP_PORT, says in one line that a port is in use, and
prints where the API is and how to get a token; `roadmap token` says which secret signed it;
the quick commands load no web framework and no store they do not need."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from api.cli import app as cli
from api.cli.readside import REPORT_NAMES
from projections.partnership.reports import REPORTS
from tests.e2e.servers import LOOPBACK, free_port, serve_command

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """This checkout's code (PYTHONPATH), in a scratch folder, with its own key files."""
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "ROADMAP_DATABASE_URL": f"sqlite:///{tmp_path}/roadmap.db",
        "ROADMAP_SIGNING_KEY_FILE": str(tmp_path / "signing-key.pem"),
        "ROADMAP_SECRET_FILE": str(tmp_path / "secret"),
        **extra,
    }


def _make(*args: str) -> str:
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    done = subprocess.run(  # noqa: S603 - make -n only prints what it would run
        [make, "-n", "-C", str(ROOT), "VENV=/nonexistent/venv", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_make_run_installs_the_runtime_alone_and_takes_a_port() -> None:
    planned = _make("run", "PORT=8080")
    assert re.search(r"pip install --no-input -e \.(\s|$)", planned), planned
    assert "[dev]" not in planned
    assert "roadmap serve --port 8080" in planned
    assert re.search(r"roadmap serve\s*$", _make("run"), re.MULTILINE)
    for target in ("test", "lint"):
        assert "-e '.[dev]'" in _make(target)


def test_serve_takes_roadmap_port_and_prints_where_to_go(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - our own console script
        serve_command(port)[:2],  # `roadmap serve`, without --port: ROADMAP_PORT says it
        env=_env(tmp_path, ROADMAP_PORT=str(port)),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"http://{LOOPBACK}:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, process.communicate()[0]
            assert time.monotonic() < deadline, "roadmap serve did not start"
            time.sleep(0.1)

        busy = subprocess.run(  # noqa: S603 - a second server on the same port
            serve_command(port),
            env=_env(tmp_path),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert busy.returncode == 1
        assert busy.stderr.startswith(f"error: port {port} on {LOOPBACK} is in use"), busy.stderr
        assert len(busy.stderr.strip().splitlines()) == 1, busy.stderr
        assert "Traceback" not in busy.stderr
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0]
    url = f"http://{LOOPBACK}:{port}"
    assert f"Roadmap Ledger serves {url}" in output
    assert f"{url}/docs" in output
    assert f"auditor workbench  {url}/auditor/" in output
    assert "token --sub alice --party FR --role official" in output
    assert f"the secret in {tmp_path / 'secret'}" in output


def test_serve_on_a_port_in_use_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROADMAP_DATABASE_URL", f"sqlite:///{tmp_path}/roadmap.db")
    with socket.socket() as taken:
        taken.bind((LOOPBACK, 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(cli, ["serve", "--port", str(port)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: port {port} on {LOOPBACK} is in use (another `roadmap serve`?): stop it, or "
        "serve on another port: roadmap serve --port 8080, ROADMAP_PORT=8080, or "
        "make run PORT=8080\n"
    )


def test_token_says_which_secret_signed_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    args = ["token", "--sub", "alice", "--party", "FR", "--role", "official"]
    secret_file = tmp_path / "here" / ".roadmap-secret"
    monkeypatch.setenv("ROADMAP_SECRET_FILE", str(secret_file))
    monkeypatch.delenv("ROADMAP_SECRET", raising=False)
    first = runner.invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert f"signed with a new secret generated into {secret_file}" in first.stderr
    second = runner.invoke(cli, args)
    assert f"signed with the secret in {secret_file}" in second.stderr
    monkeypatch.setenv("ROADMAP_SECRET", "s" * 40)
    third = runner.invoke(cli, args)
    assert third.stderr.startswith("signed with ROADMAP_SECRET")
    assert third.stdout.count(".") == 2  # the token alone on stdout, for $(roadmap token …)


def test_token_ignores_the_database_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Minting needs no store: a wrong ROADMAP_DATABASE_URL does not stop it; a wrong token
    setting does (exit 2)."""
    monkeypatch.setenv("ROADMAP_SECRET", "s" * 40)
    monkeypatch.setenv("ROADMAP_DATABASE_URL", "mysql://db/roadmap")
    args = ["token", "--sub", "alice", "--role", "auditor"]
    assert runner.invoke(cli, args).exit_code == 0
    monkeypatch.setenv("ROADMAP_JWT_LEEWAY_SECONDS", "many")
    refused = runner.invoke(cli, args)
    assert refused.exit_code == 2
    assert "ROADMAP_JWT_LEEWAY_SECONDS" in refused.stderr


def _loaded_by(args: list[str], tmp_path: Path) -> set[str]:
    """The modules a `roadmap` command has loaded when it ends, in a fresh interpreter."""
    probe = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('\\nLOADED', ' '.join(sys.modules), file=sys.stderr))\n"
        "from api.cli import main\n"
        f"sys.argv = ['roadmap', *{args!r}]\n"
        "main()\n"
    )
    done = subprocess.run(  # noqa: S603 - this interpreter, our own code
        [sys.executable, "-c", probe],
        env=_env(tmp_path, ROADMAP_SECRET="s" * 40),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    line = next(x for x in done.stderr.splitlines() if x.startswith("LOADED "))
    return set(line.split()[1:])


HEAVY = {"fastapi", "starlette", "uvicorn", "psycopg", "psycopg_pool", "projections"}


def test_quick_commands_load_only_what_they_use(tmp_path: Path) -> None:
    help_loaded = _loaded_by(["--help"], tmp_path)
    assert not (HEAVY | {"eventsourcing", "pydantic", "jwt", "domain.storage"}) & help_loaded
    token = _loaded_by(["token", "--sub", "alice", "--role", "auditor"], tmp_path)
    assert not (HEAVY | {"eventsourcing", "domain.storage"}) & token
    runner.invoke(cli, ["demo"], env=_env(tmp_path))
    state = _loaded_by(["state"], tmp_path)
    assert not HEAVY & state


def test_the_report_names_of_the_help_are_the_reports() -> None:
    assert tuple(REPORTS) == REPORT_NAMES
