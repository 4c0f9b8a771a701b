"""HTTP routers of invoice-svc."""

from fastapi import APIRouter

routers: list[APIRouter] = []
