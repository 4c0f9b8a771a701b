"""python -m tools.demo [--contracts 500] [--accounts 200]

Drives a running Mediabill the way its users do: the commercial teams configure products, accounts and contracts
(REST), the ad platforms publish a month of CampaignDelivered (Kafka), billing operations issue the month, open and
resolve disputes and approve credit memos (REST), and the simulated collections system applies payments.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from datetime import date

from tools.demo.client import Api
from tools.demo.scenario import Scenario
from tools.demo.world import build_world


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.demo", description=__doc__)
    parser.add_argument("--contracts", type=int, default=500)
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--today", type=date.fromisoformat, default=date.today(),
                        help="the demo bills the calendar month before this date")
    args = parser.parse_args()
    world = build_world(args.today, contracts=args.contracts, accounts=args.accounts)
    started = time.monotonic()
    api = Api.from_env()
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:39092")
    try:
        summary = asyncio.run(Scenario(api, world, bootstrap).run())
    except Exception as exc:  # noqa: BLE001 - a demo that fails says why and where to look
        print(f"\ndemo failed: {exc}\nlogs: ./mediabill logs", file=sys.stderr)
        return 1
    print(summary)
    print(f"(demo took {time.monotonic() - started:.0f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
