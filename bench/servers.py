"""The production server, chosen by measurement: the same app and load under each candidate.

Candidates, each with the same number of processes (`--workers`, default the cores), the app's
projections embedded as `roadmap serve` runs them (one process holds the lease):

- `uvicorn`: `roadmap serve` (uvicorn's supervisor, httptools and uvloop);
- `granian`: `granian --interface asgi --factory api.app:create_app` (Rust HTTP, uvloop);
- `gunicorn`: `gunicorn -k uvicorn.workers.UvicornWorker 'api.app:create_app()'`.

The load is `bench api`'s client process (16 closed-loop clients, a lean keep-alive connection
each), commands only by default (`--reads 0`: pledge progress, 15% creations, each with an
Idempotency-Key). Each measurement runs on a fresh schema; the candidates alternate in rounds,
in a rotated order, so that a noisy machine weighs on each alike. A candidate whose executable
is not installed is left out (granian and gunicorn are not dependencies). Printed and written
to bench/results/servers.json: per candidate, commands/s, p50/p99 over every round's samples,
errors, and the server's CPU ms per command (every process of its group, projections included).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from bench import api
from bench.common import machine, postgres_url_default, render, write
from tests.e2e.servers import LOOPBACK, serve_command

APP = "api.app:create_app"


def _bin(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def candidates(workers: int) -> dict[str, Callable[[int], list[str]]]:
    """Each server's argv on a port, for `workers` processes."""
    return {
        "uvicorn": serve_command,  # processes from ROADMAP_WORKERS
        "granian": lambda port: [
            _bin("granian"),
            *("--interface", "asgi", "--factory", "--host", LOOPBACK, "--port", str(port)),
            *("--workers", str(workers), "--loop", "uvloop", "--http", "1", "--no-ws"),
            APP,
        ],
        "gunicorn": lambda port: [
            _bin("gunicorn"),
            *("-k", "uvicorn.workers.UvicornWorker", "-w", str(workers)),
            *("-b", f"{LOOPBACK}:{port}", "--graceful-timeout", "5"),
            f"{APP}()",
        ],
    }


def measure(
    name: str, command: Callable[[int], list[str]], args: argparse.Namespace
) -> dict[str, Any]:
    """One candidate's run on a fresh schema: samples, seconds, server CPU seconds, requests."""
    log = ""
    try:
        with api.seeded_server(args, command) as (server, seeded):
            try:
                roadmap_id, pledge_ids, position, tokens = seeded
                plan = api.Plan(
                    url=server.url,
                    roadmap_id=roadmap_id,
                    pledge_ids=pledge_ids,
                    seeded_position=position,
                    tokens=tokens,
                    reads=args.reads,
                    creations=args.creations,
                    keys=True,
                    duration=args.duration,
                    requests=10**9,
                    warmup=args.warmup,
                    seed=args.seed,
                    client="raw",
                )
                with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
                    pid = server.process.pid if server.process is not None else None
                    cpu = api.cpu_seconds(pid)
                    driven = pool.submit(api.drive, plan).result()
                    driven["server_cpu_seconds"] = api.cpu_seconds(pid) - cpu
            finally:
                log = server.tail(40)
    except RuntimeError as error:
        return {"name": name, "failed": str(error)}
    if any(sample[4] for sample in driven["samples"]):
        driven["server_log_tail"] = (
            log.splitlines()
        )  # what the server said: the first place to look
    return {"name": name, **driven}


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One candidate's rounds together: rates over the summed seconds, quantiles over all."""
    failed = [r["failed"] for r in runs if "failed" in r]
    runs = [r for r in runs if "failed" not in r]
    if not runs:
        return {"failed": failed}
    samples = [s for r in runs for s in r["samples"]]
    seconds = sum(r["seconds"] for r in runs)
    commands = api._summary(samples, "command", seconds)
    sent = sum(r["requests_sent"] for r in runs)
    cpu = sum(r["server_cpu_seconds"] for r in runs)
    return {
        "rounds": len(runs),
        "seconds": round(seconds, 1),
        "commands": commands,
        "reads": api._summary(samples, "read", seconds),
        "per_round_errors": [
            api._summary(r["samples"], "command", r["seconds"])["errors"] for r in runs
        ],
        "server_log_tails": [r["server_log_tail"] for r in runs if "server_log_tail" in r],
        "per_round_commands_per_s": [
            api._summary(r["samples"], "command", r["seconds"])["per_s"] for r in runs
        ],
        # Warm-up included, over every request answered while the clients ran.
        "server_cpu_ms_per_request": round(1000 * cpu / max(1, sent), 2),
        "failed": failed,
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    chosen = {
        name: command
        for name, command in candidates(args.workers).items()
        if name in args.servers
        and (name == "uvicorn" or Path(command(0)[0]).exists())  # installed here
    }
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in chosen}
    order = list(chosen)
    for round_ in range(args.rounds):
        for name in order[round_ % len(order) :] + order[: round_ % len(order)]:
            runs[name].append(measure(name, chosen[name], args))
            print(f"round {round_ + 1}: {name} done", file=sys.stderr, flush=True)
    return {
        "clients": args.clients,
        "server_processes": args.workers,
        "rounds": args.rounds,
        "seconds_per_round": args.duration,
        "mix": {"reads": args.reads, "creations": args.creations},
        "left_out": sorted(set(args.servers) - set(chosen)),
        "servers": {name: summarise(r) for name, r in runs.items()},
    }


