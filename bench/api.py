"""HTTP throughput and latency: N concurrent clients against `roadmap serve` on PostgreSQL.

On a fresh schema, `roadmap serve` runs as a child process on a loopback port (embedded mode: the
projections run in the server, as by default). The clients run in another process: one asyncio
loop, one keep-alive connection per client, each client in a closed loop (send, wait for the
answer, send the next). Each client is a Canadian official of its own (its own token subject)
with a pledge of its own. The mix, per request (`--reads`, `--creations`):

- `GET /pledges/{id}?min_position=P` of any pledge made so far, P the position of its creation
  (read-your-writes: the read waits for the projections if they are behind);
- `POST /pledges/{id}/progress` on the pledge the client made last, with a growing delivered
  amount (items stay short, as real ones: a command replays its item's events);
- `POST /roadmaps/{id}/pledges` (a creation; the client then reports on the new pledge).

Every command carries a unique Idempotency-Key, as a careful client's would (`--no-keys` to
compare). The server's rate limit is lifted (ROADMAP_RATE_LIMIT_PER_MINUTE); it would otherwise
hold each subject to 10 requests/s.

The load's HTTP client is a lean HTTP/1.1 connection (`Connection`): httpx costs about 2 ms of
CPU a request, which on a 2-core machine is taken from the server (`--client httpx` to compare).

In the same run, the facade rate is measured with `bench.append.run_postgres` (sequential
`RoadmapLedger.make_pledge` on a fresh schema, no HTTP) before and after the HTTP run; their mean
is the reference; the raw single-row commits of the same measurements are the second baseline.
Then the facade alone in 1 and in 4 processes at once, on fresh schemas (`--writer-seconds`).
Printed and written to bench/results/api.json: requests/s, p50 and p99 latency of commands and
reads, errors, command throughput / facade rate and / raw rate, the writers' scaling, the CPU
share the server and client processes used and the server's CPU ms per request (`--reads 0`:
per command; `--profile FILE`: where it goes), and the machine's facts. Targets: commands >= 0.5x
the facade and >= 0.15x raw commits, p99 < 100 ms, no error; 4 writer processes >= 2.5x one.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import secrets
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from pydantic import SecretStr

from api.auth import mint_token
from api.settings import Settings
from bench import append
from bench.common import (
    fresh_schema,
    machine,
    postgres_url_default,
    quantile_ms,
    render,
    with_schema,
    write,
)
from domain.application.service import RoadmapLedger
from domain.storage import persistence_env
from domain.storage.postgres import Factory
from tests.e2e.servers import ServerProcess, serve_command

TARGET_RATIO = 0.5
TARGET_P99_MS = 100.0
#: Commands/s at least this share of raw single-row transactions in the same run.
TARGET_RAW_RATIO = 0.15
#: Facade throughput of WRITERS processes at least this multiple of one process's.
TARGET_WRITERS, WRITERS = 2.5, 4
#: Concurrent savers in the recorder comparison, and the state bytes of each event.
RECORDER_THREADS, STATE, ROUNDS = 8, b'{"title": "bench"}' * 20, 3
UNIT = "personnel"
PRIORITIES = [{"code": "operations-support", "title": "Support to peacekeeping operations"}]
#: (kind: read, progress or creation; start after the warm-up, seconds; latency, seconds;
#: status, 0 without an answer; error, "" if none)
Sample = tuple[str, float, float, int, str]
COMMANDS = ("progress", "creation")


@dataclass(frozen=True)
class Plan:
    """What the client process needs: where, who, what, and for how long."""

    url: str
    roadmap_id: str
    pledge_ids: list[str]
    seeded_position: int
    tokens: list[str]
    reads: float
    creations: float
    keys: bool
    duration: float
    requests: int
    warmup: float
    seed: int
    client: str


# --- the client process --------------------------------------------------------------------


class Transport(Protocol):
    async def request(
        self, method: str, path: str, body: Any, headers: dict[str, str]
    ) -> tuple[int, bytes]: ...

    async def close(self) -> None: ...


class Connection:
    """One keep-alive HTTP/1.1 connection, for the load: a few microseconds of CPU a request.

    httpx's client costs about 2 ms of CPU a request; on a 2-core machine shared with the server
    and PostgreSQL, that would be measured as the server's. Enough HTTP for uvicorn's answers
    (Content-Length or chunked bodies); any error closes the connection, the next request
    opens a new one.
    """

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def request(
        self, method: str, path: str, body: Any, headers: dict[str, str]
    ) -> tuple[int, bytes]:
        if self.streams is None:
            self.streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.streams
        payload = b"" if body is None else json.dumps(body).encode()
        lines = [f"{method} {path} HTTP/1.1", f"host: {self.host}:{self.port}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if body is not None:
            lines += ["content-type: application/json", f"content-length: {len(payload)}"]
        try:
            writer.write("\r\n".join(lines).encode() + b"\r\n\r\n" + payload)
            status = int((await reader.readuntil(b"\r\n")).split()[1])
            length, chunked, close = 0, False, False
            while (line := await reader.readuntil(b"\r\n")) != b"\r\n":
                name, _, value = line.partition(b":")
                name, value = name.strip().lower(), value.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"transfer-encoding":
                    chunked = b"chunked" in value
                elif name == b"connection":
                    close = value == b"close"
            data = await (self._chunks(reader) if chunked else reader.readexactly(length))
        except BaseException:
            await self.close()
            raise
        if close:
            await self.close()
        return status, data

    @staticmethod
    async def _chunks(reader: asyncio.StreamReader) -> bytes:
        data = b""
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            data += await reader.readexactly(size)
            await reader.readexactly(2)
        while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers
            pass
        return data

    async def close(self) -> None:
        if self.streams is not None:
            writer = self.streams[1]
            self.streams = None
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


class HttpxTransport:
    """The same requests through one shared `httpx.AsyncClient` (`--client httpx`)."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def request(
        self, method: str, path: str, body: Any, headers: dict[str, str]
    ) -> tuple[int, bytes]:
        answer = await self.http.request(method, path, json=body, headers=headers)
        return answer.status_code, answer.content

    async def close(self) -> None:
        pass


