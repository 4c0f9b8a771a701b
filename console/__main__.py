"""python -m console [--port 8080]: the operations console (docs/operations.md, "The console")."""

import argparse
import logging

import uvicorn

from console.app import build_app
from console.settings import ConsoleSettings

if __name__ == "__main__":
    settings = ConsoleSettings()
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=settings.port)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format='{"ts":"%(asctime)s","level":"%(levelname)s","msg":"%(message)s"}')
    uvicorn.run(build_app(settings), host=settings.host, port=args.port, log_config=None, access_log=False)
