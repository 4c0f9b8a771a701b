"""OpenAPI links of dispute-svc: what each answer gives the next call (mediabill_common.web.openapi_links)."""

from mediabill_common.web.openapi_links import ETAG, Link, follow

DISPUTES, DISPUTE = "/v1/disputes", "/v1/disputes/{dispute_id}"

_dispute = {"dispute_id": "$response.body#/dispute_id"}
_versioned = {**_dispute, "If-Match": ETAG}
# The changes of a dispute that take the version it was read at.
_CHANGES = (("POST", f"{DISPUTE}/assign"), ("POST", f"{DISPUTE}/withdraw"), ("POST", f"{DISPUTE}/resolve"))

LINKS: list[Link] = [
    # An opened dispute is read with its evidence, commented on, assigned, withdrawn or resolved.
    *follow(("POST", DISPUTES, "201"), _dispute, ("GET", DISPUTE), ("GET", f"{DISPUTE}/evidence"),
            ("POST", f"{DISPUTE}/comments")),
    *follow(("POST", DISPUTES, "201"), _versioned, *_CHANGES),
    Link(("GET", DISPUTES, "200"), ("GET", DISPUTE), {"dispute_id": "$response.body#/items/0/dispute_id"}),
    *follow(("GET", DISPUTE, "200"), _versioned, *_CHANGES),
    # In review: more comments, then a resolution or a withdrawal of the version just written.
    Link(("POST", f"{DISPUTE}/assign", "200"), ("POST", f"{DISPUTE}/comments"), _dispute),
    *follow(("POST", f"{DISPUTE}/assign", "200"), _versioned, ("POST", f"{DISPUTE}/resolve"),
            ("POST", f"{DISPUTE}/withdraw")),
    *follow(("POST", f"{DISPUTE}/comments", "201"), _versioned, *_CHANGES),
    *follow(("POST", f"{DISPUTE}/resolve", "200"), _dispute, ("GET", DISPUTE), ("GET", f"{DISPUTE}/evidence")),
    # The SLA policy is replaced only at the version read.
    Link(("GET", "/v1/sla-policy", "200"), ("PUT", "/v1/sla-policy"), {"If-Match": ETAG}),
]
