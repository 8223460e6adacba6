"""`python -m services.notifications {web,worker,migrate}`."""

from services.notifications.bootstrap import SERVICE, create_app, create_runtime, event_handlers
from shared.runtime import run_service_cli

if __name__ == "__main__":
    run_service_cli(SERVICE, create_runtime=create_runtime, create_app=create_app, handlers=event_handlers)
