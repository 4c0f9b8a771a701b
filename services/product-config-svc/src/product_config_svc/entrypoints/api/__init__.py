"""HTTP routers of product-config-svc."""

from fastapi import APIRouter

routers: list[APIRouter] = []
