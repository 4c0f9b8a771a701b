"""HTTP routers of accounting-svc."""

from fastapi import APIRouter

from accounting_svc.entrypoints.api import chart, journal, periods, reports

routers: list[APIRouter] = [journal.router, reports.router, periods.router, chart.router]
