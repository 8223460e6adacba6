"""`python -m services.evaluation {web,worker,migrate,close}`."""

import sys

from services.evaluation.bootstrap import SERVICE, create_app, create_runtime, event_handlers
from shared.runtime import run_service_cli

if __name__ == "__main__":
    if sys.argv[1:2] == ["close"]:
        from services.evaluation.close_command import main

        main(sys.argv[2:])
    else:
        run_service_cli(SERVICE, create_runtime=create_runtime, create_app=create_app, handlers=event_handlers)
