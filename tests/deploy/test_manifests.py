"""Kubernetes manifests: the generated base is fresh, every overlay renders with kustomize and
validates against the Kubernetes schemas (kubernetes-validate, offline) and KEDA's CRD schema
(vendored), and says what the platform team relies on (probes, resources, non-root, migration
and topic jobs, autoscaling bounded by the partition count)."""

from __future__ import annotations

import copy
import json
import subprocess

import jsonschema
import kubernetes_validate
import pytest
import yaml

from deploy import k8s_manifests
from deploy.topics import consumer_group
from tests.deploy.tools import REPO, kustomize_command

OVERLAYS = ["local", "production"]
K8S_VERSIONS = ["1.30.0", kubernetes_validate.latest_version()]
KEDA_SCHEMA = json.loads((REPO / "deploy" / "k8s" / "schemas" / "keda-scaledobject-v1alpha1.json").read_text())
SERVICES = k8s_manifests.SERVICES


@pytest.fixture(scope="module", params=OVERLAYS)
def rendered(request) -> tuple[str, list[dict]]:
    directory = REPO / "deploy" / "k8s" / "overlays" / request.param
    result = subprocess.run(kustomize_command(directory), capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return request.param, [d for d in yaml.safe_load_all(result.stdout) if d]


def _find(docs: list[dict], kind: str, name: str) -> dict:
    matches = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(matches) == 1, f"{kind}/{name} not rendered exactly once"
    return matches[0]


def _config(docs: list[dict], prefix: str) -> dict:
    matches = [d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"].startswith(prefix)]
    assert len(matches) == 1
    return matches[0]


def test_committed_base_is_generated_and_fresh():
    assert k8s_manifests.stale_files() == [], "deploy/k8s/base is stale: run `make manifests`"


def test_every_object_validates_against_the_kubernetes_schemas(rendered):
    _, docs = rendered
    checked = 0
    for doc in docs:
        if doc["kind"] == "ScaledObject":
            jsonschema.Draft7Validator(KEDA_SCHEMA).validate(doc)
        else:
            for version in K8S_VERSIONS:
                kubernetes_validate.validate(doc, version, strict=True)
        checked += 1
    assert checked >= 1 + 7 * len(SERVICES)


def test_the_validators_refuse_broken_objects(rendered):
    _, docs = rendered
    deployment = copy.deepcopy(_find(docs, "Deployment", "planning-web"))
    deployment["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}  # a typo
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, K8S_VERSIONS[-1], strict=True)
    scaled = copy.deepcopy(_find(docs, "ScaledObject", "evaluation-worker"))
    scaled["spec"]["maxReplicas"] = 3  # not a KEDA field
    assert not jsonschema.Draft7Validator(KEDA_SCHEMA).is_valid(scaled)


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_has_web_worker_service_and_migration(rendered, service):
    overlay, docs = rendered
    web = _find(docs, "Deployment", f"{service}-web")
    worker = _find(docs, "Deployment", f"{service}-worker")
    migrate = _find(docs, "Job", f"{service}-migrate")
    service_obj = _find(docs, "Service", f"{service}-web")
    assert service_obj["spec"]["selector"].items() <= web["spec"]["template"]["metadata"]["labels"].items()

    web_container = web["spec"]["template"]["spec"]["containers"][0]
    assert web_container["args"][0] == "web"
    assert web_container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert web_container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    worker_container = worker["spec"]["template"]["spec"]["containers"][0]
    assert worker_container["args"] == ["worker"]
    assert worker_container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert worker_container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert worker["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] >= 30
    assert migrate["spec"]["template"]["spec"]["containers"][0]["args"] == ["migrate"]

    names = {d["metadata"]["name"] for d in docs if d["kind"] in ("ConfigMap", "Secret")}
    for pod in (web, worker, migrate):
        spec = pod["spec"]["template"]["spec"]
        for container in spec["containers"]:
            assert container["image"].split("/")[-1].startswith(f"{service}:")
            assert container["resources"]["requests"]["cpu"]
            assert container["resources"]["requests"]["memory"]
            assert container["securityContext"]["runAsNonRoot"] is True
            assert container["securityContext"]["readOnlyRootFilesystem"] is True
            for source in container["envFrom"]:
                ref = source.get("configMapRef") or source.get("secretRef")
                if "configMapRef" in source or overlay == "local":
                    assert ref["name"] in names, f"{ref['name']} is referenced but not rendered"
                else:  # production secrets are created by the platform, by this name
                    assert ref["name"] == f"{service}-secrets"
    assert "prometheus.io/scrape" in worker["spec"]["template"]["metadata"]["annotations"]


def test_topics_job_provisions_with_the_common_settings(rendered):
    _, docs = rendered
    job = _find(docs, "Job", "kinerja-topics")
    container = job["spec"]["template"]["spec"]["containers"][0]
    assert container["args"] == ["ops", "topics", "provision"]
    common = _config(docs, "kinerja-common")
    assert container["envFrom"] == [{"configMapRef": {"name": common["metadata"]["name"]}}]
    assert int(common["data"]["KAFKA_TOPIC_PARTITIONS"]) >= 1


def test_evaluation_worker_scales_on_lag_up_to_the_partition_count(rendered):
    _, docs = rendered
    scaled = _find(docs, "ScaledObject", "evaluation-worker")
    partitions = int(_config(docs, "kinerja-common")["data"]["KAFKA_TOPIC_PARTITIONS"])
    assert 1 <= scaled["spec"]["minReplicaCount"] <= scaled["spec"]["maxReplicaCount"] <= partitions
    target = scaled["spec"]["scaleTargetRef"]["name"]
    _find(docs, "Deployment", target)
    (trigger,) = scaled["spec"]["triggers"]
    assert trigger["type"] == "kafka"
    assert trigger["metadata"]["consumerGroup"] == consumer_group("evaluation") == "kinerja-evaluation"
    assert trigger["metadata"]["bootstrapServersFromEnv"] == "KAFKA_BOOTSTRAP_SERVERS"
