"""Every service's OpenAPI document is a valid OpenAPI 3.1 document and documents the spec's paths."""

import re

import pytest
from openapi_spec_validator import validate

from tests.contracts.conftest import BUILDERS, client_for

SPEC_PATHS = {
    "product-config-svc": ["/v1/products", "/v1/products/{code}", "/v1/products/{code}/rate-cards",
                           "/v1/products/{code}/price", "/v1/products/{code}/readiness",
                           "/v1/products/{code}/activate", "/v1/products/{code}/retire", "/v1/products/{code}/simulate",
                           "/v1/accounts", "/v1/accounts/{account_id}", "/v1/contracts", "/v1/contracts/{contract_id}",
                           "/v1/contracts/{contract_id}/versions", "/v1/contracts/{contract_id}/activate",
                           "/v1/contracts/{contract_id}/amendments", "/v1/contracts/{contract_id}/end",
                           "/v1/delivery-sources", "/v1/delivery-sources/{source_system}"],
    "invoice-svc": ["/v1/deliveries", "/v1/price-simulations", "/v1/bill-runs", "/v1/bill-runs/{bill_run_id}",
                    "/v1/invoices", "/v1/invoices/{invoice_id}", "/v1/invoices/{invoice_id}/document",
                    "/v1/invoices/{invoice_id}/void", "/v1/exceptions", "/v1/exceptions/{exception_id}/assign",
                    "/v1/exceptions/{exception_id}/resolve", "/v1/kpis", "/v1/source-crosswalks/{source_system}",
                    "/v1/assurance-runs", "/v1/assurance-runs/{run_id}"],
    "dispute-svc": ["/v1/disputes", "/v1/disputes/{dispute_id}", "/v1/disputes/{dispute_id}/assign",
                    "/v1/disputes/{dispute_id}/comments", "/v1/disputes/{dispute_id}/withdraw",
                    "/v1/disputes/{dispute_id}/resolve", "/v1/disputes/{dispute_id}/evidence", "/v1/kpis"],
    "adjustment-svc": ["/v1/adjustments", "/v1/adjustments/{adjustment_id}", "/v1/adjustments/{adjustment_id}/approve",
                       "/v1/adjustments/{adjustment_id}/reject", "/v1/memos/{memo_id}",
                       "/v1/memos/{memo_id}/document", "/v1/approval-policy", "/v1/kpis"],
    "accounting-svc": ["/v1/journal", "/v1/trial-balance", "/v1/revenue", "/v1/periods", "/v1/periods/{period}",
                       "/v1/periods/{period}/close", "/v1/periods/{period}/reopen", "/v1/exports/journal.csv",
                       "/v1/chart-of-accounts"],
}


def _normalise(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


@pytest.mark.parametrize("service", list(BUILDERS))
def test_openapi_document_is_valid_and_covers_the_contract(service, contract_apps):
    document = contract_apps[service].openapi()
    validate(document)
    documented = {_normalise(p) for p in document["paths"]}
    missing = [p for p in SPEC_PATHS[service] if _normalise(p) not in documented]
    assert not missing, f"{service} does not serve {missing}"
    assert "/v1/audit" in document["paths"]


@pytest.mark.parametrize("service", list(BUILDERS))
async def test_api_docs_load_nothing_from_another_host(service, contract_apps):
    """Swagger UI's files come from the service itself, so the docs work on a network without internet access."""
    async with client_for(contract_apps[service]) as client:
        page = await client.get("/docs")
        assert page.status_code == 200
        references = re.findall(r"""(?:src|href|url)\s*[=:]\s*['"]([^'"]+)['"]""", page.text)
        assert references, "the docs page references no script or stylesheet"
        external = [ref for ref in references if re.match(r"^(?:[a-z]+:)?//", ref)]
        assert not external, f"the docs page loads {external}"
        for ref in references:
            asset = await client.get(ref)  # no token: the docs are public, like /openapi.json
            assert asset.status_code == 200, ref
