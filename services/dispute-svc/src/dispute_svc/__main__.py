"""`python -m dispute_svc api|consumer|relay`."""

from mediabill_common.process import main

from dispute_svc.bootstrap import build, build_app
from dispute_svc.entrypoints.consumer import TOPICS, make_runner

if __name__ == "__main__":
    main(build_context=build, build_app=build_app, make_runner=make_runner if TOPICS else None,
         topics=TOPICS)
