"""HTTP routers of product-config-svc."""

from fastapi import APIRouter

from product_config_svc.entrypoints.api.accounts import router as accounts
from product_config_svc.entrypoints.api.contracts import router as contracts
from product_config_svc.entrypoints.api.delivery_sources import router as delivery_sources
from product_config_svc.entrypoints.api.products import router as products

routers: list[APIRouter] = [products, accounts, contracts, delivery_sources]
