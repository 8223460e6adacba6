"""Writes the kustomize base in deploy/k8s/base: the same shape for every service, from one place.

    python -m deploy.k8s_manifests write   # (also: make manifests)
    python -m deploy.k8s_manifests check   # exit 1 when the committed base is stale

The overlays (deploy/k8s/overlays/*) are written by hand; they patch what differs per environment.
Per service: a ConfigMap of its settings, web Deployment + Service + PodDisruptionBudget, worker
Deployment + metrics Service, a migration Job. Shared: the Kafka/JWT settings ConfigMap, the
topic-provisioning Job, and the KEDA ScaledObject that scales the evaluation worker on lag.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

from deploy.topics import DLQ_RETENTION_DAYS, EVENT_RETENTION_DAYS, PRODUCTION_PARTITIONS, consumer_group

REPO = Path(__file__).resolve().parent.parent
BASE = REPO / "deploy" / "k8s" / "base"
SERVICES = ("planning", "evaluation", "rewards", "notifications")
COMMON_CONFIG = "kinerja-common"
UID = 10001

# Per service: the settings in its ConfigMap (defaults of shared/config.py unless noted).
SERVICE_SETTINGS: dict[str, dict[str, str]] = {
    name: {
        "LOG_LEVEL": "INFO",
        "CONSUMER_MAX_ATTEMPTS": "3",
        "OUTBOX_RELAY_BATCH_SIZE": "500",
        "WEB_CONCURRENCY": "2",
        "METRICS_PORT": "9100",
    }
    for name in SERVICES
}
WEB_REPLICAS = {"planning": 2, "evaluation": 2, "rewards": 2, "notifications": 2}
# Evaluation's worker does the year-end heavy lifting and gets more room; it is scaled by KEDA.
WORKER_RESOURCES = {
    "evaluation": {"requests": {"cpu": "250m", "memory": "256Mi"}, "limits": {"memory": "768Mi"}},
}
DEFAULT_WORKER_RESOURCES = {"requests": {"cpu": "100m", "memory": "192Mi"}, "limits": {"memory": "512Mi"}}
WEB_RESOURCES = {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"memory": "512Mi"}}
SCALED_WORKER = "evaluation"
LAG_THRESHOLD = 500  # records of lag per worker replica before KEDA adds one


def _labels(service: str, component: str) -> dict[str, str]:
    return {
        "app.kubernetes.io/name": service,
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/part-of": "kinerja",
    }


def _selector(service: str, component: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": service, "app.kubernetes.io/component": component}


def _security_context() -> dict[str, Any]:
    return {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "runAsUser": UID,
        "runAsGroup": UID,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def _env_from(service: str) -> list[dict[str, Any]]:
    return [
        {"configMapRef": {"name": COMMON_CONFIG}},
        {"configMapRef": {"name": f"{service}-config"}},
        # DATABASE_URL and JWT_SECRET: created by the platform (or the local overlay's generator).
        {"secretRef": {"name": f"{service}-secrets"}},
    ]


def _container(service: str, args: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "name": service,
        "image": f"kinerja/{service}",
        "imagePullPolicy": "IfNotPresent",
        "args": args,
        "envFrom": _env_from(service),
        "securityContext": _security_context(),
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],  # noqa: S108 - an emptyDir (read-only root)
        **extra,
    }


def _pod_spec(containers: list[dict[str, Any]], *, grace_s: int, restart: str | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "automountServiceAccountToken": False,
        "securityContext": {"fsGroup": UID, "seccompProfile": {"type": "RuntimeDefault"}},
        "terminationGracePeriodSeconds": grace_s,
        "containers": containers,
        "volumes": [{"name": "tmp", "emptyDir": {"sizeLimit": "256Mi"}}],
    }
    if restart:
        spec["restartPolicy"] = restart
    return spec


def _probe(path: str, port: str, *, period: int, failures: int) -> dict[str, Any]:
    return {
        "httpGet": {"path": path, "port": port},
        "periodSeconds": period,
        "timeoutSeconds": 3,
        "failureThreshold": failures,
    }


def _scrape_annotations(port: int) -> dict[str, str]:
    return {"prometheus.io/scrape": "true", "prometheus.io/port": str(port), "prometheus.io/path": "/metrics"}


def config_map(service: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": f"{service}-config", "labels": _labels(service, "config")},
        "data": dict(SERVICE_SETTINGS[service]),
    }


def web_deployment(service: str) -> dict[str, Any]:
    labels = _labels(service, "web")
    container = _container(
        service,
        ["web", "--bind", "0.0.0.0:8000"],
        ports=[{"name": "http", "containerPort": 8000}],
        startupProbe=_probe("/healthz", "http", period=2, failures=30),
        livenessProbe=_probe("/healthz", "http", period=10, failures=3),
        readinessProbe=_probe("/readyz", "http", period=5, failures=2),
        resources=WEB_RESOURCES,
        # The endpoint leaves the Service before gunicorn stops accepting; then it drains (20 s).
        lifecycle={"preStop": {"exec": {"command": ["sleep", "5"]}}},
    )
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": f"{service}-web", "labels": labels},
        "spec": {
            "replicas": WEB_REPLICAS[service],
            "selector": {"matchLabels": _selector(service, "web")},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "template": {
                "metadata": {"labels": labels, "annotations": _scrape_annotations(8000)},
                "spec": _pod_spec([container], grace_s=30),
            },
        },
    }


def web_service(service: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": f"{service}-web", "labels": _labels(service, "web")},
        "spec": {
            "selector": _selector(service, "web"),
            "ports": [{"name": "http", "port": 80, "targetPort": "http"}],
        },
    }


def web_disruption_budget(service: str) -> dict[str, Any]:
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": f"{service}-web", "labels": _labels(service, "web")},
        "spec": {"minAvailable": 1, "selector": {"matchLabels": _selector(service, "web")}},
    }


def worker_deployment(service: str) -> dict[str, Any]:
    labels = _labels(service, "worker")
    container = _container(
        service,
        ["worker"],
        ports=[{"name": "metrics", "containerPort": 9100}],
        livenessProbe=_probe("/healthz", "metrics", period=15, failures=4),
        readinessProbe=_probe("/readyz", "metrics", period=10, failures=3),
        resources=WORKER_RESOURCES.get(service, DEFAULT_WORKER_RESOURCES),
    )
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": f"{service}-worker", "labels": labels},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": _selector(service, "worker")},
            "template": {
                "metadata": {"labels": labels, "annotations": _scrape_annotations(9100)},
                # SIGTERM: finish the batch, commit offsets, last outbox pass, exit — well within 60 s.
                "spec": _pod_spec([container], grace_s=60),
            },
        },
    }


def worker_metrics_service(service: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": f"{service}-worker-metrics", "labels": _labels(service, "worker")},
        "spec": {
            "clusterIP": "None",  # headless: Prometheus scrapes every replica
            "selector": _selector(service, "worker"),
            "ports": [{"name": "metrics", "port": 9100, "targetPort": "metrics"}],
        },
    }


def migration_job(service: str) -> dict[str, Any]:
    labels = _labels(service, "migrate")
    container = _container(
        service, ["migrate"], resources={"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "384Mi"}}
    )
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": f"{service}-migrate", "labels": labels},
        "spec": {
            "backoffLimit": 4,
            "activeDeadlineSeconds": 600,
            "ttlSecondsAfterFinished": 3600,  # gone an hour later, so the next release can create it again
            "template": {"metadata": {"labels": labels}, "spec": _pod_spec([container], grace_s=30, restart="Never")},
        },
    }


def topics_job() -> dict[str, Any]:
    labels = _labels("kinerja-topics", "provision")
    container = _container(
        "planning",
        ["ops", "topics", "provision"],
        resources={"requests": {"cpu": "50m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}},
    )
    container["envFrom"] = [{"configMapRef": {"name": COMMON_CONFIG}}]
    container["name"] = "provision"
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "kinerja-topics", "labels": labels},
        "spec": {
            "backoffLimit": 6,
            "activeDeadlineSeconds": 600,
            "ttlSecondsAfterFinished": 3600,
            "template": {"metadata": {"labels": labels}, "spec": _pod_spec([container], grace_s=10, restart="Never")},
        },
    }


def scaled_object() -> dict[str, Any]:
    service = SCALED_WORKER
    return {
        "apiVersion": "keda.sh/v1alpha1",
        "kind": "ScaledObject",
        "metadata": {"name": f"{service}-worker", "labels": _labels(service, "worker")},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": f"{service}-worker"},
            "pollingInterval": 15,
            "cooldownPeriod": 300,
            "minReplicaCount": 1,
            # A consumer group has at most one active member per partition: more replicas would idle.
            # Keep equal to KAFKA_TOPIC_PARTITIONS (the tests check every overlay).
            "maxReplicaCount": PRODUCTION_PARTITIONS,
            "advanced": {
                "horizontalPodAutoscalerConfig": {
                    "behavior": {"scaleDown": {"stabilizationWindowSeconds": 300}},
                },
            },
            "triggers": [
                {
                    "type": "kafka",
                    "metadata": {
                        # Read from the worker's own environment (the kinerja-common ConfigMap).
                        "bootstrapServersFromEnv": "KAFKA_BOOTSTRAP_SERVERS",
                        "consumerGroup": consumer_group(service),
                        "lagThreshold": str(LAG_THRESHOLD),
                        "activationLagThreshold": "0",
                        "offsetResetPolicy": "earliest",
                        "allowIdleConsumers": "false",
                    },
                }
            ],
        },
    }


def kustomization() -> dict[str, Any]:
    resources = ["topics-job.yaml", *[f"{s}.yaml" for s in SERVICES], f"{SCALED_WORKER}-worker-scaledobject.yaml"]
    return {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "labels": [{"pairs": {"app.kubernetes.io/part-of": "kinerja"}}],
        "resources": resources,
        "configMapGenerator": [
            {
                "name": COMMON_CONFIG,
                "literals": [
                    "KAFKA_BOOTSTRAP_SERVERS=kafka-bootstrap:9092",
                    f"KAFKA_TOPIC_PARTITIONS={PRODUCTION_PARTITIONS}",
                    f"KAFKA_EVENT_RETENTION_DAYS={EVENT_RETENTION_DAYS}",
                    f"KAFKA_DLQ_RETENTION_DAYS={DLQ_RETENTION_DAYS}",
                    "KAFKA_REPLICATION_FACTOR=3",
                    "KAFKA_MIN_INSYNC_REPLICAS=2",
                    "JWT_ISSUER=kinerja",
                    "JWT_AUDIENCE=kinerja-api",
                ],
            }
        ],
        "images": [{"name": f"kinerja/{s}", "newTag": "latest"} for s in SERVICES],
    }


def render() -> dict[str, str]:
    header = "# Generated by `python -m deploy.k8s_manifests write` (make manifests) — edit the generator, not this.\n"

    def dump(*docs: dict[str, Any]) -> str:
        return header + "---\n".join(yaml.safe_dump(d, sort_keys=False, width=120) for d in docs)

    files = {"kustomization.yaml": dump(kustomization()), "topics-job.yaml": dump(topics_job())}
    for service in SERVICES:
        files[f"{service}.yaml"] = dump(
            config_map(service),
            web_deployment(service),
            web_service(service),
            web_disruption_budget(service),
            worker_deployment(service),
            worker_metrics_service(service),
            migration_job(service),
        )
    files[f"{SCALED_WORKER}-worker-scaledobject.yaml"] = dump(scaled_object())
    return files


def stale_files(directory: Path = BASE) -> list[str]:
    expected = render()
    stale = [n for n, text in expected.items() if not (directory / n).exists() or (directory / n).read_text() != text]
    stale += [p.name for p in directory.glob("*.yaml") if p.name not in expected]
    return sorted(stale)


def write(directory: Path = BASE) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    files = render()
    for old in directory.glob("*.yaml"):
        if old.name not in files:
            old.unlink()
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.k8s_manifests")
    parser.add_argument("command", choices=["write", "check"])
    args = parser.parse_args(argv)
    if args.command == "write":
        write()
        print(f"wrote {BASE.relative_to(REPO)}")
        return 0
    stale = stale_files()
    if stale:
        print("stale kustomize base (run `make manifests`):", *stale, sep="\n  ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
