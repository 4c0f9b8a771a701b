"""HTTP routers of dispute-svc."""

from fastapi import APIRouter

from dispute_svc.entrypoints.api import disputes, evidence, kpis, sla_policy, trends

routers: list[APIRouter] = [disputes.router, evidence.router, sla_policy.router, kpis.router, trends.router]
