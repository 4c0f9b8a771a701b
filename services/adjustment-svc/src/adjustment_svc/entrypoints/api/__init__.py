"""HTTP routers of adjustment-svc."""

from fastapi import APIRouter

routers: list[APIRouter] = []
