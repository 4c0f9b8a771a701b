"""OpenAPI links of adjustment-svc: what each answer gives the next call (mediabill_common.web.openapi_links)."""

from mediabill_common.web.openapi_links import ETAG, Link, follow

ADJUSTMENTS, ADJUSTMENT = "/v1/adjustments", "/v1/adjustments/{adjustment_id}"
MEMOS, MEMO = "/v1/memos", "/v1/memos/{memo_id}"
HEADROOM = "/v1/invoices/{invoice_id}/headroom"

_adjustment = {"adjustment_id": "$response.body#/adjustment_id"}
_versioned = {**_adjustment, "If-Match": ETAG}
_memo = {"memo_id": "$response.body#/memo_id"}  # null until the request is approved
_invoice = {"invoice_id": "$response.body#/invoice_id"}

LINKS: list[Link] = [
    # A request is read, approved (by someone else than the maker) or rejected; approval issues its memo.
    Link(("POST", ADJUSTMENTS, "201"), ("GET", ADJUSTMENT), _adjustment),
    *follow(("POST", ADJUSTMENTS, "201"), _versioned, ("POST", f"{ADJUSTMENT}/approve"),
            ("POST", f"{ADJUSTMENT}/reject")),
    *follow(("POST", ADJUSTMENTS, "201"), _memo, ("GET", MEMO)),
    Link(("POST", ADJUSTMENTS, "201"), ("GET", HEADROOM), _invoice),
    Link(("GET", ADJUSTMENTS, "200"), ("GET", ADJUSTMENT), {"adjustment_id": "$response.body#/items/0/adjustment_id"}),
    *follow(("GET", ADJUSTMENT, "200"), _versioned, ("POST", f"{ADJUSTMENT}/approve"),
            ("POST", f"{ADJUSTMENT}/reject")),
    # A second approval (manager and director) names the version the first one wrote.
    Link(("POST", f"{ADJUSTMENT}/approve", "200"), ("POST", f"{ADJUSTMENT}/approve"), _versioned),
    *follow(("POST", f"{ADJUSTMENT}/approve", "200"), _memo, ("GET", MEMO), ("GET", f"{MEMO}/document")),
    # An issued memo, its request, its document and the invoice's remaining headroom.
    *follow(("GET", MEMOS, "200"), {"memo_id": "$response.body#/items/0/memo_id"}, ("GET", MEMO),
            ("GET", f"{MEMO}/document")),
    Link(("GET", MEMO, "200"), ("GET", ADJUSTMENT), _adjustment),
    Link(("GET", MEMO, "200"), ("GET", HEADROOM), _invoice),
    # The approval policy is replaced only at the version read.
    Link(("GET", "/v1/approval-policy", "200"), ("PUT", "/v1/approval-policy"), {"If-Match": ETAG}),
]
