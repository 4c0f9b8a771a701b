"""docker-compose.yml cannot run here (no Docker engine), so it is checked against the code it deploys and against
the declaration of the stack's processes (deploy/processes.py) that the local stack runs."""

import importlib
import json
import re
from pathlib import Path

import pytest
import yaml

from console.settings import ConsoleSettings
from deploy.processes import BACKGROUND_ROLES, CONSOLE, KAFKA, POSTGRES, SERVICES, Service, service
from mediabill_common.testing.plugin import REPO_ROOT

COMPOSE = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())["services"]
# Scheduler weight of nice 19, the local stack's default for background work (docs/operations.md, "CPU priority").
BACKGROUND_CPU_SHARES = 15


@pytest.mark.parametrize("svc", SERVICES, ids=lambda svc: svc.name)
def test_each_service_runs_its_declared_processes_with_known_settings(svc: Service):
    settings_cls = importlib.import_module(f"{svc.package}.settings").Settings
    fields = {name.upper() for name in settings_cls.model_fields}
    assert settings_cls.model_fields["port"].default == svc.port
    for role in svc.roles:
        container = COMPOSE[f"{svc.name}-{role}"]
        assert container["command"] == ["python", *svc.args(role)]
        unknown = set(container["environment"]) - fields
        assert not unknown, f"{svc.name}-{role} sets variables no setting reads: {unknown}"
        assert container["environment"]["PORT"] == str(svc.port)
        assert {"postgres", "kafka", "migrate", "topics"} <= set(container["depends_on"])
        # Request serving first when containers contend for the CPU, as the local stack runs them.
        assert container.get("cpu_shares") == (BACKGROUND_CPU_SHARES if role in BACKGROUND_ROLES else None)
    assert COMPOSE[f"{svc.name}-api"]["ports"] == [f"{svc.port}:{svc.port}"]


def test_compose_runs_no_service_process_that_is_not_declared():
    declared = {f"{svc.name}-{role}" for svc in SERVICES for role in svc.roles}
    packages = {svc.package for svc in SERVICES}
    running = {name for name, container in COMPOSE.items()
               if container.get("command", [])[:2] == ["python", "-m"] and container["command"][2] in packages}
    assert running == declared


def test_infrastructure_is_published_on_the_dev_stacks_ports():
    assert COMPOSE["postgres"]["ports"] == [f"{POSTGRES.port}:5432"]
    assert COMPOSE["kafka"]["ports"] == [f"{KAFKA.port}:{KAFKA.port}"]
    assert COMPOSE["kafka"]["cpu_shares"] == BACKGROUND_CPU_SHARES


def test_migrate_job_upgrades_every_service_and_topics_job_creates_the_catalog():
    migrate = " ".join(COMPOSE["migrate"]["command"])
    for svc in SERVICES:
        assert svc.name in migrate
        assert (REPO_ROOT / "services" / svc.name / "alembic.ini").exists()
    assert COMPOSE["topics"]["command"][-2:] == ["mediabill_common.kafka.admin", "ensure-topics"]


def test_kafka_image_matches_the_broker_the_local_stack_runs():
    pom = (REPO_ROOT / "deploy" / "kafka" / "pom.xml").read_text()
    version = re.search(r"<kafka.version>([^<]+)</kafka.version>", pom).group(1)
    assert COMPOSE["kafka"]["image"] == f"apache/kafka:{version}"
    script = (REPO_ROOT / "deploy" / "lib" / "kafka.sh").read_text()
    assert f"KAFKA_VERSION={version}" in script


def test_invoice_svc_url_points_at_the_invoice_api_container_and_port():
    url = COMPOSE["dispute-svc-api"]["environment"]["INVOICE_SVC_URL"]
    assert url == f"http://invoice-svc-api:{service('invoice-svc').port}"


def test_dockerfile_copies_every_workspace_member():
    dockerfile = (REPO_ROOT / "Dockerfile").read_text()
    members = [p.parent.relative_to(REPO_ROOT) for p in Path(REPO_ROOT).glob("*/*/pyproject.toml")
               if p.parts[-3] in ("libs", "services")]
    for member in members:
        assert f"COPY {member}/pyproject.toml {member}/" in dockerfile


def test_compose_runs_the_console_as_declared_with_every_services_address():
    console = COMPOSE[CONSOLE.name]
    assert console["command"] == ["python", *CONSOLE.args(CONSOLE.port)]
    assert console["ports"] == [f"{CONSOLE.port}:{CONSOLE.port}"]
    urls = json.loads(console["environment"]["CONSOLE_SERVICE_URLS"])
    assert urls == {svc.name: f"http://{svc.name}-api:{svc.port}" for svc in SERVICES}
    fields = {name.upper() for name in ConsoleSettings.model_fields}
    unknown = set(console["environment"]) - fields
    assert not unknown, f"the console sets variables no setting reads: {unknown}"
    assert (REPO_ROOT / console["build"]["dockerfile"]).exists()
