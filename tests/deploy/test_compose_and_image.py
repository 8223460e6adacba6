"""deploy/compose.yaml loads as `docker compose config` loads it; the Dockerfile is multi-stage and
non-root, copies only what exists, and builds where a Docker engine exists."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.deploy.tools import REPO, compose_config_command, docker_engine_available

COMPOSE = REPO / "deploy" / "compose.yaml"
DOCKERFILE = REPO / "deploy" / "docker" / "Dockerfile"
SERVICES = ["planning", "evaluation", "rewards", "notifications"]


def _config(path):
    return subprocess.run(compose_config_command(path), capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture(scope="module")
def compose_model() -> dict:
    result = _config(COMPOSE)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_compose_has_kafka_a_database_and_migrate_web_worker_per_service(compose_model):
    services = compose_model["services"]
    assert services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"  # KRaft, no ZooKeeper
    assert services["topics"]["command"] == ["ops", "topics", "provision"]
    for name in SERVICES:
        db, migrate, web, worker = (services[f"{name}-{role}"] for role in ("db", "migrate", "web", "worker"))
        assert db["environment"]["POSTGRES_DB"] == name
        assert migrate["command"] == ["migrate"]
        assert web["command"][0] == "web"
        assert worker["command"] == ["worker"]
        for process in (migrate, web, worker):
            assert process["environment"]["DATABASE_URL"].endswith(f"@{name}-db:5432/{name}")
            assert process["environment"]["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
        assert web["depends_on"][f"{name}-migrate"]["condition"] == "service_completed_successfully"
        assert worker["depends_on"]["topics"]["condition"] == "service_completed_successfully"
        assert migrate["build"]["args"]["SERVICE"] == name


def test_a_broken_compose_file_is_refused(tmp_path):
    broken = COMPOSE.read_text().replace("planning-db: { condition: service_healthy }", "plannin-db: {}", 1)
    path = tmp_path / "compose.yaml"
    path.write_text(broken)
    result = _config(path)
    assert result.returncode != 0
    assert "plannin-db" in (result.stderr + result.stdout)


def test_dockerfile_is_multi_stage_non_root_and_copies_what_exists():
    text = DOCKERFILE.read_text()
    assert len(re.findall(r"^FROM ", text, re.M)) >= 2
    users = re.findall(r"^USER (\S+)", text, re.M)
    assert users
    assert not users[-1].startswith(("0", "root"))
    for line in re.findall(r"^COPY (?!--from)(.+)$", text, re.M):
        *sources, _dest = line.split()
        for source in sources:
            path = source.replace("${SERVICE}", "planning")
            assert (REPO / path).exists(), f"COPY source {source} does not exist"
    ignore = (REPO / "deploy" / "docker" / "Dockerfile.dockerignore").read_text()
    assert "!deploy/ops.py" in ignore


def _image_tree(service: str, root) -> None:
    """Lay out /app as the Dockerfile's COPY lines (and its .dockerignore) would, for `service`."""
    text = DOCKERFILE.read_text()
    for line in re.findall(r"^COPY (?!--from)(.+)$", text, re.M):
        *sources, dest = line.replace("${SERVICE}", service).split()
        if sources == ["requirements.txt"]:
            continue  # the build stage's input, not part of /app
        for source in sources:
            origin = REPO / source
            target = root / dest  # relative to WORKDIR /app
            if origin.is_dir():
                shutil.copytree(origin, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                target = target / origin.name if dest.endswith("/") else target
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(origin, target)


@pytest.mark.parametrize("service", SERVICES)
def test_the_images_files_suffice_to_run_migrate_and_the_operator_cli(service, tmp_path):
    """Without an engine: the files the image copies, on the pinned dependencies, run the service's
    commands through the image's entrypoint — nothing is imported from outside the image."""
    app = tmp_path / "app"
    _image_tree(service, app)
    assert not (app / "tests").exists()
    assert not (app / "deploy" / "local").exists()
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "KINERJA_SERVICE": service,
        "DATABASE_URL": f"sqlite:///{tmp_path}/{service}.db",
        "HOME": str(tmp_path),
    }
    entrypoint = ["/bin/sh", str(app / "deploy" / "entrypoint.sh")]  # the image's ENTRYPOINT

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*entrypoint, *args], cwd=app, env=env, capture_output=True, text=True, timeout=120)

    usage = run("--help")
    assert usage.returncode == 0, usage.stderr
    assert "worker" in usage.stdout
    migrated = run("migrate")
    assert migrated.returncode == 0, migrated.stderr
    outbox = run("ops", "--json", "outbox")
    assert outbox.returncode == 0, outbox.stderr
    assert '"backlog": 0' in outbox.stdout


@pytest.mark.skipif(not docker_engine_available(), reason="no Docker engine on this machine (only the client)")
@pytest.mark.parametrize("service", SERVICES)
def test_image_builds_and_runs_as_non_root(service):
    tag = f"kinerja/{service}:test"
    subprocess.run(
        ["docker", "build", "-f", str(DOCKERFILE), "--build-arg", f"SERVICE={service}", "-t", tag, str(REPO)],
        check=True,
        timeout=1200,
    )
    uid = subprocess.run(
        ["docker", "run", "--rm", "--entrypoint", "id", tag, "-u"], capture_output=True, text=True, check=True
    )
    assert uid.stdout.strip() == "10001"
    help_text = subprocess.run(["docker", "run", "--rm", tag, "--help"], capture_output=True, text=True, check=True)
    assert "web" in help_text.stdout
    assert "worker" in help_text.stdout
