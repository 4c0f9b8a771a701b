"""OpenAPI links of accounting-svc: what each answer gives the next call (mediabill_common.web.openapi_links)."""

from mediabill_common.web.openapi_links import ETAG, Link

PERIOD = "/v1/periods/{period}"
_period = {"period": "$response.body#/period"}

LINKS: list[Link] = [
    # A period's checklist leads to its close; a closed period to its reopening, its journal and trial balance.
    Link(("GET", PERIOD, "200"), ("POST", f"{PERIOD}/close"), _period),
    Link(("POST", f"{PERIOD}/close", "200"), ("POST", f"{PERIOD}/reopen"), _period),
    Link(("POST", f"{PERIOD}/close", "200"), ("GET", "/v1/trial-balance"), _period),
    Link(("GET", "/v1/periods", "200"), ("GET", PERIOD), {"period": "$response.body#/0/period"}),
    # The mapping is replaced only at the version read.
    Link(("GET", "/v1/chart-of-accounts", "200"), ("PUT", "/v1/chart-of-accounts"), {"If-Match": ETAG}),
]