@dataclass
class Shared:
    """What the clients of the process share (one event loop: no locks needed)."""

    measured_from: float
    stop_at: float
    budget: int
    #: (pledge id, the position of its creation)
    pledges: list[tuple[str, int]]
    samples: list[Sample]
    #: Every answered request, warm-up included (the server's CPU is counted over them all).
    sent: int = 0


async def _client(number: int, plan: Plan, transport: Transport, shared: Shared) -> None:
    """One closed-loop client; progress goes to the pledge it made last, so items stay short."""
    rng = random.Random(plan.seed + number)
    auth = {"authorization": f"Bearer {plan.tokens[number]}"}
    own = plan.pledge_ids[number]
    delivered = made = 0
    while time.monotonic() < shared.stop_at and shared.budget > 0:
        draw = rng.random()
        headers = dict(auth)
        body: dict[str, Any] | None = None
        if draw < plan.reads:
            pledge_id, position = rng.choice(shared.pledges)
            # read-your-writes, as a client that made the pledge would
            kind, method, path = "read", "GET", f"/pledges/{pledge_id}?min_position={position}"
        else:
            if plan.keys:
                headers["idempotency-key"] = f"bench-{uuid.uuid4().hex}"
            if draw < plan.reads + plan.creations:
                made += 1
                kind, method, path = "creation", "POST", f"/roadmaps/{plan.roadmap_id}/pledges"
                body = _pledge(f"bench pledge {number}-{made}")
            else:
                delivered += 1
                kind, method, path = "progress", "POST", f"/pledges/{own}/progress"
                body = {"delivered": {"amount": str(delivered), "unit": UNIT}}
        started = time.monotonic()
        status, error = 0, ""
        try:
            status, data = await transport.request(method, path, body, headers)
            if not 200 <= status < 300:
                error = f"{method} {path}: {status} {data[:300].decode(errors='replace')}"
            elif kind == "creation":
                answered = json.loads(data)
                own, delivered = answered["id"], 0
                shared.pledges.append((own, answered["position"]))
        except (OSError, ValueError, asyncio.IncompleteReadError, httpx.HTTPError) as exc:
            error = f"{method} {path}: {type(exc).__name__} {exc}"
        elapsed = time.monotonic() - started
        shared.sent += 1
        if started >= shared.measured_from:
            shared.budget -= 1
            shared.samples.append((kind, started - shared.measured_from, elapsed, status, error))


