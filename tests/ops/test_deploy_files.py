"""deploy/ is checked without a container engine: the compose file against the Compose
Specification's schema, every Kubernetes manifest against the Kubernetes API schemas
(kubernetes-validate, strict), the Caddyfile by Caddy itself, and the promises the files make
(non-root image, PWA built in the image, migrations before app processes) by reading them.
These are static, so they run in the SQLite pass only.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from backend.settings import ROOT
from tests.conftest import KIND
from tests.ops.tooling import require_tool

DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "kubernetes"
pytestmark = pytest.mark.skipif(KIND != "sqlite", reason="static checks run in the SQLite pass")


def _run(*args: str | Path, env: dict | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [str(a) for a in args], capture_output=True, text=True, check=False, env=env, timeout=120
    )


def test_compose_file_follows_the_compose_specification() -> None:
    tool = require_tool("check-jsonschema", "uv sync")
    done = _run(tool, "--builtin-schema", "vendor.compose-spec", DEPLOY / "compose.yaml")
    assert done.returncode == 0, done.stdout + done.stderr


def test_compose_runs_migrations_once_before_n_app_processes_behind_caddy() -> None:
    services = yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]
    assert set(services) >= {"db", "redis", "migrate", "app", "caddy"}
    assert services["migrate"]["command"] == ["linli", "migrate"]
    assert services["migrate"]["restart"] == "no"
    app = services["app"]
    assert app["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "3" in str(app["deploy"]["replicas"])
    assert services["redis"]["profiles"] == ["redis"]  # optional
    assert "443:443" in services["caddy"]["ports"]
    assert app["environment"]["LINLI_ENV"] == "production"


def test_kubernetes_manifests_validate_strictly_against_the_api_schemas() -> None:
    tool = require_tool("kubernetes-validate", "uv sync")
    manifests = sorted(p for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml")
    kinds = {yaml.safe_load(p.read_text())["kind"] for p in manifests}
    assert kinds >= {
        "Deployment",
        "Service",
        "Ingress",
        "HorizontalPodAutoscaler",
        "Job",
        "ConfigMap",
        "Secret",
        "PodDisruptionBudget",
    }
    for version in ("1.29.0", "1.37.0"):
        done = _run(tool, "--strict", "--quiet", "-k", version, *manifests)
        assert done.returncode == 0, done.stdout + done.stderr
    listed = yaml.safe_load((K8S / "kustomization.yaml").read_text())["resources"]
    assert all((K8S / name).is_file() for name in listed)


def test_the_validator_does_reject_a_broken_manifest(tmp_path: Path) -> None:
    tool = require_tool("kubernetes-validate", "uv sync")
    broken = yaml.safe_load((K8S / "deployment.yaml").read_text())
    broken["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGett"] = {}
    (tmp_path / "broken.yaml").write_text(yaml.safe_dump(broken))
    assert _run(tool, "--strict", "--quiet", tmp_path / "broken.yaml").returncode != 0


def test_pods_probe_health_and_never_run_as_root() -> None:
    deployment = yaml.safe_load((K8S / "deployment.yaml").read_text())
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    job = yaml.safe_load((K8S / "migrate-job.yaml").read_text())
    assert job["spec"]["template"]["spec"]["containers"][0]["args"] == ["linli", "migrate"]


def test_the_image_builds_the_pwa_then_runs_slim_and_unprivileged() -> None:
    lines = [
        line.strip()
        for line in (DEPLOY / "Dockerfile").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    stages = [line for line in lines if line.startswith("FROM ")]
    assert len(stages) == 3 and stages[0].startswith("FROM node:")
    assert "slim" in stages[-1]
    assert "RUN npm run build" in lines
    assert any(line.startswith("COPY --from=pwa") for line in lines)
    user = [line for line in lines if line.startswith("USER ")][-1]
    assert user.split()[1].split(":")[0] not in ("root", "0")
    assert lines[-1].startswith("CMD") and "serve" in lines[-1]


def test_caddy_accepts_the_caddyfile(tmp_path: Path) -> None:
    caddy = require_tool("caddy", "apt-get install -y caddy")
    env = {"LINLI_DOMAIN": "linli.example.org", "ACME_EMAIL": "ops@example.org"}
    env["HOME"] = str(tmp_path)
    done = _run(
        caddy, "adapt", "--config", DEPLOY / "Caddyfile", "--adapter", "caddyfile", "--validate",
        env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert '"automatic_https"' not in done.stdout  # TLS stays automatic (not disabled)
