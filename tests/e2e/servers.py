"""Real HTTP servers on loopback: the app under uvicorn in a thread, or `roadmap serve`.

Used by the concurrency and crash tests, and by `python -m bench api`.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx
import uvicorn

from api.app import create_app
from api.settings import Settings

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """A TCP port nobody listens on right now (the kernel's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serving(settings: Settings) -> Iterator[str]:
    """`create_app(settings)` under uvicorn in a thread of this process; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(
        create_app(settings), host=LOOPBACK, port=port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            msg = f"uvicorn did not start on port {port}"
            raise RuntimeError(msg)
        time.sleep(0.02)
    try:
        yield f"http://{LOOPBACK}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def serve_command(port: int) -> list[str]:
    """`roadmap serve` from this interpreter's environment, else uvicorn on the app factory."""
    script = Path(sys.executable).with_name("roadmap")
    if script.exists() or shutil.which("roadmap") is not None:
        executable = str(script) if script.exists() else "roadmap"
        return [executable, "serve", "--host", LOOPBACK, "--port", str(port)]
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "api.app:create_app",
        "--factory",
        "--host",
        LOOPBACK,
        "--port",
        str(port),
    ]


class ServerProcess:
    """`roadmap serve` as a child process: started, killed (SIGKILL) and restarted on one port.

    `env` adds ROADMAP_* settings to this process's environment. The server runs in a scratch
    directory of its own (the tree-head signing key goes there unless `env` names one), and its
    output goes to `log` (a file in that directory by default): read it when a start fails.
    """

    def __init__(
        self,
        env: Mapping[str, str],
        port: int | None = None,
        command: Callable[[int], list[str]] = serve_command,
    ) -> None:
        """`command` is the argv that serves on a port: `roadmap serve` unless another server
        is measured (bench/servers.py)."""
        self.command = command
        self.port = port or free_port()
        self.url = f"http://{LOOPBACK}:{self.port}"
        self.workdir = Path(tempfile.mkdtemp(prefix="roadmap-serve-"))
        self.log = self.workdir / "server.log"
        self.env = {
            **os.environ,
            "ROADMAP_SIGNING_KEY_FILE": str(self.workdir / "signing-key.pem"),
            "ROADMAP_SECRET_FILE": str(self.workdir / "secret"),
            # One process unless asked: N processes set the store up one after another, and a
            # test's start-up deadline is for one.
            "ROADMAP_WORKERS": "1",
            **env,
        }
        self.process: subprocess.Popen[bytes] | None = None
        self._output: IO[bytes] | None = None
        self.starts = 0

    def start(self, timeout: float = 30.0) -> None:
        """Start the server and wait until `/ready` answers 200."""
        self.launch()
        self.wait_ready(timeout)

    def launch(self) -> None:
        """Start the server without waiting for it: several start at once, then `wait_ready`."""
        if self.process is not None and self.process.poll() is None:
            raise RuntimeError("the server is already running")
        self._close_output()
        self._output = self.log.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - our own console script, no shell
            self.command(self.port),
            env=self.env,
            cwd=self.workdir,
            stdout=self._output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.starts += 1

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Until `/ready` answers 200; killed, and RuntimeError, past `timeout` seconds."""
        assert self.process is not None, "launch() first"
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                msg = f"the server exited with {self.process.returncode}:\n{self.tail()}"
                raise RuntimeError(msg)
            try:
                if httpx.get(f"{self.url}/ready", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.kill()
                msg = f"the server did not get ready in {timeout} s:\n{self.tail()}"
                raise RuntimeError(msg)
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL to every process of the server (its workers too): no shutdown, no flush, as
        a crash of the machine or its container."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGKILL)  # its own session: see start()
        process.wait(30)

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM, then SIGKILL if it has not ended in `timeout` seconds."""
        process = self.process
        if process is None or process.poll() is not None:
            self._close_output()
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        self._close_output()

    def tail(self, lines: int = 40) -> str:
        if self._output is not None:
            self._output.flush()
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def close(self) -> None:
        """Stop the server (if it runs) and remove its scratch directory."""
        try:
            self.stop()
        finally:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def _close_output(self) -> None:
        if self._output is not None:
            self._output.close()
            self._output = None

    def __enter__(self) -> ServerProcess:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
