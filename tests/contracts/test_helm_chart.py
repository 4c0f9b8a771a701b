"""The Helm chart (deploy/helm/mediabill) checked offline: no cluster here, so `helm lint`, `helm template` with the
default and the production-like values, every rendered manifest validated against the Kubernetes schemas
(kubernetes-validate carries them), and the chart's `services:` checked against the declaration of the processes
(deploy/processes.py) and the code the chart deploys.

helm comes from the Go module proxy, pinned, built into .stack/tools on first use (a few minutes, once)."""

import importlib
import os
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from console.settings import ConsoleSettings
from deploy.processes import COLLECTIONS, CONSOLE, SERVICES, Service
from mediabill_common.events.catalog import TOPIC_PARTITIONS
from mediabill_common.kafka.security import KafkaSecurity
from mediabill_common.testing.plugin import REPO_ROOT
from mediabill_common.web.health import health_router

HELM_MODULE = "helm.sh/helm/v4/cmd/helm"
HELM_VERSION = "v4.3.2"
KUBERNETES_VERSION = "1.37"
CHART = REPO_ROOT / "deploy" / "helm" / "mediabill"
PRODUCTION = CHART / "values-production.yaml"
VALUES = {"default": yaml.safe_load((CHART / "values.yaml").read_text()),
          "production": yaml.safe_load(PRODUCTION.read_text())}
# libpq's TLS variables, which asyncpg reads (the chart sets them for database.tls).
LIBPQ_ENV = {"PGSSLMODE", "PGSSLROOTCERT"}
# Read by every Kafka client of every process (mediabill_common.kafka.security), not by a service's settings class.
KAFKA_SECURITY_ENV = {f"KAFKA_{name.upper()}" for name in KafkaSecurity.model_fields}


def _helm() -> Path:
    """The pinned helm, installed with `go install` when absent; with CI=true a missing helm fails."""
    binary = REPO_ROOT / ".stack" / "tools" / f"helm-{HELM_VERSION}" / "helm"
    if binary.exists():
        return binary
    go = shutil.which("go")
    if go is None:
        if os.environ.get("CI") == "true":
            pytest.fail("helm is not installed and there is no Go toolchain to install it")
        pytest.skip("helm is not installed and there is no Go toolchain to install it")
    subprocess.run([go, "install", f"{HELM_MODULE}@{HELM_VERSION}"], check=True, timeout=1800,
                   env={**os.environ, "GOBIN": str(binary.parent), "GOFLAGS": "-mod=mod"})
    return binary


@pytest.fixture(scope="module")
def helm() -> Path:
    return _helm()


def _values_args(name: str) -> list[str]:
    return ["-f", str(PRODUCTION)] if name == "production" else []


@pytest.fixture(scope="module", params=["default", "production"])
def rendered(request: pytest.FixtureRequest, helm: Path) -> tuple[str, list[dict[str, Any]]]:
    out = subprocess.run([str(helm), "template", "mediabill", str(CHART), "--namespace", "billing",
                          *_values_args(request.param)], check=True, capture_output=True, text=True, timeout=120)
    return request.param, [doc for doc in yaml.safe_load_all(out.stdout) if doc]


def _of_kind(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for doc in docs if doc["kind"] == kind}


def _env(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["name"]: item for item in container["env"]}


