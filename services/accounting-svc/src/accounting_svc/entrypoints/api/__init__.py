"""HTTP routers of accounting-svc."""

from fastapi import APIRouter

from accounting_svc.entrypoints.api import chart, dead_letters, journal, periods, reports

routers: list[APIRouter] = [journal.router, reports.router, periods.router, chart.router, dead_letters.router]
