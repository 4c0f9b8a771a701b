import httpx
import pytest

from accounting_svc.bootstrap import build as build_accounting
from accounting_svc.bootstrap import build_app as accounting_app
from accounting_svc.settings import Settings as AccountingSettings
from adjustment_svc.bootstrap import build as build_adjustment
from adjustment_svc.bootstrap import build_app as adjustment_app
from adjustment_svc.settings import Settings as AdjustmentSettings
from dispute_svc.bootstrap import build as build_dispute
from dispute_svc.bootstrap import build_app as dispute_app
from dispute_svc.settings import Settings as DisputeSettings
from invoice_svc.bootstrap import build as build_invoice
from invoice_svc.bootstrap import build_app as invoice_app
from invoice_svc.settings import Settings as InvoiceSettings
from mediabill_common.testing.plugin import run_migrations
from product_config_svc.bootstrap import build as build_product_config
from product_config_svc.bootstrap import build_app as product_config_app
from product_config_svc.settings import Settings as ProductConfigSettings

BUILDERS = {
    "product-config-svc": (ProductConfigSettings, build_product_config, product_config_app),
    "invoice-svc": (InvoiceSettings, build_invoice, invoice_app),
    "dispute-svc": (DisputeSettings, build_dispute, dispute_app),
    "adjustment-svc": (AdjustmentSettings, build_adjustment, adjustment_app),
    "accounting-svc": (AccountingSettings, build_accounting, accounting_app),
}


@pytest.fixture(scope="session")
def contract_apps(database_url, kafka_bootstrap):
    """Each service's real FastAPI app on the real database (schemas migrated)."""
    apps = {}
    for name, (settings_cls, build, build_app) in BUILDERS.items():
        run_migrations(name, database_url)
        settings = settings_cls(database_url=database_url, kafka_bootstrap_servers=kafka_bootstrap)
        apps[name] = build_app(build(settings))
    return apps


def client_for(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://contract")
