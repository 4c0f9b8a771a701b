"""JSON logs with correlation ids (python-json-logger)."""

from __future__ import annotations

import logging
import sys
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter

# The HTTP header that carries a correlation id in and out of every service.
CORRELATION_HEADER = "X-Correlation-Id"
correlation_id_var: ContextVar[str | None] = ContextVar("correlation_id", default=None)

# Never log these even if a caller passes them in `extra`.
_REDACTED_KEYS = {"authorization", "token", "password", "secret", "jwt_hs256_secret"}


class _ContextFilter(logging.Filter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self._service
        record.correlation_id = correlation_id_var.get()
        for key in _REDACTED_KEYS:
            if hasattr(record, key):
                setattr(record, key, "[redacted]")
        return True


def configure_logging(service: str, level: str = "INFO") -> None:
    """Route all logging to stdout as one JSON object per line, tagged with service and correlation id."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s",
        rename_fields={"asctime": "ts", "levelname": "level", "name": "logger"},
    ))
    handler.addFilter(_ContextFilter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # httpx logs every outbound request at INFO: a line per call between services, which the callee's metrics and
    # the shared correlation id already cover.
    for noisy in ("aiokafka", "kafka", "uvicorn.access", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
