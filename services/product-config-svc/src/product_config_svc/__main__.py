"""`python -m product_config_svc api|consumer|relay`."""

from mediabill_common.process import main
from product_config_svc.bootstrap import build, build_app
from product_config_svc.entrypoints.consumer import TOPICS, make_runner

if __name__ == "__main__":
    main(build_context=build, build_app=build_app, make_runner=make_runner if TOPICS else None,
         topics=TOPICS)
