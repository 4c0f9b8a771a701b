"""The raw baseline of the load benchmark: the least a read can cost on this machine in this run.

`python -m bench.load.raw --port P` serves `GET /raw/invoices/{invoice_id}`: a bare ASGI app under the same
server as the services (uvicorn with uvloop and httptools), one pooled asyncpg connection per request and one
statement, the invoice row as JSON built by PostgreSQL. No framework, no authentication, no middleware, no ORM, no
transaction. `bench.load` drives it with the same users and pacing as the real mix before the measured window,
so the services' latency and CPU per request can be read against it.
"""

from __future__ import annotations

import argparse
import os

import asyncpg
import uvicorn

from mediabill_common.db.engine import asyncpg_dsn

_QUERY = "SELECT row_to_json(i)::text FROM invoice_svc.invoices AS i WHERE i.invoice_id = $1"
_PREFIX = "/raw/invoices/"


class RawInvoices:
    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        self._pool: asyncpg.Pool | None = None

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            await receive()  # lifespan.startup
            self._pool = await asyncpg.create_pool(self._dsn, min_size=5, max_size=20)
            await send({"type": "lifespan.startup.complete"})
            await receive()  # lifespan.shutdown
            await self._pool.close()
            await send({"type": "lifespan.shutdown.complete"})
            return
        body, status = b'{"detail": "not found"}', 404
        if scope["path"].startswith(_PREFIX):
            row = await self._pool.fetchval(_QUERY, scope["path"][len(_PREFIX):])
            if row is not None:
                body, status = row.encode(), 200
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.load.raw", description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    dsn = asyncpg_dsn(os.environ.get("DATABASE_URL", "postgresql+asyncpg://mediabill@127.0.0.1:55432/mediabill"))
    uvicorn.run(RawInvoices(dsn), host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
