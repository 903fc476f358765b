"""`roadmap worker` in its own process, for the tests that kill it mid-batch."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

ROADMAP_BIN = Path(sys.executable).parent / "roadmap"


class Worker:
    """`roadmap worker` in its own process, stopped with SIGKILL or SIGTERM."""

    def __init__(self, url: str, directory: Path, env: Mapping[str, str] | None = None) -> None:
        """`env` adds to (or overrides) the worker's environment."""
        env = {
            **os.environ,
            "ROADMAP_DATABASE_URL": url,
            "ROADMAP_SIGNING_KEY_FILE": str(directory / "signing-key.pem"),
            "ROADMAP_SECRET": "test-secret",
            **(env or {}),
        }
        self.log = (directory / f"worker-{time.monotonic_ns()}.log").open("wb")
        self.process = subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
            [str(ROADMAP_BIN), "worker"],
            env=env,
            cwd=directory,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.path = Path(self.log.name)

    def output(self) -> str:
        return self.path.read_text(encoding="utf-8", errors="replace")

    def wait_started(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while "projection worker started" not in self.output():
            assert self.process.poll() is None, f"the worker exited: {self.output()}"
            assert time.monotonic() < deadline, f"the worker did not start: {self.output()}"
            time.sleep(0.02)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        self.log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        self.log.close()