async def _drive(plan: Plan) -> dict[str, Any]:
    clients = len(plan.tokens)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=plan.url, timeout=30.0, limits=limits) as http:
        transports: list[Transport] = [
            HttpxTransport(http) if plan.client == "httpx" else Connection(plan.url)
            for _ in range(clients)
        ]
        began = time.monotonic()
        shared = Shared(
            measured_from=began + plan.warmup,
            stop_at=began + plan.warmup + plan.duration,
            budget=plan.requests,
            pledges=[(pledge_id, plan.seeded_position) for pledge_id in plan.pledge_ids],
            samples=[],
        )
        cpu = time.process_time()
        try:
            await asyncio.gather(*(_client(n, plan, transports[n], shared) for n in range(clients)))
        finally:
            ended = time.monotonic()
            cpu = time.process_time() - cpu
            for transport in transports:
                await transport.close()
    return {
        "samples": shared.samples,
        "seconds": ended - max(shared.measured_from, began),
        "client_cpu_seconds": cpu,
        "requests_sent": shared.sent,
        "client_wall_seconds": ended - began,
    }


def drive(plan: Plan) -> dict[str, Any]:
    """The client process's entry point."""
    return asyncio.run(_drive(plan))


# --- the server, the seed, the run -----------------------------------------------------------


def _pledge(title: str) -> dict[str, Any]:
    return {
        "party": "CA",
        "title": title,
        "kind": "personnel",
        "quantity": {"amount": "1000000000", "unit": UNIT},
        "priorities": ["operations-support"],
    }


def _seed(url: str, settings: Settings, clients: int) -> tuple[str, list[str], int, list[str]]:
    """A roadmap, one official and one pledge per client.

    Answers the roadmap's id, the pledges' ids, the last position recorded, the tokens.
    """
    french = mint_token(settings, subject="bench-fr", party="FR", roles=["official"])
    tokens = [
        mint_token(settings, subject=f"bench-ca-{n}", party="CA", roles=["official"])
        for n in range(clients)
    ]
    with httpx.Client(base_url=url, timeout=30.0) as http:
        adopted = http.post(
            "/roadmaps",
            json={
                "title": "Benchmark roadmap",
                "parties": ["FR", "CA"],
                "adopted_on": "2016-10-13",
                "priorities": PRIORITIES,
            },
            headers={"Authorization": f"Bearer {french}"},
        )
        adopted.raise_for_status()
        roadmap_id: str = adopted.json()["id"]
        pledge_ids = []
        position = 0
        for n, token in enumerate(tokens):
            made = http.post(
                f"/roadmaps/{roadmap_id}/pledges",
                json=_pledge(f"bench client {n}"),
                headers={"Authorization": f"Bearer {token}"},
            )
            made.raise_for_status()
            pledge_ids.append(made.json()["id"])
            position = made.json()["position"]
    return roadmap_id, pledge_ids, position, tokens


def _summary(samples: list[Sample], kind: str | None, seconds: float) -> dict[str, Any]:
    kinds = COMMANDS if kind == "command" else (kind,)
    chosen = [s for s in samples if kind is None or s[0] in kinds]
    latencies = [s[2] for s in chosen]
    errors = [s[4] for s in chosen if s[4]]
    return {
        "requests": len(chosen),
        "per_s": round(len(chosen) / seconds, 1) if seconds > 0 else 0.0,
        "p50_ms": round(quantile_ms(latencies, 0.5), 2) if latencies else None,
        "p99_ms": round(quantile_ms(latencies, 0.99), 2) if latencies else None,
        "errors": len(errors),
        "error_samples": errors[:5],
    }


