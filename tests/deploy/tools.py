"""Finding the deploy tooling that deploy/local/install.sh installs (a missing tool fails, never skips)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ASYNCAPI_TOOL = REPO / "deploy" / "tools" / "asyncapi"


def node_validator() -> list[str]:
    node = shutil.which("node")
    assert node, "node is missing: run deploy/local/install.sh"
    assert (ASYNCAPI_TOOL / "node_modules" / "@asyncapi" / "parser").is_dir(), (
        "the AsyncAPI parser is missing: run deploy/local/install.sh"
    )
    return [node, str(ASYNCAPI_TOOL / "validate.mjs")]


def kustomize_command(directory: Path) -> list[str]:
    """`kustomize build DIR` (installed from the Go module proxy), else `kubectl kustomize DIR`."""
    candidates = [shutil.which("kustomize")]
    go = shutil.which("go")
    if go:
        gopath = subprocess.run([go, "env", "GOPATH"], capture_output=True, text=True, check=True).stdout.strip()
        candidates.append(os.path.join(gopath, "bin", "kustomize"))
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return [candidate, "build", str(directory)]
    kubectl = shutil.which("kubectl")
    assert kubectl, "neither kustomize nor kubectl is installed: run deploy/local/install.sh"
    return [kubectl, "kustomize", str(directory)]


def compose_config_command(compose_file: Path) -> list[str]:
    """`docker compose config` where the compose plugin exists, else composecheck (compose-go, the
    library behind `docker compose`), which deploy/local/install.sh builds from the Go module proxy."""
    docker = shutil.which("docker")
    if docker:
        probe = subprocess.run([docker, "compose", "version"], capture_output=True, text=True, check=False)
        if probe.returncode == 0:
            return [docker, "compose", "-f", str(compose_file), "config"]
    binary = REPO / "deploy" / "tools" / "bin" / "composecheck"
    if not binary.exists():
        go = shutil.which("go")
        assert go, "neither `docker compose` nor Go (to build composecheck) is installed: run deploy/local/install.sh"
        source = REPO / "deploy" / "tools" / "composecheck"
        subprocess.run([go, "build", "-o", str(binary), "."], cwd=source, check=True, timeout=600)
    return [str(binary), str(compose_file)]


def docker_engine_available() -> bool:
    docker = shutil.which("docker")
    if not docker:
        return False
    return subprocess.run([docker, "info"], capture_output=True, check=False, timeout=30).returncode == 0
