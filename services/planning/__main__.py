"""`python -m services.planning {web,worker,migrate,makemigration,import-org}`."""

from services.planning.bootstrap import SERVICE, create_app, create_runtime, event_handlers
from services.planning.entrypoints.organisation_cli import import_org_command
from shared.runtime import run_service_cli

if __name__ == "__main__":
    run_service_cli(
        SERVICE,
        create_runtime=create_runtime,
        create_app=create_app,
        handlers=event_handlers,
        commands=[import_org_command(create_runtime)],
    )