def table(r: dict[str, Any]) -> str:
    rows = [("server", "commands/s", "per round", "p50 ms", "p99 ms", "errors", "CPU ms/req")]
    for name, s in r["servers"].items():
        if "commands" not in s:
            rows.append((name, "failed", "", "", "", "", ""))
            continue
        c = s["commands"]
        rows.append(
            (
                name,
                f"{c['per_s']:,.1f}",
                " ".join(f"{x:.0f}" for x in s["per_round_commands_per_s"]),
                f"{c['p50_ms']:.1f}",
                f"{c['p99_ms']:.1f}",
                str(c["errors"]),
                f"{s['server_cpu_ms_per_request']:.2f}",
            )
        )
    return render(rows)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench servers",
        description="The same app and load under uvicorn, granian and gunicorn, alternated.",
    )
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (16)")
    parser.add_argument("--duration", type=float, default=8.0, help="measured seconds a round (8)")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds first (2)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every candidate (3)")
    parser.add_argument("--reads", type=float, default=0.0, help="share of reads (0)")
    parser.add_argument(
        "--creations", type=float, default=0.15, help="share of pledges made (0.15)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="server processes of each candidate (default: the cores)",
    )
    parser.add_argument(
        "--servers",
        nargs="+",
        default=["uvicorn", "granian", "gunicorn"],
        choices=["uvicorn", "granian", "gunicorn"],
        help="candidates (all three)",
    )
    parser.add_argument("--seed", type=int, default=2016, help="the clients' random choices")
    parser.add_argument(
        "--output", type=Path, default=None, help="JSON results (bench/results/servers.json)"
    )
    parser.add_argument(
        "--postgres-url",
        default=postgres_url_default(),
        help="server to measure on; fresh schemas are made and dropped (default: "
        "ROADMAP_TEST_DATABASE_URL or %(default)s)",
    )
    args = parser.parse_args(argv)
    if args.clients < 1 or args.duration <= 0 or args.rounds < 1 or args.workers < 1:
        parser.error("--clients, --duration, --rounds and --workers must be positive")
    if args.reads < 0 or args.creations < 0 or args.reads + args.creations > 1:
        parser.error("--reads and --creations are shares: non-negative, at most 1 together")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    load = os.getloadavg()  # the machine's other work, which weighs on every candidate
    started = time.monotonic()
    result = run(args)
    print(table(result))
    command = " ".join(["python -m bench servers", *(sys.argv[1:] if argv is None else argv)])
    path = write(
        "servers",
        {
            "command": command,
            "note": "loopback; server, clients and PostgreSQL share the machine",
            "machine": machine(args.postgres_url),
            "wall_seconds": round(time.monotonic() - started, 1),
            "load_average_before": [round(x, 2) for x in load],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
            **result,
        },
        args.output,
    )
    print(f"\nwritten to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
