"""python -m tools.collections [--port 8005]"""

import argparse
import logging

import uvicorn

from tools.collections.app import build_app

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8005)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format='{"ts":"%(asctime)s","level":"%(levelname)s","msg":"%(message)s"}')
    uvicorn.run(build_app(), host="127.0.0.1", port=args.port, log_config=None, access_log=False)
