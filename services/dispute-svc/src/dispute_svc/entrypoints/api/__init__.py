"""HTTP routers of dispute-svc."""

from fastapi import APIRouter

routers: list[APIRouter] = []