@contextlib.contextmanager
def profiled(pid: int | None, output: Path | None) -> Iterator[None]:
    """`py-spy record` of the server while the clients run (`--profile`): folded stacks of the
    thread holding the GIL, i.e. where its Python CPU goes."""
    if output is None or pid is None:
        yield
        return
    command = ["py-spy", "record", "--pid", str(pid), "--format", "raw", "--gil", "--rate", "50"]
    command.append("--subprocesses")
    spy = subprocess.Popen([*command, "--output", str(output)])  # noqa: S603 - fixed argv
    time.sleep(1.0)  # py-spy attaches
    try:
        yield
    finally:
        spy.send_signal(signal.SIGINT)
        spy.wait(30)


def _writer(url: str, seconds: float, start_at: float) -> int:
    """One process's facade commands (`make_pledge`, one event each) for `seconds`."""
    facade = append.Facade(url)
    try:
        facade.append()  # warm up, untimed
        time.sleep(max(0.0, start_at - time.time()))
        stop_at, done = time.monotonic() + seconds, 0
        while time.monotonic() < stop_at:
            facade.append()
            done += 1
        return done
    finally:
        facade.app.close()


def _writers(url: str, processes: int, seconds: float) -> float:
    """Events/s of `processes` writers on one store, started together."""
    start_at = time.time() + 5.0  # every process imported and connected by then
    context = get_context("spawn")
    with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
        counts = [pool.submit(_writer, url, seconds, start_at) for _ in range(processes)]
        return sum(c.result() for c in counts) / seconds


def writer_scaling(postgres_url: str, seconds: float) -> dict[str, Any]:
    """One writer process, then WRITERS at once, each on a fresh schema."""
    rates = []
    for processes in (1, WRITERS):
        with fresh_schema(postgres_url) as schema:
            url = with_schema(postgres_url, schema)
            RoadmapLedger(url).close()  # the tables made once: concurrent DDL fails
            rates.append(_writers(url, processes, seconds))
    return {
        "command": "bench.append.Facade.append (make_pledge) in a loop, per process",
        "seconds": seconds,
        "processes": WRITERS,
        "one_per_s": round(rates[0], 1),
        "many_per_s": round(rates[1], 1),
        "ratio": round(rates[1] / rates[0], 2),
    }


