"""OpenAPI links of invoice-svc: what each answer gives the next call (mediabill_common.web.openapi_links)."""

from mediabill_common.web.openapi_links import ETAG, Link, follow

BILL_RUNS, BILL_RUN = "/v1/bill-runs", "/v1/bill-runs/{run_id}"
INVOICES, INVOICE = "/v1/invoices", "/v1/invoices/{invoice_id}"
EXCEPTIONS, EXCEPTION = "/v1/exceptions", "/v1/exceptions/{exception_id}"
DELIVERIES, DELIVERY = "/v1/deliveries", "/v1/deliveries/{delivery_id}"

_invoice = {"invoice_id": "$response.body#/invoice_id"}
_exception = {"exception_id": "$response.body#/exception_id"}

LINKS: list[Link] = [
    # A requested bill run is followed to completion; its period's runs and invoices are listed.
    Link(("POST", BILL_RUNS, "202"), ("GET", BILL_RUN), {"run_id": "$response.body#/run_id"}),
    *follow(("POST", BILL_RUNS, "202"), {"period": "$response.body#/period"}, ("GET", BILL_RUNS), ("GET", INVOICES)),
    Link(("GET", BILL_RUNS, "200"), ("GET", BILL_RUN), {"run_id": "$response.body#/items/0/run_id"}),
    Link(("GET", BILL_RUN, "200"), ("GET", EXCEPTION), {"exception_id": "$response.body#/exception_ids/0"}),
    # An invoice is read, rendered and voided (If-Match: the version read).
    Link(("GET", INVOICES, "200"), ("GET", INVOICE), {"invoice_id": "$response.body#/items/0/invoice_id"}),
    Link(("GET", INVOICE, "200"), ("GET", f"{INVOICE}/document"), _invoice),
    Link(("GET", INVOICE, "200"), ("POST", f"{INVOICE}/void"), {**_invoice, "If-Match": ETAG}),
    Link(("POST", f"{INVOICE}/void", "200"), ("GET", INVOICE), _invoice),
    # A billing exception is read with the delivery that raised it, assigned and resolved.
    Link(("GET", EXCEPTIONS, "200"), ("GET", EXCEPTION), {"exception_id": "$response.body#/items/0/exception_id"}),
    Link(("GET", EXCEPTION, "200"), ("GET", DELIVERY), {"delivery_id": "$response.body#/refs/delivery_id"}),
    *follow(("GET", EXCEPTION, "200"), {**_exception, "If-Match": ETAG}, ("POST", f"{EXCEPTION}/assign"),
            ("POST", f"{EXCEPTION}/resolve")),
    Link(("POST", f"{EXCEPTION}/assign", "200"), ("POST", f"{EXCEPTION}/resolve"), {**_exception, "If-Match": ETAG}),
    # A delivery, with the billing exceptions it raised.
    Link(("GET", DELIVERIES, "200"), ("GET", DELIVERY), {"delivery_id": "$response.body#/items/0/delivery_id"}),
    Link(("GET", DELIVERIES, "200"), ("GET", EXCEPTIONS), {"delivery_id": "$response.body#/items/0/delivery_id"}),
    Link(("GET", DELIVERY, "200"), ("GET", EXCEPTIONS), {"delivery_id": "$response.body#/delivery_id"}),
]
