"""HTTP routers of adjustment-svc."""

from fastapi import APIRouter

from adjustment_svc.entrypoints.api import adjustments, invoices, kpis, memos, policy, trends

routers: list[APIRouter] = [adjustments.router, memos.router, policy.router, kpis.router, trends.router,
                            invoices.router]
