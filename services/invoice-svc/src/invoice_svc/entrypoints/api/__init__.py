"""HTTP routers of invoice-svc."""

from fastapi import APIRouter

from invoice_svc.entrypoints.api.simulations import router as simulations_router

routers: list[APIRouter] = [simulations_router]
