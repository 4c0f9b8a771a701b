"""`python -m accounting_svc api|consumer|relay`."""

from accounting_svc.bootstrap import build, build_app
from accounting_svc.entrypoints.consumer import TOPICS, make_runner
from mediabill_common.process import main

if __name__ == "__main__":
    main(build_context=build, build_app=build_app, make_runner=make_runner if TOPICS else None,
         topics=TOPICS)
