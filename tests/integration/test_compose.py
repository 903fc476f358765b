"""docker-compose.yml: several `api` replicas behind one proxy, two workers, one store and key.

Read as YAML, since `docker compose config` is not installed everywhere the tests run; where it
is, it validates the file against the Compose schema too.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from api.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    found: dict[str, Any] = loaded["services"]
    return found


def _environment(service: dict[str, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in service["environment"].items()}


def test_the_api_runs_as_several_replicas_that_publish_no_port(services: dict[str, Any]) -> None:
    api = services["api"]
    assert api["deploy"]["replicas"] >= 2
    # A fixed host port on a scaled service clashes from the second replica on.
    assert "ports" not in api
    assert [str(p) for p in api["expose"]] == ["8000"]
    assert _environment(api)["ROADMAP_PROJECTIONS_IN_PROCESS"] == "false"


def test_two_workers_share_the_store_and_the_signing_key_with_the_api(
    services: dict[str, Any],
) -> None:
    api, worker = services["api"], services["worker"]
    assert worker["deploy"]["replicas"] == 2  # one holds the lease, one stands by
    assert worker["command"] == ["roadmap", "worker"]
    assert "ports" not in worker
    for name in ("ROADMAP_DATABASE_URL", "ROADMAP_SECRET", "ROADMAP_SIGNING_KEY_FILE"):
        assert _environment(worker)[name] == _environment(api)[name], name
    key_directory = str(Path(_environment(worker)["ROADMAP_SIGNING_KEY_FILE"]).parent)
    for service in (api, worker):
        assert f"keys:{key_directory}" in service["volumes"]
    assert _environment(api)["ROADMAP_DATABASE_URL"].startswith("postgresql://")


def test_every_roadmap_setting_named_is_one_the_api_reads(services: dict[str, Any]) -> None:
    known = {f"ROADMAP_{name.upper()}" for name in Settings.model_fields}
    for name in ("api", "worker"):
        named = {k for k in _environment(services[name]) if k.startswith("ROADMAP_")}
        assert named <= known, named - known


def test_the_proxy_publishes_the_port_and_reaches_every_replica(services: dict[str, Any]) -> None:
    proxy = services["proxy"]
    assert proxy["ports"] == ["${ROADMAP_PORT:-8000}:8000"]
    assert proxy["depends_on"]["api"]["condition"] == "service_healthy"
    (mount,) = proxy["volumes"]
    source, target, mode = mount.split(":")
    assert (target, mode) == ("/etc/nginx/conf.d/default.conf", "ro")
    conf = (ROOT / source).read_text(encoding="utf-8")
    assert "listen 8000;" in conf
    # Re-resolved, so that replicas added by `--scale api=N` are found without a restart.
    assert re.search(r"^\s*server api:8000 resolve\b", conf, re.MULTILINE)
    assert "resolver 127.0.0.11 " in conf  # Docker's DNS, which answers every replica
    limit = re.search(r"client_max_body_size (\d+)m;", conf)
    assert limit is not None
    # Larger than the API's own limit: an oversized body gets the API's problem+json.
    assert int(limit.group(1)) * 1024 * 1024 > Settings.model_fields["max_body_bytes"].default


@pytest.mark.skipif(
    shutil.which("docker") is None
    or subprocess.run(
        ["docker", "compose", "version"],  # noqa: S607 - whichever docker is on PATH
        capture_output=True,
        check=False,
    ).returncode
    != 0,
    reason="docker compose is not installed here",
)
def test_docker_compose_accepts_the_file() -> None:
    checked = subprocess.run(  # noqa: S603 - fixed argv
        ["docker", "compose", "-f", str(COMPOSE), "config", "--quiet"],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert checked.returncode == 0, checked.stderr