@pytest.mark.parametrize("values", ["default", "production"])
def test_chart_lints(helm: Path, values: str):
    result = subprocess.run([str(helm), "lint", "--strict", str(CHART), *_values_args(values)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_rendered_manifest_is_valid_for_kubernetes(rendered):
    _, docs = rendered
    for doc in docs:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
    print(f"{rendered[0]}: {len(docs)} resources, {dict(Counter(doc['kind'] for doc in docs))}")


def test_values_name_every_declared_service_role_and_the_console():
    values = VALUES["default"]
    chart = values["services"]
    assert set(chart) == {svc.name for svc in SERVICES}, "deploy/processes.py and the chart's services differ"
    for svc in SERVICES:
        assert chart[svc.name]["package"] == svc.package
        assert chart[svc.name]["port"] == svc.port
        assert set(chart[svc.name]["roles"]) == set(svc.roles), svc.name
    assert values["console"]["port"] == CONSOLE.port
    # The collections simulator is not deployed.
    assert COLLECTIONS.name not in chart


def test_production_values_override_only_declared_services_and_roles():
    declared = {svc.name: set(svc.roles) for svc in SERVICES}
    for name, svc in VALUES["production"].get("services", {}).items():
        assert set(svc.get("roles", {})) <= declared[name]


@pytest.mark.parametrize("svc", SERVICES, ids=lambda svc: svc.name)
def test_each_role_runs_its_declared_process_with_known_settings(rendered, svc: Service):
    _, docs = rendered
    deployments = _of_kind(docs, "Deployment")
    fields = {name.upper() for name in importlib.import_module(f"{svc.package}.settings").Settings.model_fields}
    for role in svc.roles:
        container = deployments[f"mediabill-{svc.name}-{role}"]["spec"]["template"]["spec"]["containers"][0]
        assert container["command"] == ["python", *svc.args(role)]
        unknown = set(_env(container)) - fields - LIBPQ_ENV - KAFKA_SECURITY_ENV
        assert not unknown, f"{svc.name}-{role} sets variables no setting reads: {unknown}"
        assert _env(container)["PORT"]["value"] == str(svc.port)


def test_consumers_never_outnumber_the_partitions_of_their_topics(rendered):
    _, docs = rendered
    deployments = _of_kind(docs, "Deployment")
    for svc in SERVICES:
        topics = importlib.import_module(f"{svc.package}.entrypoints.consumer").TOPICS
        deployment = deployments[f"mediabill-{svc.name}-consumer"]
        replicas = deployment["spec"]["replicas"]
        # each replica is CONSUMER_RUNNERS members of the group (the setting's default where the chart sets none)
        env = _env(deployment["spec"]["template"]["spec"]["containers"][0])
        default = importlib.import_module(f"{svc.package}.settings").Settings.model_fields["consumer_runners"].default
        runners = int(env["CONSUMER_RUNNERS"]["value"]) if "CONSUMER_RUNNERS" in env else default
        assert 1 <= replicas * runners <= max(TOPIC_PARTITIONS[t] for t in topics), svc.name


def test_apis_are_probed_scraped_autoscaled_and_reached_only_from_the_release(rendered):
    _, docs = rendered
    routes = {route.path for route in health_router().routes}  # type: ignore[attr-defined]
    deployments, hpas = _of_kind(docs, "Deployment"), _of_kind(docs, "HorizontalPodAutoscaler")
    policies, pdbs = _of_kind(docs, "NetworkPolicy"), _of_kind(docs, "PodDisruptionBudget")
    for svc in SERVICES:
        name = f"mediabill-{svc.name}-api"
        pod = deployments[name]["spec"]["template"]
        container = pod["spec"]["containers"][0]
        assert container["livenessProbe"]["httpGet"]["path"] in routes
        assert container["readinessProbe"]["httpGet"]["path"] in routes
        annotations = pod["metadata"]["annotations"]
        assert annotations["prometheus.io/path"] in routes
        assert annotations["prometheus.io/port"] == str(svc.port)
        assert "replicas" not in deployments[name]["spec"]  # the autoscaler owns it
        assert hpas[name]["spec"]["scaleTargetRef"]["name"] == name
        ingress = policies[name]["spec"]["ingress"]
        assert ingress[0]["from"][0] == {"podSelector": {"matchLabels": {"app.kubernetes.io/instance": "mediabill"}}}
        assert ingress[0]["ports"] == [{"protocol": "TCP", "port": svc.port}]
        for role in svc.roles:
            assert f"mediabill-{svc.name}-{role}" in pdbs
    # Only the APIs listen.
    for name, deployment in deployments.items():
        listens = "ports" in deployment["spec"]["template"]["spec"]["containers"][0]
        assert listens == (name.endswith("-api") or name == "mediabill-console"), name


def test_console_reaches_every_api_by_its_service(rendered):
    _, docs = rendered
    container = _of_kind(docs, "Deployment")["mediabill-console"]["spec"]["template"]["spec"]["containers"][0]
    env = _env(container)
    services = _of_kind(docs, "Service")
    urls = ConsoleSettings(console_service_urls=yaml.safe_load(env["CONSOLE_SERVICE_URLS"]["value"])).service_urls()
    for svc in SERVICES:
        assert urls[svc.name] == f"http://mediabill-{svc.name}-api:{svc.port}"
        assert services[f"mediabill-{svc.name}-api"]["spec"]["ports"][0]["port"] == svc.port
    console_fields = {name.upper() for name in ConsoleSettings.model_fields}
    assert set(env) <= console_fields


def test_migrations_and_topics_run_as_hooks_before_the_services(rendered):
    values, docs = rendered
    jobs = _of_kind(docs, "Job")
    migrate, topics = jobs["mediabill-migrate"], jobs["mediabill-topics"]
    for job in migrate, topics:
        assert job["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"
    assert int(migrate["metadata"]["annotations"]["helm.sh/hook-weight"]) < int(
        topics["metadata"]["annotations"]["helm.sh/hook-weight"])
    script = migrate["spec"]["template"]["spec"]["containers"][0]["command"][-1]
    for svc in SERVICES:
        assert f"alembic -c services/{svc.name}/alembic.ini upgrade head" in script
        assert (REPO_ROOT / "services" / svc.name / "alembic.ini").exists()
    command = topics["spec"]["template"]["spec"]["containers"][0]["command"]
    assert command[:4] == ["python", "-m", "mediabill_common.kafka.admin", "ensure-topics"]
    assert command[-1] == str(VALUES[values].get("kafka", {}).get("topicReplicationFactor", 1))


def test_secrets_come_from_a_secret_and_a_jwks_deployment_accepts_no_hs256_token(rendered):
    values, docs = rendered
    for deployment in _of_kind(docs, "Deployment").values():
        env = _env(deployment["spec"]["template"]["spec"]["containers"][0])
        secret = env["JWT_HS256_SECRET"]
        if values == "production":
            # Unset, the settings' development secret would verify tokens beside the identity provider's.
            assert secret == {"name": "JWT_HS256_SECRET", "value": ""}
        else:
            assert secret["valueFrom"]["secretKeyRef"]["key"] == "jwt-hs256-secret"
        if "DATABASE_URL" in env:  # a service's process (the console has neither)
            assert env["DATABASE_URL"]["valueFrom"]["secretKeyRef"]["key"] == "database-url"
            assert ("JWT_JWKS_URL" in env) == (values == "production")
    secrets = _of_kind(docs, "Secret")
    assert bool(secrets) == (values == "default")  # production names an existing Secret


def _template(helm: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(helm), "template", "mediabill", str(CHART), "--namespace", "billing", *args],
                          capture_output=True, text=True, timeout=120)


def test_a_managed_kafka_with_scram_over_tls_and_a_client_certificate(helm: Path):
    out = _template(helm, "--set", "kafka.securityProtocol=SASL_SSL", "--set", "kafka.sasl.username=mediabill",
                    "--set", "kafka.sasl.password=s3cret", "--set", "kafka.sasl.mechanism=SCRAM-SHA-256",
                    "--set", "kafka.tls.caSecret=kafka-ca", "--set", "kafka.tls.clientSecret=kafka-client")
    assert out.returncode == 0, out.stderr
    docs = [doc for doc in yaml.safe_load_all(out.stdout) if doc]
    for doc in docs:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
    secret = next(iter(_of_kind(docs, "Secret").values()))
    assert "kafka-sasl-password" in secret["data"]
    pods = [*(d["spec"]["template"]["spec"] for d in _of_kind(docs, "Deployment").values()
              if d["metadata"]["name"] != "mediabill-console"),
            *(j["spec"]["template"]["spec"] for j in _of_kind(docs, "Job").values())]
    assert pods
    for pod in pods:
        container = pod["containers"][0]
        env = _env(container)
        assert env["KAFKA_SECURITY_PROTOCOL"]["value"] == "SASL_SSL"
        assert env["KAFKA_SASL_MECHANISM"]["value"] == "SCRAM-SHA-256"
        assert env["KAFKA_SASL_PASSWORD"]["valueFrom"]["secretKeyRef"]["key"] == "kafka-sasl-password"
        assert env["KAFKA_SSL_CAFILE"]["value"] == "/etc/mediabill/kafka-ca/ca.crt"
        mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
        assert mounts["kafka-ca"] == "/etc/mediabill/kafka-ca"
        assert mounts["kafka-client"] + "/tls.crt" == env["KAFKA_SSL_CERTFILE"]["value"]
        volumes = {v["name"]: v["secret"]["secretName"] for v in pod["volumes"]}
        assert (volumes["kafka-ca"], volumes["kafka-client"]) == ("kafka-ca", "kafka-client")
        # What the pod is given, the services' settings accept.
        KafkaSecurity(security_protocol=env["KAFKA_SECURITY_PROTOCOL"]["value"],
                      sasl_mechanism=env["KAFKA_SASL_MECHANISM"]["value"],
                      sasl_username=env["KAFKA_SASL_USERNAME"]["value"], sasl_password="from-the-secret",
                      ssl_cafile=env["KAFKA_SSL_CAFILE"]["value"], ssl_certfile=env["KAFKA_SSL_CERTFILE"]["value"],
                      ssl_keyfile=env["KAFKA_SSL_KEYFILE"]["value"])


def test_production_values_speak_scram_over_tls_with_the_password_from_the_existing_secret(helm: Path):
    out = _template(helm, "-f", str(PRODUCTION))
    assert out.returncode == 0, out.stderr
    docs = [doc for doc in yaml.safe_load_all(out.stdout) if doc]
    for deployment in _of_kind(docs, "Deployment").values():
        if deployment["metadata"]["name"] == "mediabill-console":
            continue
        env = _env(deployment["spec"]["template"]["spec"]["containers"][0])
        assert env["KAFKA_SECURITY_PROTOCOL"]["value"] == "SASL_SSL"
        assert env["KAFKA_SASL_PASSWORD"]["valueFrom"]["secretKeyRef"] == {"name": "mediabill-secrets",
                                                                           "key": "kafka-sasl-password"}


@pytest.mark.parametrize(("args", "refusal"), [
    (["--set", "kafka.securityProtocol=SASL_SSL", "--set", "kafka.sasl.password=p"], "kafka.sasl.username"),
    (["--set", "kafka.securityProtocol=SASL_SSL", "--set", "kafka.sasl.username=u"], "kafka.sasl.password"),
    (["--set", "kafka.securityProtocol=TLS"], "kafka.securityProtocol must be"),
])
def test_kafka_security_the_services_could_not_use_is_refused_at_render(helm: Path, args: list[str], refusal: str):
    out = _template(helm, *args)
    assert out.returncode != 0
    assert refusal in out.stderr
