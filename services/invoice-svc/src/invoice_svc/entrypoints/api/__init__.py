"""HTTP routers of invoice-svc."""

from fastapi import APIRouter

from invoice_svc.entrypoints.api.assurance import router as assurance_router
from invoice_svc.entrypoints.api.bill_runs import router as bill_runs_router
from invoice_svc.entrypoints.api.crosswalks import router as crosswalks_router
from invoice_svc.entrypoints.api.deliveries import router as deliveries_router
from invoice_svc.entrypoints.api.exceptions import router as exceptions_router
from invoice_svc.entrypoints.api.invoice_history import router as history_router
from invoice_svc.entrypoints.api.invoices import router as invoices_router
from invoice_svc.entrypoints.api.kpis import router as kpis_router
from invoice_svc.entrypoints.api.month_end import router as month_end_router
from invoice_svc.entrypoints.api.reconciliations import router as reconciliations_router
from invoice_svc.entrypoints.api.simulations import router as simulations_router
from invoice_svc.entrypoints.api.statements import router as statements_router
from invoice_svc.entrypoints.api.trends import router as trends_router

routers: list[APIRouter] = [simulations_router, deliveries_router, exceptions_router, bill_runs_router,
                            invoices_router, history_router, statements_router, kpis_router, trends_router,
                            month_end_router, reconciliations_router, crosswalks_router, assurance_router]
