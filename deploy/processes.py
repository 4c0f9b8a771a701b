"""The stack's processes, declared once.

`./mediabill` writes its supervisord config from this list (deploy/supervised.py); the e2e harness, the stairway
test and the docker-compose contract test read it too, so a service joins all of them by one entry here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


# Every service runs these; a service may add roles of its own (Service.roles).
ROLES = ("api", "consumer", "relay")


@dataclass(frozen=True)
class Service:
    """A Mediabill service: one process per role, each with the API's port in PORT (only the API listens)."""

    name: str  # its folder under services/, and the prefix of its process names (invoice-svc-api)
    package: str
    port: int
    roles: tuple[str, ...] = ROLES
    # Environment of the local dev stack only (`./mediabill up`, which loads the demo); never of a deployment.
    dev_env: tuple[tuple[str, str], ...] = ()

    def args(self, role: str) -> list[str]:
        """The Python arguments of one of its processes."""
        return ["-m", self.package, role]


@dataclass(frozen=True)
class Tool:
    """A program beside the services, taking its port as an argument."""

    name: str
    module: str
    port: int

    def args(self, port: int) -> list[str]:
        return ["-m", self.module, "--port", str(port)]


@dataclass(frozen=True)
class Infra:
    """A server the services need; `port` is the dev stack's (docker-compose.yml publishes the same)."""

    name: str
    port: int


SERVICES = (
    Service("product-config-svc", "product_config_svc", 8001),
    # invoice-svc's worker executes the bill runs its API queues: a month-end run must not slow the API people use.
    # It also runs the daily jobs, among them the assurance run over the current and previous month (oversight.md O3).
    # Its bill-run pricing stays in a thread of the worker on the dev stack's shared cores (BILL_RUN_PRICING_PROCESSES,
    # docs/operations.md).
    Service("invoice-svc", "invoice_svc", 8002, roles=(*ROLES, "worker"),
            dev_env=(("ASSURANCE_SCHEDULE_ENABLED", "true"), ("BILL_RUN_PRICING_PROCESSES", "0"))),
    # The demo shows disputes handled over days on dispute-svc's demo clock (tools/demo/timeline.py).
    Service("dispute-svc", "dispute_svc", 8003, dev_env=(("DEMO_CLOCK", "true"),)),
    Service("adjustment-svc", "adjustment_svc", 8004),
    Service("accounting-svc", "accounting_svc", 8006),
)

# An API request has a person waiting on it; an event, an outbox row, a bill run or a collections update can wait.
# These run at nice MEDIABILL_BACKGROUND_NICE (docs/operations.md, "CPU priority").
BACKGROUND_ROLES = frozenset({"consumer", "relay", "worker"})

# The simulated collections system (the reference consumer of the invoice contract); background work too.
COLLECTIONS = Tool("collections", "tools.collections", 8005)

# The operations console (console/): the built web application, sign-in and the same-origin proxy to the services'
# APIs. A person waits on it, so it runs at nice 0; its service URLs come from CONSOLE_SERVICE_URLS.
CONSOLE = Tool("console", "console", 8080)

# PostgreSQL runs under pg_ctl, its own supervisor (deploy/lib/pg.sh), at nice 0: every request waits on it.
POSTGRES = Infra("postgres", 55432)
# Kafka runs under supervisord beside the services, as background work.
KAFKA = Infra("kafka", 39092)
KAFKA_CONTROLLER_PORT = 39093


def service(name: str) -> Service:
    return next(s for s in SERVICES if s.name == name)


INVOICE_SVC_URL = f"http://127.0.0.1:{service('invoice-svc').port}"
# The other APIs a service reads over HTTP: accounting-svc's close checklist lists open disputes and pending credit
# requests (close.md C10). Every service's processes get them, as they get INVOICE_SVC_URL.
SERVICE_URLS = {"DISPUTE_SVC_URL": f"http://127.0.0.1:{service('dispute-svc').port}",
                "ADJUSTMENT_SVC_URL": f"http://127.0.0.1:{service('adjustment-svc').port}"}


def kafka_args(libs: Path, properties: Path) -> list[str]:
    """The broker's JVM command line, run straight from the jars Maven resolved (deploy/lib/kafka.sh).

    C1-compiled code only (TieredStopAtLevel=1): on a freshly started broker, C2 compilation was half of Kafka's CPU
    during the first minutes under load, on cores the services need. A broker for production keeps the default."""
    log4j = ROOT / "deploy" / "kafka" / "log4j2.properties"
    return ["java", "-Xms256m", "-Xmx768m", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-XX:TieredStopAtLevel=1",
            "-Djava.awt.headless=true", f"-Dlog4j2.configurationFile={log4j}", "-cp", f"{libs}/*", "kafka.Kafka",
            str(properties)]
