"""docker-compose.yml cannot run here (no Docker engine), so it is checked against the code it deploys."""

import re
from pathlib import Path

import pytest
import yaml

from adjustment_svc.settings import Settings as AdjustmentSettings
from dispute_svc.settings import Settings as DisputeSettings
from invoice_svc.settings import Settings as InvoiceSettings
from mediabill_common.testing.plugin import REPO_ROOT
from product_config_svc.settings import Settings as ProductConfigSettings

SETTINGS = {
    "product-config-svc": ("product_config_svc", ProductConfigSettings),
    "invoice-svc": ("invoice_svc", InvoiceSettings),
    "dispute-svc": ("dispute_svc", DisputeSettings),
    "adjustment-svc": ("adjustment_svc", AdjustmentSettings),
}
COMPOSE = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())["services"]


@pytest.mark.parametrize("service", SETTINGS)
def test_each_service_runs_api_consumer_and_relay_with_known_settings(service):
    package, settings_cls = SETTINGS[service]
    fields = {name.upper() for name in settings_cls.model_fields}
    default_port = settings_cls.model_fields["port"].default
    for role in ("api", "consumer", "relay"):
        container = COMPOSE[f"{service}-{role}"]
        assert container["command"] == ["python", "-m", package, role]
        unknown = set(container["environment"]) - fields
        assert not unknown, f"{service}-{role} sets variables no setting reads: {unknown}"
        assert container["environment"]["PORT"] == str(default_port)
        assert {"postgres", "kafka", "migrate", "topics"} <= set(container["depends_on"])
    assert COMPOSE[f"{service}-api"]["ports"] == [f"{default_port}:{default_port}"]
    # Request serving first when containers contend for the CPU, as the local stack runs them.
    assert "cpu_shares" not in COMPOSE[f"{service}-api"]
    assert COMPOSE[f"{service}-consumer"]["cpu_shares"] == COMPOSE[f"{service}-relay"]["cpu_shares"] == 15


def test_migrate_job_upgrades_every_service_and_topics_job_creates_the_catalog():
    migrate = " ".join(COMPOSE["migrate"]["command"])
    for service in SETTINGS:
        assert service in migrate
        assert (REPO_ROOT / "services" / service / "alembic.ini").exists()
    assert COMPOSE["topics"]["command"][-2:] == ["mediabill_common.kafka.admin", "ensure-topics"]


def test_kafka_image_matches_the_broker_the_local_stack_runs():
    pom = (REPO_ROOT / "deploy" / "kafka" / "pom.xml").read_text()
    version = re.search(r"<kafka.version>([^<]+)</kafka.version>", pom).group(1)
    assert COMPOSE["kafka"]["image"] == f"apache/kafka:{version}"
    script = (REPO_ROOT / "deploy" / "lib" / "kafka.sh").read_text()
    assert f"KAFKA_VERSION={version}" in script


def test_invoice_svc_url_points_at_the_invoice_api_container_and_port():
    url = COMPOSE["dispute-svc-api"]["environment"]["INVOICE_SVC_URL"]
    assert url == f"http://invoice-svc-api:{InvoiceSettings.model_fields['port'].default}"


def test_dockerfile_copies_every_workspace_member():
    dockerfile = (REPO_ROOT / "Dockerfile").read_text()
    members = [p.parent.relative_to(REPO_ROOT) for p in Path(REPO_ROOT).glob("*/*/pyproject.toml")
               if p.parts[-3] in ("libs", "services")]
    for member in members:
        assert f"COPY {member}/pyproject.toml {member}/" in dockerfile
