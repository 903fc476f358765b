"""A PostgreSQL server of the test's own, to stop and start at will, and a small filesystem to
fill: the outage tests never touch the shared cluster other tests use.

Either needs what a developer's machine may lack (PostgreSQL's binaries, root to mount a
tmpfs): the test is then skipped with the reason, except under CI=true, where it must run.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from tests.e2e.servers import free_port


def unavailable(reason: str) -> None:
    """Skip, or fail under CI=true, where every outage test must run."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


def _bin_dir() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)
    if found:
        return found[0].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@dataclass
class Instance:
    """A throwaway PostgreSQL server on loopback (trust authentication, user `postgres`)."""

    bin_dir: Path
    data: Path
    port: int
    as_postgres: bool

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, timeout: float = 60) -> None:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=timeout)  # noqa: S603

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data.parent} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "start", "-w", "-D", str(self.data), "-o", options, "-l", str(self.log))
        deadline = time.monotonic() + 30
        while True:
            try:
                psycopg.connect(self.url, connect_timeout=2).close()
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
            else:
                return

    def stop(self, mode: str = "fast") -> None:
        """As an operator stops it: open sessions are ended (AdminShutdown)."""
        self._run("pg_ctl", "stop", "-w", "-m", mode, "-D", str(self.data))

    @property
    def log(self) -> Path:
        return self.data.parent / "postgres.log"


@contextmanager
def throwaway_postgres() -> Iterator[Instance]:
    """initdb into a scratch folder, start on a free port; stopped and removed afterwards."""
    bin_dir = _bin_dir()
    if bin_dir is None:
        unavailable("no PostgreSQL binaries (initdb, pg_ctl) on this machine")
        raise AssertionError  # unreachable: skip or fail raised
    root = Path(tempfile.mkdtemp(prefix="roadmap-pg-"))
    as_postgres = os.geteuid() == 0  # initdb refuses to run as root
    if as_postgres:
        shutil.chown(root, "postgres", "postgres")
    instance = Instance(bin_dir, root / "data", free_port(), as_postgres)
    try:
        try:
            instance._run("initdb", "-D", str(instance.data), "-A", "trust", "-U", "postgres")
        except (subprocess.CalledProcessError, OSError) as error:
            unavailable(f"initdb failed: {error}")
        instance.start()
        yield instance
    finally:
        with contextlib.suppress(subprocess.CalledProcessError, OSError):
            instance.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def small_filesystem(size: str = "8m") -> Iterator[Path]:
    """A tmpfs of `size`, mounted on a scratch folder (root only), unmounted afterwards."""
    mountpoint = Path(tempfile.mkdtemp(prefix="roadmap-full-"))
    try:
        mounted = subprocess.run(  # noqa: S603
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mountpoint)],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError as error:
        mountpoint.rmdir()
        unavailable(f"cannot mount a tmpfs for the full-disk test: {error}")
        raise AssertionError from None  # unreachable
    if mounted.returncode != 0:
        mountpoint.rmdir()
        unavailable(f"cannot mount a tmpfs for the full-disk test: {mounted.stderr.strip()}")
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], check=False)  # noqa: S603, S607
        shutil.rmtree(mountpoint, ignore_errors=True)


def fill(directory: Path) -> Path:
    """Writes a file in `directory` until the filesystem has no byte left; answers its path."""
    filler = directory / "filler"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for size in (1 << 20, 1 << 16, 1 << 12, 1 << 8, 1):
            block = b"\0" * size
            with contextlib.suppress(OSError):
                while os.write(descriptor, block) > 0:
                    pass
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    return filler
