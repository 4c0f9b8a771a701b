"""OpenAPI links of product-config-svc: what each answer gives the next call (mediabill_common.web.openapi_links)."""

from mediabill_common.web.openapi_links import ETAG, Link, follow

PRODUCTS, PRODUCT = "/v1/products", "/v1/products/{code}"
ACCOUNTS, ACCOUNT = "/v1/accounts", "/v1/accounts/{account_id}"
CONTRACTS, CONTRACT = "/v1/contracts", "/v1/contracts/{contract_id}"

_product = {"code": "$response.body#/code"}
_account = {"account_id": "$response.body#/account_id"}
_contract = {"contract_id": "$response.body#/contract_id"}


def _versioned(ids: dict[str, str]) -> dict[str, str]:
    return {**ids, "If-Match": ETAG}


LINKS: list[Link] = [
    # A product set up as a draft is read, changed, priced, checked for go-live and taken live.
    *follow(("POST", PRODUCTS, "201"), _product, ("GET", PRODUCT), ("POST", f"{PRODUCT}/rate-cards"),
            ("GET", f"{PRODUCT}/readiness"), ("POST", f"{PRODUCT}/activate"), ("POST", f"{PRODUCT}/simulate")),
    Link(("POST", PRODUCTS, "201"), ("PATCH", PRODUCT), _versioned(_product)),
    Link(("GET", PRODUCTS, "200"), ("GET", PRODUCT), {"code": "$response.body#/items/0/code"}),
    Link(("GET", PRODUCT, "200"), ("PATCH", PRODUCT), _versioned(_product)),
    Link(("POST", f"{PRODUCT}/rate-cards", "201"), ("GET", f"{PRODUCT}/price"),
         {**_product, "on": "$request.body#/effective_from", "currency": "$request.body#/currency"}),
    *follow(("POST", f"{PRODUCT}/rate-cards", "201"), _product, ("GET", f"{PRODUCT}/readiness"),
            ("POST", f"{PRODUCT}/activate")),
    *follow(("POST", f"{PRODUCT}/activate", "200"), _product, ("GET", PRODUCT), ("POST", f"{PRODUCT}/retire")),
    # A billing account is read and changed, and contracts are booked on it (as advertiser and bill-to).
    Link(("POST", ACCOUNTS, "201"), ("GET", ACCOUNT), _account),
    Link(("POST", ACCOUNTS, "201"), ("PATCH", ACCOUNT), _versioned(_account)),
    Link(("POST", ACCOUNTS, "201"), ("POST", CONTRACTS),
         request_body={"advertiser_account_id": "$response.body#/account_id",
                       "bill_to_account_id": "$response.body#/account_id", "currency": "$response.body#/currency"}),
    Link(("GET", ACCOUNTS, "200"), ("GET", ACCOUNT), {"account_id": "$response.body#/items/0/account_id"}),
    Link(("GET", ACCOUNTS, "200"), ("POST", CONTRACTS),
         request_body={"advertiser_account_id": "$response.body#/items/0/account_id",
                       "bill_to_account_id": "$response.body#/items/0/account_id",
                       "currency": "$response.body#/items/0/currency"}),
    Link(("GET", ACCOUNT, "200"), ("PATCH", ACCOUNT), _versioned(_account)),
    # A contract is booked as a draft, edited, activated, amended and ended; each change names its version.
    *follow(("POST", CONTRACTS, "201"), _contract, ("GET", CONTRACT), ("GET", f"{CONTRACT}/versions")),
    *follow(("POST", CONTRACTS, "201"), _versioned(_contract), ("PATCH", CONTRACT),
            ("POST", f"{CONTRACT}/activate")),
    Link(("GET", CONTRACTS, "200"), ("GET", CONTRACT), {"contract_id": "$response.body#/items/0/contract_id"}),
    *follow(("GET", CONTRACT, "200"), _versioned(_contract), ("PATCH", CONTRACT), ("POST", f"{CONTRACT}/activate")),
    Link(("PATCH", CONTRACT, "200"), ("POST", f"{CONTRACT}/activate"), _versioned(_contract)),
    *follow(("POST", f"{CONTRACT}/activate", "200"), _versioned(_contract), ("POST", f"{CONTRACT}/amendments"),
            ("POST", f"{CONTRACT}/end")),
    Link(("POST", f"{CONTRACT}/amendments", "201"), ("GET", f"{CONTRACT}/versions"), _contract),
    Link(("POST", f"{CONTRACT}/amendments", "201"), ("POST", f"{CONTRACT}/end"), _versioned(_contract)),
]
