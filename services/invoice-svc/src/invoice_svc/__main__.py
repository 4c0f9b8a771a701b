"""`python -m invoice_svc api|consumer|relay|worker`."""

from invoice_svc.bootstrap import build, build_app
from invoice_svc.entrypoints.consumer import TOPICS, make_runner
from invoice_svc.entrypoints.worker import run_worker
from mediabill_common.process import main

if __name__ == "__main__":
    main(build_context=build, build_app=build_app, make_runner=make_runner if TOPICS else None,
         topics=TOPICS, work=run_worker)