def _inserts_per_s(recorder: Any, threads: int, seconds: float) -> float:
    """Single-event saves (a new stream each) by `threads` threads through `recorder`."""
    stop_at = time.monotonic() + seconds
    counts = [0] * threads

    def write(number: int) -> None:
        while time.monotonic() < stop_at:
            recorder.insert_events([StoredEvent(uuid.uuid4(), 1, "bench:Happened", STATE)])
            counts[number] += 1

    pool = [threading.Thread(target=write, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return sum(counts) / seconds


def recorder_scaling(postgres_url: str, seconds: float) -> dict[str, Any]:
    """Concurrent savers through this recorder and through the library's table-locking one,
    in one process: threads wait on PostgreSQL, not on Python, so this is the lock's share."""
    rates: dict[str, float] = {}
    with fresh_schema(postgres_url) as schema:
        env = persistence_env(with_schema(postgres_url, schema))
        env["POSTGRES_POOL_SIZE"] = str(RECORDER_THREADS)
        factory = Factory(env)
        try:
            ours = factory.application_recorder()
            locking = PostgresApplicationRecorder(factory.datastore, events_table_name="locked")
            locking.create_table()
            recorders = (("ours", ours), ("library", locking))
            for _, recorder in recorders:
                _inserts_per_s(recorder, 2, 0.5)  # connections made, plans cached: untimed
            for threads in (1, RECORDER_THREADS):
                # Alternated in rounds, so that a noisy machine slows both alike.
                for _ in range(ROUNDS):
                    for name, recorder in recorders:
                        rate = _inserts_per_s(recorder, threads, seconds / ROUNDS) / ROUNDS
                        rates[f"{name}_{threads}"] = rates.get(f"{name}_{threads}", 0.0) + rate
        finally:
            factory.close()
    return {
        "command": "recorder.insert_events, one event a save, by 1 and by "
        f"{RECORDER_THREADS} threads; the library's recorder takes LOCK TABLE on each",
        "seconds": seconds,
        "threads": RECORDER_THREADS,
        **{key: round(rate, 1) for key, rate in rates.items()},
        "ours_ratio": round(rates[f"ours_{RECORDER_THREADS}"] / rates["ours_1"], 2),
        "library_ratio": round(rates[f"library_{RECORDER_THREADS}"] / rates["library_1"], 2),
    }


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU seconds so far of the server: every process of its group (its workers
    too; `roadmap serve` leads a session of its own). Linux /proc; 0 elsewhere."""
    if pid is None:
        return 0.0
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # ended meanwhile
        if int(fields[2]) == pid:  # its process group
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def seeded_server(
    args: argparse.Namespace, command: Callable[[int], list[str]] = serve_command
) -> Iterator[tuple[ServerProcess, tuple[str, list[str], int, list[str]]]]:
    """A server (`args.workers` processes, no rate limit) on a fresh schema, seeded with a
    roadmap, a pledge and a token for each of `args.clients`; closed at the end."""
    secret = secrets.token_urlsafe(48)
    with fresh_schema(args.postgres_url) as schema:
        url = with_schema(args.postgres_url, schema)
        settings = Settings(database_url=url, secret=SecretStr(secret))
        server = ServerProcess(
            {
                "ROADMAP_DATABASE_URL": url,
                "ROADMAP_SECRET": secret,
                "ROADMAP_RATE_LIMIT_PER_MINUTE": str(10**9),
                "ROADMAP_WORKERS": str(args.workers),
            },
            command=command,
        )
        try:
            server.start(timeout=120.0)  # N processes set the store up in turn
            yield server, _seed(server.url, settings, args.clients)
        finally:
            server.close()


def run(args: argparse.Namespace) -> dict[str, Any]:
    before = append.run_postgres(args.facade_events, 2, args.postgres_url)
    with seeded_server(args) as (server, seeded):
        try:
            roadmap_id, pledge_ids, position, tokens = seeded
            plan = Plan(
                url=server.url,
                roadmap_id=roadmap_id,
                pledge_ids=pledge_ids,
                seeded_position=position,
                tokens=tokens,
                reads=args.reads,
                creations=args.creations,
                keys=not args.no_keys,
                duration=args.duration,
                requests=args.requests,
                warmup=args.warmup,
                seed=args.seed,
                client=args.client,
            )
            with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
                pid = server.process.pid if server.process is not None else None
                cpu, wall = cpu_seconds(pid), time.monotonic()
                with profiled(pid, args.profile):
                    driven = pool.submit(drive, plan).result()
                server_cpu_seconds = cpu_seconds(pid) - cpu
                server_cpu = server_cpu_seconds / (time.monotonic() - wall)
        finally:
            server_log = server.tail(40)
    after = append.run_postgres(args.facade_events, 2, args.postgres_url)
    facade_rate = (before.facade_events_per_s + after.facade_events_per_s) / 2
    raw_rate = (before.raw_events_per_s + after.raw_events_per_s) / 2
    scaling = writer_scaling(args.postgres_url, args.writer_seconds)
    recorders = recorder_scaling(args.postgres_url, args.writer_seconds / 2)
    samples, seconds = driven["samples"], driven["seconds"]
    commands = _summary(samples, "command", seconds)
    reads = _summary(samples, "read", seconds)
    overall = _summary(samples, None, seconds)
    by_kind = {kind: _summary(samples, kind, seconds) for kind in COMMANDS}
    ratio = commands["per_s"] / facade_rate
    raw_ratio = commands["per_s"] / raw_rate
    p99s = [p for p in (commands["p99_ms"], reads["p99_ms"]) if p is not None]
    checks = {
        "ratio": ratio >= TARGET_RATIO,
        "raw_ratio": raw_ratio >= TARGET_RAW_RATIO,
        "writers": scaling["ratio"] >= TARGET_WRITERS,
        "p99": bool(p99s) and max(p99s) < TARGET_P99_MS,
        "errors": overall["errors"] == 0,
    }
    return {
        "clients": args.clients,
        "server_processes": args.workers,
        "seconds": round(seconds, 2),
        "mix": {"reads": args.reads, "creations": args.creations, "progress": args.progress},
        "idempotency_keys": not args.no_keys,
        "client": args.client,
        "server_process_cpu_share": round(server_cpu, 2),
        # Warm-up included: the server's CPU while the clients ran, over the measured requests
        # (projections included, as they run in the server); --reads 0 makes it per command.
        "server_cpu_ms_per_request": round(
            1000 * server_cpu_seconds / max(1, driven["requests_sent"]), 2
        ),
        "client_process_cpu_share": round(
            driven["client_cpu_seconds"] / driven["client_wall_seconds"], 2
        ),
        "commands": commands,
        "reads": reads,
        "all": overall,
        **by_kind,
        "facade_events_per_s": round(facade_rate, 1),
        "facade": {
            "command": "bench.append.run_postgres: RoadmapLedger.make_pledge, one at a time",
            "events": args.facade_events,
            "before": {
                "events_per_s": before.facade_events_per_s,
                "p50_ms": before.facade_p50_ms,
            },
            "after": {"events_per_s": after.facade_events_per_s, "p50_ms": after.facade_p50_ms},
        },
        "command_ratio": round(ratio, 3),
        "raw_events_per_s": round(raw_rate, 1),
        "command_raw_ratio": round(raw_ratio, 3),
        "writer_processes": scaling,
        "recorder_writers": recorders,
        "targets": {
            "command_ratio": f">= {TARGET_RATIO}",
            "command_raw_ratio": f">= {TARGET_RAW_RATIO}",
            "writer_processes_ratio": f">= {TARGET_WRITERS}",
            "p99_ms": f"< {TARGET_P99_MS:.0f}",
            "errors": "0",
        },
        "checks": checks,
        # What the server said, when a request went wrong: the first place to look.
        "server_log_tail": server_log.splitlines() if overall["errors"] else [],
        "passed": all(checks.values()),
    }


def table(r: dict[str, Any]) -> str:
    def ms(value: float | None) -> str:
        return "-" if value is None else f"{value:.1f}"

    rows = [("", "requests", "req/s", "p50 ms", "p99 ms", "errors")]
    for name in ("commands", "progress", "creation", "reads", "all"):
        s = r[name]
        rows.append(
            (
                name if name in ("commands", "reads", "all") else f"  {name}",
                f"{s['requests']:,}",
                f"{s['per_s']:,.0f}",
                ms(s["p50_ms"]),
                ms(s["p99_ms"]),
                str(s["errors"]),
            )
        )
    verdict = "pass" if r["passed"] else "FAIL"
    lines = [
        render(rows),
        "",
        render(
            [
                ("what", "value", "target", "result"),
                (
                    "commands/s vs facade",
                    f"{r['commands']['per_s']:,.0f} / {r['facade_events_per_s']:,.0f} "
                    f"= {r['command_ratio']:.2f}",
                    f">= {TARGET_RATIO}",
                    "pass" if r["checks"]["ratio"] else "FAIL",
                ),
                (
                    "commands/s vs raw 1-row commits",
                    f"{r['commands']['per_s']:,.0f} / {r['raw_events_per_s']:,.0f} "
                    f"= {r['command_raw_ratio']:.2f}",
                    f">= {TARGET_RAW_RATIO}",
                    "pass" if r["checks"]["raw_ratio"] else "FAIL",
                ),
                (
                    f"{WRITERS} writer processes vs 1",
                    f"{r['writer_processes']['many_per_s']:,.0f} / "
                    f"{r['writer_processes']['one_per_s']:,.0f} "
                    f"= {r['writer_processes']['ratio']:.2f}",
                    f">= {TARGET_WRITERS}",
                    "pass" if r["checks"]["writers"] else "FAIL",
                ),
                (
                    f"recorder: {RECORDER_THREADS} savers vs 1",
                    f"{r['recorder_writers']['ours_ratio']:.2f} "
                    f"(library, table lock: {r['recorder_writers']['library_ratio']:.2f})",
                    "",
                    "",
                ),
                (
                    f"p99 at {r['clients']} clients",
                    f"{max(r['commands']['p99_ms'] or 0, r['reads']['p99_ms'] or 0):.1f} ms",
                    f"< {TARGET_P99_MS:.0f} ms",
                    "pass" if r["checks"]["p99"] else "FAIL",
                ),
                (
                    "errors",
                    str(r["all"]["errors"]),
                    "0",
                    "pass" if r["checks"]["errors"] else "FAIL",
                ),
                ("result", verdict, "", ""),
            ]
        ),
    ]
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench api",
        description="Concurrent HTTP clients against `roadmap serve` on PostgreSQL.",
    )
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (16)")
    parser.add_argument(
        "--duration", type=float, default=20.0, help="measured seconds at most (20)"
    )
    parser.add_argument(
        "--requests", type=int, default=3000, help="measured requests at most (3000)"
    )
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds first (2)")
    parser.add_argument("--reads", type=float, default=0.5, help="share of reads (0.5)")
    parser.add_argument(
        "--creations", type=float, default=0.15, help="share of pledges made (0.15)"
    )
    parser.add_argument(
        "--no-keys", action="store_true", help="send commands without Idempotency-Key"
    )
    parser.add_argument(
        "--facade-events",
        type=int,
        default=500,
        help="events of each facade measurement, before and after the HTTP run (500)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="server processes (ROADMAP_WORKERS; default as roadmap serve's on PostgreSQL: "
        "the cores)",
    )
    parser.add_argument(
        "--writer-seconds",
        type=float,
        default=5.0,
        help=f"seconds of facade commands by 1, then {WRITERS} processes (5)",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        default=None,
        help="py-spy record the server while the clients run, raw folded stacks to this file",
    )
    parser.add_argument("--seed", type=int, default=2016, help="the clients' random choices")
    parser.add_argument(
        "--client",
        choices=("raw", "httpx"),
        default="raw",
        help="the load's HTTP client: a lean keep-alive connection per client (raw, default), "
        "or one shared httpx.AsyncClient (about 2 ms of CPU a request, taken from the server)",
    )
    parser.add_argument(
        "--output", type=Path, default=None, help="JSON results (bench/results/api.json)"
    )
    parser.add_argument(
        "--postgres-url",
        default=postgres_url_default(),
        help="server to measure on; fresh schemas are made and dropped (default: "
        "ROADMAP_TEST_DATABASE_URL or %(default)s)",
    )
    args = parser.parse_args(argv)
    if args.clients < 1 or args.requests < 1 or args.duration <= 0 or args.warmup < 0:
        parser.error("--clients, --requests and --duration must be positive")
    if args.reads < 0 or args.creations < 0 or args.reads + args.creations > 1:
        parser.error("--reads and --creations are shares: non-negative, at most 1 together")
    args.progress = round(1 - args.reads - args.creations, 6)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    result = run(args)
    print(table(result))
    command = " ".join(["python -m bench api", *(sys.argv[1:] if argv is None else argv)])
    path = write(
        "api",
        {
            "command": command,
            "note": "loopback; server, clients and PostgreSQL share the machine",
            "machine": machine(args.postgres_url),
            **result,
        },
        args.output,
    )
    print(f"\nwritten to {path}")
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
